// Unsqueeze (ONNX opset 1/11/13/21): inserts size-1 dims. The axes (required) come from the
// `axes` attribute before opset 13 and from input 1 from opset 13; they index the output, whose
// rank is the input's plus the number of axes, and may be negative (opset 11). A view.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { attrInts } from '../attributes.js';
import { constInts, fail, normAxes, reshapedHost } from './util.js';

interface UnsqueezeAttrs {
  axes: number[];
}

function unsqueezeDims(node: Node, shape: number[], axes: number[]): number[] {
  const rank = shape.length + axes.length;
  const ones = new Set(normAxes(node, axes, rank));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(ones.has(i) ? 1 : shape[next++]);
  return out;
}

export const Unsqueeze: OpDef<UnsqueezeAttrs> = {
  opType: 'Unsqueeze',
  shapeInputs: [1],
  view: true,
  parse(ctx) {
    const axes = ctx.opset < 13 ? attrInts(ctx.node, 'axes') : constInts(ctx, 1, 'axes');
    if (!axes) fail(ctx.node, ctx.opset < 13 ? 'the "axes" attribute is required' : 'input 1 ("axes") is required');
    return { axes };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: unsqueezeDims(ctx.node, x.shape, a.axes) }];
  },
  cpu: (inputs, a, ctx) => [reshapedHost(inputs[0]!, unsqueezeDims(ctx.node, inputs[0]!.dims, a.axes))],
};
