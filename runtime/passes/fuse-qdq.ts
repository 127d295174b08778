// Fuses the QDQ form of a quantized convolution into one integer kernel:
//   DequantizeLinear(x_q, x_scale, x_zp) ─┐
//   DequantizeLinear(W_q const, w_scale, w_zp) ─ Conv ─ QuantizeLinear(y_scale, y_zp) ─ y_q
//   [DequantizeLinear(B int32 const, x_scale*w_scale, 0)] ─┘
// becomes QLinearConv(x_q, x_scale, x_zp, W_q, w_scale, w_zp, y_scale, y_zp, [B]) with the Conv's
// attributes (ONNX QLinearConv computes exactly the dequantize-conv-quantize of this pattern, in
// integers: runtime/ops/quant/q-linear-conv.ts). The float path rounds its f32 sum before the
// quantization, the integer one does not, so a result at a .5 tie may move by one step.
// Only when it is the same computation: scales and zero points are constant initializers, x's
// and y's per tensor, w's per tensor or per output channel (axis 0); the bias, if any, is the
// int32 quantized form (scale x_scale*w_scale in f32, zero point 0); the Conv's float output is
// read by the QuantizeLinear alone and is no graph output (nor kept); the Conv carries no fused
// epilogue. Runs before shape inference, so that the weights' DequantizeLinear is not yet folded
// into a float initializer; remove-dead-nodes drops the DequantizeLinear nodes left unused.
import type { Graph, HostTensor, Node } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import { compact, externalNames, producerIndex, singleUse, useCounts, type RewriteOptions } from './graph-edit.js';

export type Init = (name: string | undefined) => HostTensor | undefined;

const isQ8 = (t: HostTensor | undefined) => !!t && (t.dtype === 'int8' || t.dtype === 'uint8');
const perTensor = (t: HostTensor | undefined) => !!t && t.dims.length <= 1 && sizeOf(t.dims) === 1;

/** A default-domain QDQ node without the opset-21 blocked form. */
export function qdq(n: Node | undefined, op: string): n is Node {
  return !!n && n.opType === op && n.domain === '' && !n.attributes.block_size;
}

/** [scale, zero point] names of a per-tensor Q/DQ node whose parameters are constant, or undefined. */
export function perTensorParams(n: Node, init: Init): [string, string] | undefined {
  const s = init(n.inputs[1]);
  const z = n.inputs[2] ? init(n.inputs[2]) : undefined;
  if (!s || s.dtype !== 'float32' || !perTensor(s)) return undefined;
  if (n.inputs[2] && !(isQ8(z) && perTensor(z))) return undefined;
  return [n.inputs[1], n.inputs[2] ?? ''];
}

export function fuseQdq(g: Graph, o: RewriteOptions = {}): Graph {
  const init: Init = (name) => (name ? g.initializers.get(name) : undefined);
  const prod = producerIndex(g);
  const uses = useCounts(g);
  const external = externalNames(g, o);
  const readers = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => x && readers.set(x, i)));
  const nodes: (Node | null)[] = [...g.nodes];
  const dropped = new Set<string>();
  g.nodes.forEach((conv, ci) => {
    if (conv.opType !== 'Conv' || conv.domain !== '' || Object.keys(conv.attributes).some((a) => a.startsWith('fovea.'))) return;
    const y = conv.outputs[0];
    if (!singleUse(y, uses, external)) return;
    const qi = readers.get(y)!;
    const q = g.nodes[qi];
    const dqx = g.nodes[prod.get(conv.inputs[0]) ?? -1];
    const dqw = g.nodes[prod.get(conv.inputs[1]) ?? -1];
    if (!qdq(q, 'QuantizeLinear') || q.inputs[0] !== y || q.attributes.output_dtype || !qdq(dqx, 'DequantizeLinear') || !qdq(dqw, 'DequantizeLinear')) return;
    const yp = perTensorParams(q, init);
    const xp = perTensorParams(dqx, init);
    const w = init(dqw.inputs[0]);
    const ws = init(dqw.inputs[1]);
    const wz = dqw.inputs[2] ? init(dqw.inputs[2]) : undefined;
    if (!yp || !xp || !isQ8(w) || !ws || ws.dtype !== 'float32' || (dqw.inputs[2] && !isQ8(wz))) return;
    const M = w!.dims[0];
    const axis = Number(dqw.attributes.axis ?? 1);
    const wPerChannel = ws.dims.length === 1 && ws.dims[0] === M && (axis === 0 || axis === -w!.dims.length);
    if (!perTensor(ws) && !wPerChannel) return;
    if (wz && sizeOf(wz.dims) !== sizeOf(ws.dims)) return;
    const inputs = [dqx.inputs[0], xp[0], xp[1], dqw.inputs[0], dqw.inputs[1], dqw.inputs[2] ?? '', yp[0], yp[1]];
    if (conv.inputs[2]) {
      const dqb = g.nodes[prod.get(conv.inputs[2]) ?? -1];
      if (!qdq(dqb, 'DequantizeLinear')) return;
      const b = init(dqb.inputs[0]);
      const bs = init(dqb.inputs[1]);
      const bz = dqb.inputs[2] ? init(dqb.inputs[2]) : undefined;
      const xs = init(xp[0])!.data[0];
      if (!b || b.dtype !== 'int32' || b.dims.length !== 1 || b.dims[0] !== M || !bs || bs.dtype !== 'float32') return;
      if (bz && bz.data.some((v) => v !== 0)) return;
      const n = sizeOf(bs.dims);
      if (n !== 1 && n !== M) return;
      for (let c = 0; c < M; c++) if (bs.data[n === 1 ? 0 : c] !== Math.fround(xs * ws.data[perTensor(ws) ? 0 : c])) return;
      inputs.push(dqb.inputs[0]);
    }
    nodes[ci] = { name: conv.name, opType: 'QLinearConv', domain: '', inputs, outputs: [q.outputs[0]], attributes: { ...conv.attributes } };
    nodes[qi] = null;
    dropped.add(y);
  });
  if (!dropped.size) return g;
  const values = new Map(g.values);
  for (const v of dropped) values.delete(v);
  return { ...g, nodes: compact(nodes), values };
}
