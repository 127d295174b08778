// Split (ONNX opset 1/2/11/13/18): cuts a tensor along `axis` (default 0, negative from 11)
// into the node's outputs. The sizes come from the `split` attribute before opset 13 and from
// optional input 1 from opset 13; opset 18's `num_outputs` gives ceil(dim/n)-sized parts with a
// smaller last one; otherwise the dim is split equally across the outputs (it must divide).
// Opset 1 also allowed the sizes as input 1. One strided copy per output.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInt, attrInts } from '../attributes.js';
import { constInts, dataLike, fail } from './util.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface SplitAttrs {
  axis: number;
  split?: number[];
  numOutputs?: number;
}

function splitPlan(node: Node, shape: number[], a: SplitAttrs): StridedBox[] {
  const rank = shape.length;
  const axis = a.axis < 0 ? a.axis + rank : a.axis;
  if (axis < 0 || axis >= rank) fail(node, `axis ${a.axis} is out of range for rank ${rank}`);
  const dim = shape[axis];
  const outs = node.outputs.length;
  let sizes: number[];
  if (a.split) {
    sizes = a.split;
    if (sizes.length !== outs) fail(node, `split [${sizes.join(',')}] has ${sizes.length} parts for ${outs} outputs`);
  } else if (a.numOutputs !== undefined) {
    if (a.numOutputs !== outs) fail(node, `num_outputs=${a.numOutputs} but the node has ${outs} outputs`);
    const chunk = Math.ceil(dim / outs);
    sizes = Array.from({ length: outs }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  } else {
    if (dim % outs !== 0) fail(node, `dim ${dim} of axis ${axis} does not split equally into ${outs} outputs`, { input: shape }, 'give the "split" sizes');
    sizes = new Array<number>(outs).fill(dim / outs);
  }
  if (sizes.some((s) => s < 0) || sizes.reduce((x, y) => x + y, 0) !== dim) {
    fail(node, `split sizes [${sizes.join(',')}] do not add up to dim ${dim} of axis ${axis}`, { input: shape });
  }
  const inStrides = stridesOf(shape);
  let at = 0;
  return sizes.map((s) => {
    const out = [...shape];
    out[axis] = s;
    const box = { shape: out, srcOffset: at * inStrides[axis], srcStrides: inStrides, dstOffset: 0, dstStrides: stridesOf(out) };
    at += s;
    return box;
  });
}

export const Split: OpDef<SplitAttrs> = {
  opType: 'Split',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1],
  parse(ctx) {
    const node = ctx.node;
    const axis = attrInt(node, 'axis', 0);
    if (ctx.opset >= 13) {
      const numOutputs = ctx.opset >= 18 && node.attributes.num_outputs !== undefined ? attrInt(node, 'num_outputs', 0) : undefined;
      const split = constInts(ctx, 1, 'split');
      if (split && numOutputs !== undefined) fail(node, 'give either the "split" input or num_outputs, not both');
      return { axis, split, numOutputs };
    }
    return { axis, split: attrInts(node, 'split') ?? (ctx.opset < 2 ? constInts(ctx, 1, 'split') : undefined) };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return splitPlan(ctx.node, x.shape, a).map((b) => ({ dtype: x.dtype, shape: b.shape }));
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    return splitPlan(ctx.node, x.dims, a).map((b) => {
      const data = dataLike(x.data, sizeOf(b.shape));
      stridedCopyHost(x.data, data, b);
      return { dtype: x.dtype, dims: b.shape, data };
    });
  },
  gpu(k, a) {
    splitPlan(k.node, k.inputs[0]!.shape, a).forEach((b, i) => {
      if (k.node.outputs[i]) stridedCopyGpu(k, k.input(0), k.output(i), b, `output${i}`);
    });
  },
};
