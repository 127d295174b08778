// Slice (ONNX opset 1/10/11/13): takes starts[i]:ends[i]:steps[i] along axes[i]. Before opset 10
// starts/ends/axes are attributes; from opset 10 they are inputs 1-4 (axes and steps optional,
// steps may be negative). Per the spec, negative starts/ends count from the back, then starts
// clamp to [0, dim] (to [0, dim-1] for negative steps) and ends to [0, dim] ([-1, dim-1] for
// negative steps). INT64_MAX/INT64_MIN sentinels arrive saturated to ±(2^31-1) and clamp the
// same way. One strided copy: the source strides are multiplied by the steps.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInts } from '../attributes.js';
import { constInts, dataLike, fail, normAxes } from './util.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface SliceAttrs {
  starts: number[];
  ends: number[];
  axes?: number[];
  steps?: number[];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function sliceBox(node: Node, shape: number[], a: SliceAttrs): StridedBox {
  const rank = shape.length;
  const k = a.starts.length;
  if (a.ends.length !== k) fail(node, `starts has ${k} values, ends ${a.ends.length}`);
  const axes = normAxes(node, a.axes ?? Array.from({ length: k }, (_, i) => i), rank);
  if (axes.length !== k) fail(node, `axes has ${axes.length} values, starts ${k}`);
  const steps = a.steps ?? new Array<number>(k).fill(1);
  if (steps.length !== k) fail(node, `steps has ${steps.length} values, starts ${k}`);
  const inStrides = stridesOf(shape);
  const out = [...shape];
  const srcStrides = [...inStrides];
  let srcOffset = 0;
  axes.forEach((axis, i) => {
    const dim = shape[axis];
    const step = steps[i];
    if (step === 0) fail(node, `step of axis ${axis} is 0`);
    let start = a.starts[i] < 0 ? a.starts[i] + dim : a.starts[i];
    let end = a.ends[i] < 0 ? a.ends[i] + dim : a.ends[i];
    if (step > 0) {
      start = clamp(start, 0, dim);
      end = clamp(end, 0, dim);
    } else {
      start = clamp(start, 0, dim - 1);
      end = clamp(end, -1, dim - 1);
    }
    const n = Math.max(0, Math.ceil((end - start) / step));
    out[axis] = n;
    if (n > 0) srcOffset += start * inStrides[axis];
    srcStrides[axis] = inStrides[axis] * step;
  });
  return { shape: out, srcOffset: sizeOf(out) > 0 ? srcOffset : 0, srcStrides, dstOffset: 0, dstStrides: stridesOf(out) };
}

export const Slice: OpDef<SliceAttrs> = {
  opType: 'Slice',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1, 2, 3, 4],
  parse(ctx) {
    const node = ctx.node;
    if (ctx.opset < 10) {
      const starts = attrInts(node, 'starts');
      const ends = attrInts(node, 'ends');
      if (!starts || !ends) fail(node, 'the "starts" and "ends" attributes are required');
      return { starts, ends, axes: attrInts(node, 'axes') };
    }
    const starts = constInts(ctx, 1, 'starts');
    const ends = constInts(ctx, 2, 'ends');
    if (!starts || !ends) fail(node, 'inputs 1 ("starts") and 2 ("ends") are required');
    return { starts, ends, axes: constInts(ctx, 3, 'axes'), steps: constInts(ctx, 4, 'steps') };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: sliceBox(ctx.node, x.shape, a).shape }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const box = sliceBox(ctx.node, x.dims, a);
    const data = dataLike(x.data, sizeOf(box.shape));
    stridedCopyHost(x.data, data, box);
    return [{ dtype: x.dtype, dims: box.shape, data }];
  },
  gpu(k, a) {
    stridedCopyGpu(k, k.input(0), k.output(0), sliceBox(k.node, k.inputs[0]!.shape, a), 'slice');
  },
};
