// Folds an inference BatchNormalization into the Conv, ConvTranspose or Gemm that produces its
// input. BN computes, per output channel c,
//   y = s[c] * (x - mean[c]) / sqrt(var[c] + eps) + B[c] = f[c] * x + (B[c] - mean[c] * f[c]),
//   f[c] = s[c] / sqrt(var[c] + eps),
// and x = W * input + b is linear in the weights, so with
//   W'[c, ...] = W[c, ...] * f[c]   and   b'[c] = (b[c] - mean[c]) * f[c] + B[c]
// the producer alone computes y: one dispatch and one pass over the activation fewer.
// The new weights are computed in float64 on the host and stored as float32 initializers under
// new names (the old ones may be shared, and remove-dead-nodes drops them when they are not).
// Output channel c is:
//   Conv          W [M, C/group, k...]: row c;
//   ConvTranspose W [C, M/group, k...]: column j of the rows of group g, c = g * M/group + j;
//   Gemm          Y [rows, N] = alpha * A'B' + beta * C: column c of B' (a column of B, or a row of
//                 B when transB = 1); C becomes C' = f * beta * C + (B - mean * f), with beta 1.
// Only when it is exact and safe: BN's X is read by the BN alone and is no graph output (nor a
// kept value); scale, B, mean, var and the producer's weights and bias are constant float32;
// the BN is per channel (spatial, or rank 2); the producer carries no fused epilogue yet.
// A BN that does not qualify (e.g. after a Relu or a graph input) stays a BatchNormalization.
import type { Graph, HostTensor, Node } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import { getOp } from '../ops/registry.js';
import { makeOpContext } from '../ops/context.js';
import { attrFloat, attrInt } from '../ops/attributes.js';
import { ACTIVATION_ATTR, RESIDUAL_ATTR } from '../ir/fovea-attributes.js';
import { addInitializer, compact, externalNames, freshName, hasFovea, producerIndex, singleUse, useCounts, type RewriteOptions } from './graph-edit.js';

const PRODUCERS = new Set(['Conv', 'ConvTranspose', 'Gemm']);

/** f[c] and the shift B[c] - mean[c] * f[c] of a BN, in float64. */
interface Affine {
  f: Float64Array;
  shift: Float64Array;
}

function constFloat(g: Graph, name: string | undefined): HostTensor | undefined {
  if (!name) return undefined;
  const t = g.initializers.get(name);
  return t && t.dtype === 'float32' ? t : undefined;
}

/** The BN's per-channel affine map, when its parameters are constant and per channel of `channels`. */
function bnAffine(g: Graph, bn: Node, channels: number, rank: number): Affine | undefined {
  const op = getOp('', 'BatchNormalization');
  if (!op || bn.domain !== '' || bn.outputs.slice(1).some(Boolean)) return undefined;
  let attrs: { epsilon: number; spatial: boolean };
  try {
    attrs = op.parse(makeOpContext(bn, g.opsets[bn.domain] ?? g.opset, g.initializers));
  } catch {
    return undefined; // training mode and the like: left to the op's own errors
  }
  if (!attrs.spatial && rank !== 2) return undefined;
  const params = bn.inputs.slice(1, 5).map((x) => constFloat(g, x));
  if (params.length !== 4 || params.some((p) => !p || p.data.length !== channels)) return undefined;
  const [scale, bias, mean, variance] = params.map((p) => p!.data);
  const f = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    f[c] = Number(scale[c]) / Math.sqrt(Number(variance[c]) + attrs.epsilon);
    shift[c] = Number(bias[c]) - Number(mean[c]) * f[c];
  }
  return { f, shift };
}

/** b'[c] = b[c] * f[c] + shift[c] (b = 0 when absent). */
function foldedBias(b: HostTensor | undefined, a: Affine): Float32Array {
  const out = new Float32Array(a.f.length);
  for (let c = 0; c < out.length; c++) out[c] = (b ? Number(b.data[c]) : 0) * a.f[c] + a.shift[c];
  return out;
}

interface Folded {
  /** The producer's new inputs: the weight and the bias/C replaced by new initializer names. */
  inputs: string[];
  attributes: Node['attributes'];
  initializers: [number, HostTensor][];
}

/** Conv: W [M, Cg, k...], output channel = row. ConvTranspose: W [C, Mg, k...], channel = g*Mg + j. */
function foldConv(g: Graph, p: Node, a: Affine, transposed: boolean): Folded | undefined {
  const w = constFloat(g, p.inputs[1]);
  const b = p.inputs[2] ? constFloat(g, p.inputs[2]) : undefined;
  if (!w || w.dims.length < 3 || (p.inputs[2] && !b)) return undefined;
  const M = a.f.length;
  const inner = sizeOf(w.dims.slice(2));
  const w2 = new Float32Array(w.data.length);
  if (!transposed) {
    if (w.dims[0] !== M) return undefined;
    const row = w.data.length / M;
    for (let c = 0; c < M; c++) for (let i = 0; i < row; i++) w2[c * row + i] = Number(w.data[c * row + i]) * a.f[c];
  } else {
    const group = attrInt(p, 'group', 1);
    const [C, Mg] = w.dims;
    if (group < 1 || C % group !== 0 || Mg * group !== M) return undefined;
    const Cg = C / group;
    for (let ci = 0; ci < C; ci++) {
      const g0 = Math.floor(ci / Cg) * Mg;
      for (let j = 0; j < Mg; j++) {
        const f = a.f[g0 + j];
        const base = (ci * Mg + j) * inner;
        for (let i = 0; i < inner; i++) w2[base + i] = Number(w.data[base + i]) * f;
      }
    }
  }
  if (b && b.data.length !== M) return undefined;
  return {
    inputs: [p.inputs[0], '', ''],
    attributes: p.attributes,
    initializers: [
      [1, { dtype: 'float32', dims: [...w.dims], data: w2 }],
      [2, { dtype: 'float32', dims: [M], data: foldedBias(b, a) }],
    ],
  };
}

/** Gemm: scales the columns of B' and rewrites C as C' = f * beta * C + shift, with beta = 1. */
function foldGemm(g: Graph, p: Node, a: Affine, rows: number): Folded | undefined {
  const bw = constFloat(g, p.inputs[1]);
  if (!bw || bw.dims.length !== 2) return undefined;
  const N = a.f.length;
  const transB = attrInt(p, 'transB', 0) !== 0;
  const [K, n] = transB ? [bw.dims[1], bw.dims[0]] : bw.dims;
  if (n !== N) return undefined;
  const b2 = new Float32Array(bw.data.length);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < N; c++) {
      const i = transB ? c * K + k : k * N + c;
      b2[i] = Number(bw.data[i]) * a.f[c];
    }
  }
  const beta = attrFloat(p, 'beta', 1);
  const useC = !!p.inputs[2] && beta !== 0;
  const c = useC ? constFloat(g, p.inputs[2]) : undefined;
  if (useC && !c) return undefined;
  // C broadcasts to [rows, N] (unidirectionally): a per-row C keeps a full [rows, N] C'.
  let cNew: HostTensor;
  if (c && c.dims.length === 2 && c.dims[0] !== 1) {
    const cols = c.dims[1];
    const data = new Float32Array(rows * N);
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < N; col++) data[r * N + col] = a.f[col] * beta * Number(c.data[r * cols + (cols === 1 ? 0 : col)]) + a.shift[col];
    }
    cNew = { dtype: 'float32', dims: [rows, N], data };
  } else {
    const data = new Float32Array(N);
    const cols = c ? c.data.length : 0;
    for (let col = 0; col < N; col++) data[col] = (c ? a.f[col] * beta * Number(c.data[cols === 1 ? 0 : col]) : 0) + a.shift[col];
    cNew = { dtype: 'float32', dims: [N], data };
  }
  const attributes: Node['attributes'] = { ...p.attributes, beta: 1.0 };
  // Before opset 7, a C other than a full [M, N] needs broadcast = 1.
  if ((g.opsets[p.domain] ?? g.opset) < 7) attributes.broadcast = 1;
  return {
    inputs: [p.inputs[0], '', ''],
    attributes,
    initializers: [
      [1, { dtype: 'float32', dims: [...bw.dims], data: b2 }],
      [2, cNew],
    ],
  };
}

export function foldBatchNorm(g: Graph, o: RewriteOptions = {}): Graph {
  const external = externalNames(g, o);
  const uses = useCounts(g);
  const producer = producerIndex(g);
  const nodes: (Node | null)[] = [...g.nodes];
  const values = new Map(g.values);
  const initializers = new Map(g.initializers);
  const taken = new Set<string>();
  let changed = false;
  g.nodes.forEach((bn, i) => {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '') return;
    const x = bn.inputs[0];
    const pi = x ? producer.get(x) : undefined;
    const p = pi === undefined ? null : nodes[pi];
    if (!p || p.domain !== '' || !PRODUCERS.has(p.opType) || p.outputs[0] !== x) return;
    if (!singleUse(x, uses, external) || hasFovea(p, ACTIVATION_ATTR) || hasFovea(p, RESIDUAL_ATTR)) return;
    const xv = g.values.get(x);
    const yv = g.values.get(bn.outputs[0]);
    if (!xv?.shape || xv.dtype !== 'float32' || yv?.dtype !== 'float32' || xv.shape.length < 2) return;
    const affine = bnAffine(g, bn, xv.shape[1], xv.shape.length);
    if (!affine) return;
    const folded = p.opType === 'Gemm' ? foldGemm(g, p, affine, xv.shape[0]) : foldConv(g, p, affine, p.opType === 'ConvTranspose');
    if (!folded) return;
    const inputs = [...folded.inputs];
    for (const [slot, t] of folded.initializers) {
      const name = freshName(g, `${p.name || x}/bn_folded_${slot === 1 ? 'W' : 'B'}`, taken);
      addInitializer(values, initializers, name, t);
      inputs[slot] = name;
    }
    // The producer takes the BN's place (its inputs are all earlier) and writes the BN's output.
    nodes[pi!] = null;
    nodes[i] = { ...p, inputs, outputs: [bn.outputs[0], ...p.outputs.slice(1)], attributes: folded.attributes };
    values.delete(x);
    changed = true;
  });
  return changed ? { ...g, nodes: compact(nodes), values, initializers } : g;
}
