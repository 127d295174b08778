// Flatten (ONNX opset 1/9/11/13/21): reshapes to 2-D [d0·…·d(axis-1), d(axis)·…·d(n-1)].
// axis defaults to 1 and may equal the rank (output [N, 1]); negative axes count from the back
// (opset 11). A view: output 0 shares input 0's buffer.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { fail, reshapedHost } from './util.js';

interface FlattenAttrs {
  axis: number;
}

function flatDims(node: Node, shape: number[], axis: number): number[] {
  const r = shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) fail(node, `axis ${axis} is out of range for rank ${r} (allowed [-${r}, ${r}])`, { input: shape });
  return [sizeOf(shape.slice(0, a)), sizeOf(shape.slice(a))];
}

export const Flatten: OpDef<FlattenAttrs> = {
  opType: 'Flatten',
  view: true,
  parse: (ctx) => ({ axis: attrInt(ctx.node, 'axis', 1) }),
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: flatDims(ctx.node, x.shape, a.axis) }];
  },
  cpu: (inputs, a, ctx) => [reshapedHost(inputs[0]!, flatDims(ctx.node, inputs[0]!.dims, a.axis))],
};
