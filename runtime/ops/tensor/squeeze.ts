// Squeeze (ONNX opset 1/11/13/21): removes dims of size 1. The axes come from the `axes`
// attribute before opset 13 and from optional input 1 from opset 13; without axes every size-1
// dim goes. Naming a dim that is not 1 is an error per the spec. A view: no dispatch.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { attrInts } from '../attributes.js';
import { constInts, fail, normAxes, reshapedHost } from './util.js';

interface SqueezeAttrs {
  axes?: number[];
}

function squeezeDims(node: Node, shape: number[], axes: number[] | undefined): number[] {
  if (!axes) return shape.filter((d) => d !== 1);
  const drop = new Set(normAxes(node, axes, shape.length));
  for (const a of drop) if (shape[a] !== 1) fail(node, `cannot squeeze axis ${a} of size ${shape[a]}`, { input: shape });
  return shape.filter((_, i) => !drop.has(i));
}

export const Squeeze: OpDef<SqueezeAttrs> = {
  opType: 'Squeeze',
  shapeInputs: [1],
  view: true,
  parse: (ctx) => ({ axes: ctx.opset < 13 ? attrInts(ctx.node, 'axes') : constInts(ctx, 1, 'axes') }),
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: squeezeDims(ctx.node, x.shape, a.axes) }];
  },
  cpu: (inputs, a, ctx) => [reshapedHost(inputs[0]!, squeezeDims(ctx.node, inputs[0]!.dims, a.axes))],
};
