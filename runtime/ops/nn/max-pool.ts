// MaxPool (ONNX opset 1/8/10/11/12): the largest value of each kernel_shape window over 1-D, 2-D
// or 3-D inputs, with strides (default 1), pads, auto_pad, dilations (opset 10+) and ceil_mode
// (opset 10+; the last window must start inside the input or its left padding). Opset 12 adds
// int8 and uint8 inputs (run as i32 on the GPU). The optional second output Indices (opset 8+,
// int64, the shape of Y) holds the position of each maximum in X flattened with its batch and
// channel offset: (n*C + c)*prod(spatial) + the spatial offset, row-major, or column-major when
// storage_order = 1 (for [H, W]: h + w*H). Ties go to the first tap in row-major window order.
import { attrInt } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { parsePoolWindow, poolOp, type PoolAttrs } from './pool.js';

interface MaxPoolAttrs extends PoolAttrs {
  /** storage_order = 1: column-major Indices. */
  colMajor: boolean;
}

export const MaxPool = poolOp<MaxPoolAttrs>({
  opType: 'MaxPool',
  packedInt8: true,
  parse: (ctx) => {
    const storageOrder = attrInt(ctx.node, 'storage_order', 0);
    if (storageOrder !== 0 && storageOrder !== 1) {
      throw new ShapeError(`storage_order ${storageOrder} is not 0 (row-major) or 1 (column-major)`, { op: ctx.node.opType, node: ctx.node.name });
    }
    return { ...parsePoolWindow(ctx), colMajor: storageOrder === 1 };
  },
  dtypes: ['float32', 'float16', 'int8', 'uint8'],
  indices: 'int64',
  defines: (a) => ({ MAX: true, COL_MAJOR: a.colMajor }),
  variant: 'max',
});
