// Gather (ONNX opset 1/11/13): picks slices of `data` along `axis` (default 0, negative from
// opset 11) at `indices` (int32 or int64, negative counting from the back, constant or runtime).
// Output shape: data.shape[:axis] + indices.shape + data.shape[axis+1:]; 0-D indices drop the axis.
import { halfTag, moveType } from '../../gpu/elements.js';
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { dataLike, fail } from './util.js';

const GATHER_WG = 256;

interface GatherAttrs {
  axis: number;
}

interface GatherPlan {
  out: number[];
  outer: number;
  axisDim: number;
  inner: number;
  nidx: number;
}

function gatherPlan(node: Node, data: number[], indices: number[], attrAxis: number): GatherPlan {
  const rank = data.length;
  if (rank === 0) fail(node, 'data must have rank >= 1', { data });
  const axis = attrAxis < 0 ? attrAxis + rank : attrAxis;
  if (axis < 0 || axis >= rank) fail(node, `axis ${attrAxis} is out of range for rank ${rank}`, { data });
  return {
    out: [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)],
    outer: sizeOf(data.slice(0, axis)),
    axisDim: data[axis],
    inner: sizeOf(data.slice(axis + 1)),
    nidx: sizeOf(indices),
  };
}

export const Gather: OpDef<GatherAttrs> = {
  opType: 'Gather',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: (ctx) => ({ axis: attrInt(ctx.node, 'axis', 0) }),
  infer(inputs, a, ctx): TypeShape[] {
    const [x, idx] = inputs;
    if (!x || !idx) fail(ctx.node, 'needs data and indices');
    if (idx.dtype !== 'int32' && idx.dtype !== 'int64') fail(ctx.node, `indices must be int32 or int64, got ${idx.dtype}`);
    return [{ dtype: x.dtype, shape: gatherPlan(ctx.node, x.shape, idx.shape, a.axis).out }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const idx = inputs[1]!;
    const p = gatherPlan(ctx.node, x.dims, idx.dims, a.axis);
    const data = dataLike(x.data, sizeOf(p.out));
    let w = 0;
    for (let o = 0; o < p.outer; o++) {
      for (let j = 0; j < p.nidx; j++) {
        let k = Number(idx.data[j]);
        if (k < 0) k += p.axisDim;
        if (k < 0 || k >= p.axisDim) fail(ctx.node, `index ${idx.data[j]} is out of range for a dim of ${p.axisDim}`);
        const base = (o * p.axisDim + k) * p.inner;
        for (let r = 0; r < p.inner; r++) data[w++] = x.data[base + r];
      }
    }
    return [{ dtype: x.dtype, dims: p.out, data }];
  },
  gpu(k, a) {
    const p = gatherPlan(k.node, k.inputs[0]!.shape, k.inputs[1]!.shape, a.axis);
    const n = sizeOf(p.out);
    if (n === 0) return;
    // Constant indices are checked here; runtime ones that fall outside the axis read as 0.
    const c = k.constant(1);
    if (c) {
      for (const v of c.data) {
        if (v < -p.axisDim || v >= p.axisDim) fail(k.node, `index ${v} is out of range for a dim of ${p.axisDim}`);
      }
    }
    k.dispatch({
      shader: 'gather',
      variant: `gather${halfTag(moveType(k.inputs[0]!.dtype, k.limits), ' ')}`,
      defines: { WG: GATHER_WG, E: moveType(k.inputs[0]!.dtype, k.limits) },
      bindings: { data: k.input(0), indices: k.input(1), y: k.output(0) },
      uniforms: { n, inner: p.inner, nidx: p.nidx, axis_dim: p.axisDim },
      workgroups: grid(Math.ceil(n / GATHER_WG), k.limits),
    });
  },
};
