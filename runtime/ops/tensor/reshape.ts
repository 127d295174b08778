// Reshape (ONNX opset 1/5/13/14/19/21): the same elements under a new shape. Opset 1 takes the
// target shape from the `shape` attribute, opset 5 on from input 1. Per the spec, a 0 copies the
// input's dim at the same index (unless allowzero=1, opset 14, where 0 means an empty dim) and
// one -1 is inferred from the element count. A view: output 0 shares input 0's buffer.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt, attrInts } from '../attributes.js';
import { constInts, fail, reshapedHost } from './util.js';

interface ReshapeAttrs {
  shape: number[];
  allowzero: boolean;
}

export function reshapeDims(node: Node, input: number[], shape: number[], allowzero: boolean): number[] {
  const out = shape.map((d, i) => {
    if (d === 0 && !allowzero) {
      if (i >= input.length) fail(node, `shape [${shape.join(',')}] copies dim ${i} with 0, but the input has rank ${input.length}`);
      return input[i];
    }
    if (d < -1) fail(node, `shape [${shape.join(',')}] has an invalid dim ${d}`);
    return d;
  });
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1) fail(node, `shape [${shape.join(',')}] has more than one -1`);
  const total = sizeOf(input);
  if (inferred === 1) {
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    // allowzero with both 0 and -1 is invalid per the spec; so is a -1 next to an empty dim.
    if (known === 0 || total % known !== 0) fail(node, `cannot infer the -1 of shape [${shape.join(',')}] for ${total} elements`, { input });
    out[out.indexOf(-1)] = total / known;
  }
  if (sizeOf(out) !== total) fail(node, `shape [${shape.join(',')}] (${sizeOf(out)} elements) does not match the input's ${total} elements`, { input });
  return out;
}

export const Reshape: OpDef<ReshapeAttrs> = {
  opType: 'Reshape',
  shapeInputs: [1],
  view: true,
  parse(ctx) {
    const shape = ctx.opset < 5 ? attrInts(ctx.node, 'shape') : constInts(ctx, 1, 'shape');
    if (!shape) fail(ctx.node, ctx.opset < 5 ? 'the "shape" attribute is required' : 'input 1 ("shape") is required');
    return { shape, allowzero: attrInt(ctx.node, 'allowzero', 0) !== 0 };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: reshapeDims(ctx.node, x.shape, a.shape, a.allowzero) }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    return [reshapedHost(x, reshapeDims(ctx.node, x.dims, a.shape, a.allowzero))];
  },
};
