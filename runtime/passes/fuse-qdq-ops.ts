// Fuses the QDQ form of the quantized non-conv ops into onnxruntime's com.microsoft QLinear* ops,
// as onnxruntime's QDQ transformer does on its CPU provider (Unary-, Binary- and
// VariadicNodeGroupSelector, onnxruntime/core/optimizer/qdq_transformer/selectors_actions/):
//   DequantizeLinear(a_q, a_scale, a_zp) ─┐
//   [DequantizeLinear(b_q, b_scale, b_zp) ─┤ …]  Op ─ QuantizeLinear(y_scale, y_zp) ─ y_q
// with Op -> Add: QLinearAdd, Mul: QLinearMul, Sigmoid: QLinearSigmoid, LeakyRelu: QLinearLeakyRelu,
// GlobalAveragePool: QLinearGlobalAveragePool, Concat: QLinearConcat (their input orders below).
// Why: the float path rounds the float result / y_scale, onnxruntime's kernels round their own
// f32 forms (runtime/ops/quant/q-linear-add.ts: with the scale ratios of exactly 1/2 that residual
// adds get, half of all outputs are ties) or integer sums (QLinearGlobalAveragePool), and the two
// disagree by a step wherever they round differently: measured on PP-OCR det's int8-qdq form as
// up to 0.66 on its [0, 1] text map before this pass.
// Only where onnxruntime fuses and the ops compute the same thing: every DQ input and the Q
// output of one 8-bit type, constant per-tensor scales and zero points, the op's output read by
// the QuantizeLinear alone (and no graph output). remove-dead-nodes drops DequantizeLinear nodes
// left unused (one still read elsewhere stays, as onnxruntime duplicates shared DQ nodes).
import type { Graph, Node } from '../ir/types.js';
import { compact, externalNames, producerIndex, singleUse, useCounts, type RewriteOptions } from './graph-edit.js';
import { perTensorParams, qdq, type Init } from './fuse-qdq.js';

/** Quantized operand: [q value, scale, zero point] names. */
type Operand = [string, string, string];

interface Fusion {
  op: string;
  arity: 'unary' | 'binary' | 'variadic';
  inputs: (xs: Operand[], y: [string, string]) => string[];
  /** Attributes of the fused node from the float node's (default: none). */
  attrs?: (n: Node) => Node['attributes'];
}

const unary = (op: string, attrs?: Fusion['attrs']): Fusion => ({ op, arity: 'unary', inputs: ([x], y) => [...x, ...y], attrs });

const FUSIONS: Record<string, Fusion> = {
  Add: { op: 'QLinearAdd', arity: 'binary', inputs: ([a, b], y) => [...a, ...b, ...y] },
  Mul: { op: 'QLinearMul', arity: 'binary', inputs: ([a, b], y) => [...a, ...b, ...y] },
  Sigmoid: unary('QLinearSigmoid'),
  LeakyRelu: unary('QLinearLeakyRelu', (n): Node['attributes'] => (n.attributes.alpha !== undefined ? { alpha: n.attributes.alpha } : {})),
  GlobalAveragePool: unary('QLinearGlobalAveragePool', () => ({ channels_last: 0 })),
  Concat: { op: 'QLinearConcat', arity: 'variadic', inputs: (xs, y) => [...y, ...xs.flat()], attrs: (n): Node['attributes'] => (n.attributes.axis !== undefined ? { axis: n.attributes.axis } : {}) },
};

export function fuseQdqOps(g: Graph, o: RewriteOptions = {}): Graph {
  const init: Init = (name) => (name ? g.initializers.get(name) : undefined);
  const prod = producerIndex(g);
  const uses = useCounts(g);
  const external = externalNames(g, o);
  const readers = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => x && readers.set(x, i)));
  const nodes: (Node | null)[] = [...g.nodes];
  const dropped = new Set<string>();
  /** The 8-bit type of a Q/DQ node: its zero point's (uint8 when absent, the ONNX default). */
  const q8 = (n: Node) => (n.inputs[2] ? init(n.inputs[2])?.dtype : 'uint8');
  g.nodes.forEach((op, oi) => {
    const f = FUSIONS[op.opType];
    if (!f || op.domain !== '' || Object.keys(op.attributes).some((a) => a.startsWith('fovea.'))) return;
    const want = f.arity === 'unary' ? 1 : f.arity === 'binary' ? 2 : op.inputs.length;
    if (op.inputs.length !== want || want === 0 || op.inputs.some((x) => !x)) return;
    const y = op.outputs[0];
    if (!singleUse(y, uses, external)) return;
    const qi = readers.get(y)!;
    const q = g.nodes[qi];
    if (!qdq(q, 'QuantizeLinear') || q.inputs[0] !== y || q.attributes.output_dtype) return;
    const yp = perTensorParams(q, init);
    const t = q8(q);
    if (!yp || (t !== 'uint8' && t !== 'int8')) return;
    const xs: Operand[] = [];
    for (const x of op.inputs) {
      const dq = g.nodes[prod.get(x) ?? -1];
      if (!qdq(dq, 'DequantizeLinear') || q8(dq) !== t) return;
      const p = perTensorParams(dq, init);
      if (!p) return;
      xs.push([dq.inputs[0], ...p]);
    }
    nodes[oi] = { name: op.name, opType: f.op, domain: 'com.microsoft', inputs: f.inputs(xs, yp), outputs: [q.outputs[0]], attributes: f.attrs?.(op) ?? {} };
    nodes[qi] = null;
    dropped.add(y);
  });
  if (!dropped.size) return g;
  const values = new Map(g.values);
  for (const v of dropped) values.delete(v);
  return { ...g, nodes: compact(nodes), values };
}
