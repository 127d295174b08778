// What the demo reads from a model's optimised graph (InferenceSession.graph()): the layers
// whose outputs are feature maps, and whether the model supports class activation maps.
//
// CAM (Zhou et al., "Learning Deep Features for Discriminative Localization", 2016): for a
// classifier that ends in global average pooling of a feature map F [C, h, w] and one linear
// layer with weights W [K, C], the score of class k is Σ_c W[k, c] · mean(F[c]) + b[k], so
//   CAM_k(y, x) = Σ_c W[k, c] · F[c, y, x]
// shows where in the image the evidence for class k lies.
// A type-only import by path (not 'fovea'): tests/demo-graph-info.test.ts type-checks this file from Node.
import type { InferenceSession } from '../runtime/index.js';

type Graph = Awaited<ReturnType<InferenceSession['graph']>>;
type GraphNode = Graph['nodes'][number];

export interface LayerInfo {
  /** The value name (what keepValues and fetchValue take). */
  name: string;
  /** The op that produces it (after fusion, e.g. a Conv that absorbed its Relu). */
  op: string;
  dims: number[];
}

export interface CamInfo {
  /** The feature map that is globally average-pooled. */
  feature: string;
  channels: number;
  classes: number;
  /** W [classes, channels], row-major. */
  weights: Float32Array;
}

/** Every node output of shape [1, C, H, W] with H·W > 1, in graph order. */
export function listLayers(g: Graph): LayerInfo[] {
  const out: LayerInfo[] = [];
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      const shape = g.values.get(o)?.shape;
      if (o && shape && shape.length === 4 && shape[0] === 1 && shape[2] * shape[3] > 1) {
        out.push({ name: o, op: n.opType, dims: [...shape] });
      }
    }
  }
  return out;
}

function numberAttr(n: GraphNode, name: string, def: number): number {
  const v = n.attributes[name];
  return typeof v === 'number' ? v : def;
}

/** Global average pooling of a [1, C, h, w] value: GlobalAveragePool, or ReduceMean over axes 2 and 3. */
function isGlobalAverage(n: GraphNode, g: Graph): boolean {
  if (n.opType === 'GlobalAveragePool') return true;
  if (n.opType !== 'ReduceMean') return false;
  const axes = n.attributes.axes ?? (n.inputs[1] ? g.initializers.get(n.inputs[1])?.data : undefined);
  const list: number[] | undefined = Array.isArray(axes)
    ? (axes as unknown[]).filter((a): a is number => typeof a === 'number')
    : axes instanceof Int32Array || axes instanceof Float32Array || axes instanceof Float64Array
      ? Array.from(axes)
      : undefined;
  return !!list && list.length === 2 && list.map((a) => (a < 0 ? a + 4 : a)).sort().join() === '2,3';
}

/**
 * Finds "global average pooling → (Flatten | Reshape | Squeeze)* → Gemm/MatMul with constant
 * weights" whose result is a graph output (possibly through Softmax), and returns the pooled
 * feature map's name and the weights as [classes, channels].
 */
export function findCam(g: Graph): CamInfo | undefined {
  const consumers = new Map<string, GraphNode[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const only = (v: string) => {
    const c = consumers.get(v) ?? [];
    return c.length === 1 ? c[0] : undefined;
  };
  for (const pool of g.nodes) {
    if (!isGlobalAverage(pool, g)) continue;
    const feature = pool.inputs[0];
    // Pooling the image itself is no feature map: nothing to localise with.
    if (g.inputs.includes(feature)) continue;
    const fshape = g.values.get(feature)?.shape;
    if (!fshape || fshape.length !== 4 || fshape[0] !== 1) continue;
    const channels = fshape[1];
    let v = pool.outputs[0];
    let next = only(v);
    while (next && ['Flatten', 'Reshape', 'Squeeze'].includes(next.opType)) {
      v = next.outputs[0];
      next = only(v);
    }
    if (!next || next.inputs[0] !== v) continue;
    const w = g.initializers.get(next.inputs[1]);
    if (!w || w.dims.length !== 2 || !(w.data instanceof Float32Array)) continue;
    let transposed: boolean;
    if (next.opType === 'Gemm') {
      if (numberAttr(next, 'transA', 0) !== 0) continue;
      transposed = numberAttr(next, 'transB', 0) !== 0; // B is [K, C]
    } else if (next.opType === 'MatMul') {
      transposed = false; // B is [C, K]
    } else {
      continue;
    }
    const [rows, cols] = w.dims;
    if ((transposed ? cols : rows) !== channels) continue;
    const classes = transposed ? rows : cols;
    // The linear layer's result must be what the model outputs (directly or after Softmax).
    const y = next.outputs[0];
    const after = only(y);
    if (!g.outputs.includes(y) && !(after && after.opType === 'Softmax' && g.outputs.includes(after.outputs[0]))) continue;
    const weights = new Float32Array(classes * channels);
    for (let k = 0; k < classes; k++) {
      for (let c = 0; c < channels; c++) weights[k * channels + c] = transposed ? w.data[k * cols + c] : w.data[c * cols + k];
    }
    return { feature, channels, classes, weights };
  }
  return undefined;
}

/** CAM_k = Σ_c W[k, c] · F[c] for a feature map F [1, C, h, w]: a [h, w] map. */
export function classActivationMap(cam: CamInfo, feature: { dims: number[]; data: Float32Array }, k: number): Float32Array {
  const [, c, h, w] = feature.dims;
  if (c !== cam.channels) throw new Error(`the feature map has ${c} channels, the linear layer ${cam.channels}`);
  const out = new Float32Array(h * w);
  for (let ch = 0; ch < c; ch++) {
    const wk = cam.weights[k * c + ch];
    const plane = ch * h * w;
    for (let i = 0; i < h * w; i++) out[i] += wk * feature.data[plane + i];
  }
  return out;
}
