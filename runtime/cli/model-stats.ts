// Per-layer arithmetic for `fovea info`: parameters, FLOPs and receptive fields, computed on a
// shape-inferred graph (after runPasses: constants folded, dead nodes removed). No GPU needed.
//
// Conventions (also printed by `fovea info` and put in its JSON):
// - FLOPs count a multiply-add as 2 (FLOPs = 2 × MACs), over the whole batch:
//   Conv            2·N·OH·OW·Cout·(Cin/group)·KH·KW  (+ N·Cout·OH·OW with a bias), any rank;
//   ConvTranspose   2·N·H·W·Cin·(Cout/group)·KH·KW    (+ output elements with a bias);
//   Gemm            2·M·N·K (+ M·N with C);  MatMul 2·(batch)·M·N·K;
//   Max/Average/LpPool  output elements × kernel elements;  Global*Pool input elements;
//   BatchNormalization 2 per element (scale and shift after folding the statistics);
//   Instance/Layer/GroupNormalization 5 per element; Softmax/LogSoftmax 5 per element;
//   Reduce*/ArgMax/ArgMin 1 per input element;
//   data movement (Reshape, Transpose, Concat, Slice, Gather, Pad, Cast…) 0;
//   every other op (elementwise activations and arithmetic, Resize, Where…) 1 per output element,
//   also an activation a fusion pass folded into its producer.
// - Parameters: elements of the floating-point constant tensors read by the remaining nodes
//   (weights, biases, normalisation statistics), each counted once, at its first reader. Integer
//   constants (shapes, axes, indices) are not parameters; constants that were folded away or
//   feed only dead nodes are not counted.
// - Receptive field per spatial axis, through the chain of spatial ops (Dumoulin & Visin's
//   recurrence): r_out = r_in + (k_eff − 1)·j_in, j_out = j_in·s, with k_eff = (k − 1)·d + 1.
//   Graph inputs of rank ≥ 3 start at r = j = 1 on their axes 2…; ops without spatial extent
//   pass it through; where several inputs meet, the maximum is taken. Global pooling and dense
//   layers on flattened maps see the whole map.
import { ACTIVATION_ATTR } from '../ir/fovea-attributes.js';
import type { Graph, Node } from '../ir/types.js';
import { isFloat, sizeOf } from '../ir/types.js';

export interface LayerStats {
  name: string;
  op: string;
  /** Shape of the node's first output. */
  outputShape: number[] | null;
  params: number;
  flops: number;
  /** Receptive field size per spatial axis at this layer's output, or null (no spatial input). */
  rf: number[] | null;
  /** Jump (cumulative stride, in input pixels) per spatial axis, or null. */
  jump: number[] | null;
}

export interface ModelStats {
  layers: LayerStats[];
  totals: { params: number; flops: number };
}

export const CONVENTIONS = {
  flops: '2 × multiply-accumulates (Conv 2·N·OH·OW·Cout·(Cin/group)·KH·KW + bias; Gemm/MatMul 2·M·N·K); pools: kernel elements per output; BatchNorm 2/element; other elementwise ops 1/element; data movement 0',
  params: 'elements of floating-point constant tensors read by the remaining nodes, each counted once at its first reader',
  receptiveField: 'per spatial axis: r_out = r_in + ((k−1)·d)·j_in, j_out = j_in·s; max over inputs; global pools and dense layers on flattened maps see the whole map',
};

/** Ops that only move or reinterpret data. */
const DATA_MOVEMENT = new Set([
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements',
  'GatherND', 'ScatterND', 'ScatterElements', 'Pad', 'Identity', 'Expand', 'Tile', 'Shape', 'Size', 'Cast', 'CastLike',
  'DepthToSpace', 'SpaceToDepth', 'Dropout', 'Constant', 'ConstantOfShape', 'Range', 'EyeLike', 'NonZero', 'OneHot',
]);

const SPATIAL_WINDOW = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);
const GLOBAL_POOL = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
/** Ops that mix every position of their (flattened) input: on a map that lost its spatial
 * axes they see the whole map. */
const MIXING = new Set(['Gemm', 'MatMul', 'Softmax', 'LogSoftmax', 'LayerNormalization']);
const NORMALISATION = new Set(['InstanceNormalization', 'LayerNormalization', 'GroupNormalization']);

interface RfState {
  r: number[];
  j: number[];
  /** The receptive field of the whole current map: what a layer mixing every position sees. */
  extent: number[];
}

export function modelStats(g: Graph): ModelStats {
  const shapeOf = (name: string): number[] | null => (name ? g.values.get(name)?.shape ?? null : null);
  const rf = new Map<string, RfState>();
  for (const name of g.inputs) {
    const s = shapeOf(name);
    if (s && s.length >= 3) {
      const sp = s.slice(2);
      rf.set(name, { r: sp.map(() => 1), j: sp.map(() => 1), extent: [...sp] });
    }
  }

  const counted = new Set<string>();
  const layers: LayerStats[] = [];
  let totalParams = 0;
  let totalFlops = 0;
  for (const node of g.nodes) {
    let params = 0;
    for (const x of node.inputs) {
      const t = x ? g.initializers.get(x) : undefined;
      if (!t || counted.has(x) || !isFloat(t.dtype)) continue;
      counted.add(x);
      params += sizeOf(t.dims);
    }
    const flops = nodeFlops(node, shapeOf);
    const state = nodeRf(node, rf, shapeOf);
    for (const o of node.outputs) if (o && state) rf.set(o, state);
    layers.push({
      name: node.name,
      op: node.opType,
      outputShape: shapeOf(node.outputs[0]),
      params,
      flops,
      rf: state ? state.r : null,
      jump: state ? state.j : null,
    });
    totalParams += params;
    totalFlops += flops;
  }
  return { layers, totals: { params: totalParams, flops: totalFlops } };
}

function ints(node: Node, name: string): number[] | undefined {
  const v = node.attributes[name];
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

function product(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** The kernel's spatial dims: the kernel_shape attribute, else (Conv/ConvTranspose) the weight's dims 2…. */
function kernelOf(node: Node, shapeOf: (n: string) => number[] | null): number[] | undefined {
  const k = ints(node, 'kernel_shape');
  if (k) return k;
  if (node.opType === 'Conv' || node.opType === 'ConvTranspose') return shapeOf(node.inputs[1])?.slice(2);
  return undefined;
}

/** Fusion passes fold an activation into the producing node (the `fovea.activation`
 * attribute, see runtime/ops/nn/conv.ts); it still costs one op per output element. */

export function nodeFlops(node: Node, shapeOf: (n: string) => number[] | null): number {
  const fused = node.attributes[ACTIVATION_ATTR];
  const out = shapeOf(node.outputs[0]);
  const extra = typeof fused === 'string' && fused.trim() !== '' && fused.trim() !== 'v' && out ? sizeOf(out) : 0;
  return baseFlops(node, shapeOf) + extra;
}

function baseFlops(node: Node, shapeOf: (n: string) => number[] | null): number {
  const op = node.opType;
  const out = shapeOf(node.outputs[0]);
  const outElems = out ? sizeOf(out) : 0;
  const in0 = shapeOf(node.inputs[0]);
  const hasBias = (i: number) => !!node.inputs[i];
  if (node.domain !== '' && node.domain !== 'ai.onnx') return outElems;
  if (DATA_MOVEMENT.has(op)) return 0;
  switch (op) {
    case 'Conv': {
      // W is [Cout, Cin/group, k…]: each output element is a dot product of W[1]·prod(k) terms.
      const w = shapeOf(node.inputs[1]);
      if (!w) return 0;
      return 2 * outElems * w[1] * product(w.slice(2)) + (hasBias(2) ? outElems : 0);
    }
    case 'ConvTranspose': {
      // W is [Cin, Cout/group, k…]: each input element is scattered into W[1]·prod(k) outputs.
      const w = shapeOf(node.inputs[1]);
      if (!w || !in0) return 0;
      return 2 * sizeOf(in0) * w[1] * product(w.slice(2)) + (hasBias(2) ? outElems : 0);
    }
    case 'Gemm': {
      // Y = alpha·A'·B' + beta·C with A' [M, K]; the alpha/beta scalings are not counted.
      if (!in0 || !out) return 0;
      const transA = node.attributes.transA === 1;
      const k = transA ? in0[0] : in0[1];
      return 2 * outElems * k + (hasBias(2) ? outElems : 0);
    }
    case 'MatMul': {
      // numpy matmul: K is A's last dim (also for a 1-D A); the output holds batch·M·N elements.
      if (!in0) return 0;
      return 2 * outElems * in0[in0.length - 1];
    }
    case 'MaxPool': case 'AveragePool': case 'LpPool': {
      const k = kernelOf(node, shapeOf);
      return k ? outElems * product(k) : outElems;
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool': case 'GlobalLpPool':
      return in0 ? sizeOf(in0) : 0;
    case 'BatchNormalization':
      return 2 * outElems;
    case 'Softmax': case 'LogSoftmax':
      return 5 * outElems;
    case 'ArgMax': case 'ArgMin':
      return in0 ? sizeOf(in0) : 0;
    default:
      if (NORMALISATION.has(op)) return 5 * outElems;
      if (op.startsWith('Reduce')) return in0 ? sizeOf(in0) : 0;
      return outElems;
  }
}

/** The receptive field state of a node's outputs from its inputs' states. */
function nodeRf(node: Node, rf: Map<string, RfState>, shapeOf: (n: string) => number[] | null): RfState | undefined {
  const op = node.opType;
  // Convolution and pooling read their window from input 0 only (the rest are weights).
  const sources = SPATIAL_WINDOW.has(op) || op === 'ConvTranspose' || GLOBAL_POOL.has(op) ? [node.inputs[0]] : node.inputs;
  const states = sources.map((x) => (x ? rf.get(x) : undefined)).filter((s): s is RfState => !!s);
  if (!states.length) return undefined;
  let s = combine(states);
  const in0 = shapeOf(node.inputs[0]);
  const inSpatial = in0 && in0.length === s.r.length + 2;

  if (SPATIAL_WINDOW.has(op) || op === 'ConvTranspose') {
    const k = kernelOf(node, shapeOf);
    if (k) {
      s = resize(s, k.length);
      const strides = ints(node, 'strides') ?? k.map(() => 1);
      const dil = ints(node, 'dilations') ?? k.map(() => 1);
      if (op === 'ConvTranspose') {
        // A transposed convolution upsamples: the output's jump is the input's divided by the
        // stride, and its window of k taps is spaced by that finer jump.
        const j = s.j.map((j, i) => j / (strides[i] ?? 1));
        s = { ...s, r: s.r.map((r, i) => r + (k[i] - 1) * (dil[i] ?? 1) * j[i]), j };
      } else {
        s = {
          ...s,
          r: s.r.map((r, i) => r + (k[i] - 1) * (dil[i] ?? 1) * s.j[i]),
          j: s.j.map((j, i) => j * (strides[i] ?? 1)),
        };
      }
    }
  } else if (GLOBAL_POOL.has(op)) {
    s = { ...s, r: [...s.extent], j: inSpatial ? s.j.map((j, i) => j * in0[i + 2]) : s.j };
  } else if (op === 'SpaceToDepth' || op === 'DepthToSpace') {
    const b = typeof node.attributes.blocksize === 'number' ? node.attributes.blocksize : 1;
    if (op === 'SpaceToDepth') s = { ...s, r: s.r.map((r, i) => r + (b - 1) * s.j[i]), j: s.j.map((j) => j * b) };
    else s = { ...s, j: s.j.map((j) => j / b) };
  } else if (op === 'Resize' || op === 'Upsample') {
    // Resampling changes the pixel spacing by in/out per axis; the field itself is unchanged
    // (nearest) or grows by less than one output pixel (linear), which we neglect.
    const out = shapeOf(node.outputs[0]);
    if (inSpatial && out && out.length === in0.length) s = { ...s, j: s.j.map((j, i) => (j * in0[i + 2]) / out[i + 2]) };
  } else if (MIXING.has(op) && !inSpatial) {
    // A dense layer on a flattened map mixes every position of it.
    s = { ...s, r: [...s.extent] };
  }

  // The whole-map extent follows the output's spatial size when it still has spatial axes.
  const out = shapeOf(node.outputs[0]);
  if (out && out.length === s.r.length + 2) {
    s = { ...s, extent: s.r.map((r, i) => r + (out[i + 2] - 1) * s.j[i]) };
  }
  return s;
}

/** Elementwise max over the inputs' states (a DAG join). */
function combine(states: RfState[]): RfState {
  const n = Math.max(...states.map((s) => s.r.length));
  const all = states.map((s) => resize(s, n));
  const max = (f: (s: RfState) => number[]) => Array.from({ length: n }, (_, i) => Math.max(...all.map((s) => f(s)[i])));
  return { r: max((s) => s.r), j: max((s) => s.j), extent: max((s) => s.extent) };
}

/** Adapts a state to another number of spatial axes (a reshape between 1-D and 2-D maps):
 * every new axis gets the largest value of the old ones. */
function resize(s: RfState, n: number): RfState {
  if (s.r.length === n) return s;
  const widen = (xs: number[]) => Array.from({ length: n }, () => Math.max(...xs));
  return { r: widen(s.r), j: widen(s.j), extent: widen(s.extent) };
}
