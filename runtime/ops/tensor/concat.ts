// Concat (ONNX opset 1/4/11/13): joins tensors along `axis` (default 1 in opset 1, required
// from opset 4, negative from opset 11). Every other dim must match. One strided copy per
// non-empty input into its slab of the output; float, integer and bool data alike.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { dataLike, fail } from './util.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface ConcatAttrs {
  axis?: number;
}

function concatPlan(node: Node, shapes: number[][], attrAxis: number | undefined): { shape: number[]; boxes: StridedBox[] } {
  if (!shapes.length) fail(node, 'needs at least one input');
  if (attrAxis === undefined) fail(node, 'the "axis" attribute is required');
  const rank = shapes[0].length;
  const axis = attrAxis < 0 ? attrAxis + rank : attrAxis;
  if (axis < 0 || axis >= rank) fail(node, `axis ${attrAxis} is out of range for rank ${rank}`);
  for (const s of shapes) {
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== shapes[0][i])) {
      fail(node, `inputs must match in every dim but axis ${axis}`, Object.fromEntries(shapes.map((sh, i) => [`input${i}`, sh])));
    }
  }
  const shape = [...shapes[0]];
  shape[axis] = shapes.reduce((a, s) => a + s[axis], 0);
  const outStrides = stridesOf(shape);
  let at = 0;
  const boxes = shapes.map((s) => {
    const box = { shape: s, srcOffset: 0, srcStrides: stridesOf(s), dstOffset: at * outStrides[axis], dstStrides: outStrides };
    at += s[axis];
    return box;
  });
  return { shape, boxes };
}

export const Concat: OpDef<ConcatAttrs> = {
  opType: 'Concat',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse(ctx) {
    // Opset 1 defaulted axis to 1; from opset 4 it is required (checked in concatPlan).
    if (ctx.opset < 4) return { axis: attrInt(ctx.node, 'axis', 1) };
    return { axis: ctx.node.attributes.axis === undefined ? undefined : attrInt(ctx.node, 'axis', 0) };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const xs = inputs.map((x, i) => x ?? fail(ctx.node, `input ${i} is missing`));
    if (xs.some((x) => x.dtype !== xs[0].dtype)) fail(ctx.node, `inputs have different types (${xs.map((x) => x.dtype).join(', ')})`);
    return [{ dtype: xs[0].dtype, shape: concatPlan(ctx.node, xs.map((x) => x.shape), a.axis).shape }];
  },
  cpu(inputs, a, ctx) {
    const xs = inputs.map((x) => x!);
    const p = concatPlan(ctx.node, xs.map((x) => x.dims), a.axis);
    const data = dataLike(xs[0].data, sizeOf(p.shape));
    xs.forEach((x, i) => stridedCopyHost(x.data, data, p.boxes[i]));
    return [{ dtype: xs[0].dtype, dims: p.shape, data }];
  },
  gpu(k, a) {
    const p = concatPlan(k.node, k.inputs.map((x) => x!.shape), a.axis);
    p.boxes.forEach((box, i) => {
      // Inputs the planner placed in their slice already (Concat elision) need no copy.
      if (sizeOf(box.shape) > 0 && !k.inPlace(i)) stridedCopyGpu(k, k.input(i), k.output(0), box, `input${i}`);
    });
  },
};
