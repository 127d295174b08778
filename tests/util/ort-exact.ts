// The oracle's integer products made exact on every x86 CPU.
//
// onnxruntime's CPU kernels (MLAS) multiply uint8 by int8 with VPMADDUBSW where the CPU has no
// VNNI (AVX2, AVX-512 before VNNI): it adds each pair of adjacent products in int16 and saturates
// (onnxruntime PR #12088 and issue #6004; oneDNN's "Nuances of int8 computations"). Measured on an
// AVX2 EPYC: MatMulInteger of 8 × 255 (uint8) by 8 × 127 (int8) gives 131068 = 4 · 32767 instead
// of 259080, while uint8 × uint8 and int8 × int8 are exact. The ONNX spec has no such saturation
// and Fovea has none, so the model onnxruntime runs re-encodes the weight operand of every integer
// product with the activation's signedness: w ± 128 and its zero point ± 128, which leaves every
// (w − zw) and so every result unchanged. Fovea still runs the original file; only the oracle's
// copy changes. Sessions with graph optimisations on (QDQ groups fused into QLinear* kernels)
// also get onnxruntime's own fix for constant weights, `session.x64quantprecision`.
import { onnx } from '../../loaders/onnx/proto.js';
import type { onnx as P } from 'onnx-proto';

const U8 = 2;
const I8 = 3;
const I32 = 6;

/** Session config entries for onnxruntime-node (SessionOptions.extra). */
export const EXACT_ORT_EXTRA = { session: { x64quantprecision: '1' } };

/** Where each integer product's activation (x), weight (w) and weight zero point (wzp) are. */
const PRODUCTS: Record<string, { x: number; w: number; wzp: number }> = {
  ConvInteger: { x: 0, w: 1, wzp: 3 },
  MatMulInteger: { x: 0, w: 1, wzp: 3 },
  QLinearConv: { x: 0, w: 3, wzp: 5 },
  QLinearMatMul: { x: 0, w: 3, wzp: 5 },
  QGemm: { x: 0, w: 3, wzp: 5 },
};

/** Ops whose 8-bit output has the type of their output zero point (input index), when present. */
const ZP_TYPED: Record<string, number> = {
  QuantizeLinear: 2,
  QLinearConv: 7,
  QLinearMatMul: 7,
  QGemm: 8,
  QLinearAdd: 7,
  QLinearMul: 7,
  QLinearConcat: 1,
  QLinearGlobalAveragePool: 4,
  QLinearAveragePool: 4,
  QLinearSigmoid: 4,
  QLinearLeakyRelu: 4,
};

/** Ops whose outputs have their first input's type (what converters put between 8-bit ops). */
const SAME_TYPE = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Split', 'Concat', 'Pad', 'MaxPool', 'Resize', 'Upsample', 'Gather', 'Tile', 'Expand', 'DepthToSpace', 'SpaceToDepth', 'Relu']);

function elemTypes(g: P.IGraphProto): Map<string, number> {
  const t = new Map<string, number>();
  for (const v of [...(g.input ?? []), ...(g.valueInfo ?? []), ...(g.output ?? [])]) {
    const e = v.type?.tensorType?.elemType;
    if (v.name && e) t.set(v.name, e);
  }
  for (const i of g.initializer ?? []) if (i.name && i.dataType) t.set(i.name, i.dataType);
  for (const n of g.node ?? []) {
    const op = n.opType ?? '';
    const ins = n.input ?? [];
    let type: number | undefined;
    if (op === 'DynamicQuantizeLinear') type = U8;
    else if (op === 'QuantizeLinear') {
      const attr = n.attribute?.find((a) => a.name === 'output_dtype');
      type = attr?.i ? Number(attr.i) : ins[2] ? t.get(ins[2]) : U8;
    } else if (op in ZP_TYPED) type = ins[ZP_TYPED[op]] ? t.get(ins[ZP_TYPED[op]]) : undefined;
    else if (SAME_TYPE.has(op) && ins[0]) type = t.get(ins[0]);
    if (type === undefined) continue;
    // DynamicQuantizeLinear: y and y_zero_point are uint8, y_scale float.
    const outs = op === 'DynamicQuantizeLinear' ? [n.output?.[0], n.output?.[2]] : (n.output ?? []);
    for (const o of outs) if (o && !t.has(o)) t.set(o, type);
  }
  return t;
}

function values(p: P.ITensorProto): number[] {
  if (p.int32Data?.length) return p.int32Data.map(Number);
  const raw = p.rawData ?? new Uint8Array(0);
  return p.dataType === I8 ? Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength)) : Array.from(raw);
}

/** The model with every mixed-signedness integer product re-encoded as above (the same bytes
 * when it has none). */
export function exactIntegerProducts(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g?.node?.some((n) => (n.opType ?? '') in PRODUCTS)) return model;
  const types = elemTypes(g);
  const inits = new Map((g.initializer ?? []).map((i) => [i.name ?? '', i]));
  const nodes: P.INodeProto[] = [];
  let fresh = 0;
  let changed = false;
  for (const n of g.node) {
    const where = PRODUCTS[n.opType ?? ''];
    const ins = [...(n.input ?? [])];
    const xt = where && types.get(ins[where.x]);
    const wt = where && types.get(ins[where.w]);
    if (!where || !xt || !wt || xt === wt || ![U8, I8].includes(xt) || ![U8, I8].includes(wt)) {
      nodes.push(n);
      continue;
    }
    const delta = xt === U8 ? 128 : -128;
    /** `name` (of type wt) re-encoded in xt: a new initializer, or Cast → Add → Cast nodes. */
    const reencode = (name: string): string => {
      const out = `${name}__exact${fresh++}`;
      const init = inits.get(name);
      if (init) {
        g.initializer!.push({ name: out, dims: init.dims, dataType: xt, int32Data: values(init).map((v) => v + delta) });
      } else {
        const wide = `${out}_i32`;
        const d = `${out}_delta`;
        const sum = `${out}_sum`;
        g.initializer!.push({ name: d, dims: [], dataType: I32, int32Data: [delta] });
        nodes.push({ opType: 'Cast', input: [name], output: [wide], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: I32 }] });
        nodes.push({ opType: 'Add', input: [wide, d], output: [sum] });
        nodes.push({ opType: 'Cast', input: [sum], output: [out], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: xt }] });
      }
      return out;
    };
    ins[where.w] = reencode(ins[where.w]);
    if (ins[where.wzp]) ins[where.wzp] = reencode(ins[where.wzp]);
    else {
      // An absent zero point is 0 of w's type: delta in the new one.
      while (ins.length < where.wzp) ins.push('');
      const zp = `${n.name ?? 'node'}__exact_zp${fresh++}`;
      g.initializer!.push({ name: zp, dims: [], dataType: xt, int32Data: [delta] });
      ins[where.wzp] = zp;
    }
    nodes.push({ ...n, input: ins });
    changed = true;
  }
  if (!changed) return model;
  g.node = nodes;
  return onnx.ModelProto.encode(m).finish();
}
