// PRelu (ONNX opset 1/6/7/9/16): y = x for x >= 0, slope * x otherwise, with the slope
// broadcast unidirectionally to X (opset >= 7: numpy rules, the output has X's shape).
// Before opset 7 the spec had no numpy broadcasting: a slope of size 1 is shared, and the
// converters of that era (Caffe2, Caffe) emitted per-channel slopes of shape [C]; such a slope is
// read as [C, 1, ..., 1] against X of shape [N, C, ...], as those frameworks meant.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import { isFloat } from '../../ir/types.js';
import { broadcastShapes } from '../attributes.js';
import { dispatchBinary, hostBinary } from '../math/binary.js';
import { isIntegerType } from './unary.js';
import { ShapeError } from '../../errors.js';

interface PReluAttrs {
  /** Opset < 7: a 1-D slope of length C is per channel. */
  channelSlope: boolean;
}

/** The slope's shape as broadcast against X (see the note on opset < 7 above). */
function slopeShape(a: PReluAttrs, x: readonly number[], slope: readonly number[]): number[] {
  if (a.channelSlope && slope.length === 1 && x.length > 2 && slope[0] === x[1] && slope[0] !== x[x.length - 1]) {
    return [slope[0], ...new Array<number>(x.length - 2).fill(1)];
  }
  return [...slope];
}

function check(ctx: OpContext, a: PReluAttrs, x: TypeShape, slope: TypeShape): number[] {
  const s = slopeShape(a, x.shape, slope.shape);
  const out = broadcastShapes(ctx.node, x.shape, s);
  if (out.length !== x.shape.length || out.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError('slope must broadcast unidirectionally to X', { op: ctx.node.opType, node: ctx.node.name, shapes: { X: x.shape, slope: slope.shape } });
  }
  return s;
}

export const PRelu: OpDef<PReluAttrs> = {
  opType: 'PRelu',
  float16: true,
  packedF16: true,
  parse: (ctx) => ({ channelSlope: ctx.opset < 7 }),
  infer: (inputs, a, ctx) => {
    const [x, slope] = inputs;
    if (!x || !slope) throw new ShapeError('inputs X and slope are required', { op: ctx.node.opType, node: ctx.node.name });
    if (x.dtype !== slope.dtype || !(isFloat(x.dtype) || isIntegerType(x.dtype))) {
      throw new ShapeError(`X (${x.dtype}) and slope (${slope.dtype}) must have one numeric type`, { op: ctx.node.opType, node: ctx.node.name });
    }
    check(ctx, a, x, slope);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  cpu: (inputs, a) => {
    const [x, slope] = [inputs[0]!, inputs[1]!];
    const s = slopeShape(a, x.dims, slope.dims);
    return [hostBinary(x, x.dims, slope, s, x.dims, x.dtype, (v, a) => (v >= 0 ? v : a * v))];
  },
  gpu(k, a) {
    const [x, slope] = k.inputs as TypeShape[];
    const int = !isFloat(x.dtype);
    dispatchBinary(k, {
      opType: 'PRelu',
      expr: int ? 'select(a * b, a, a >= 0)' : 'select(a * b, a, a >= 0.0)',
      int,
      bInt: int,
      aShape: x.shape,
      bShape: slopeShape(a, x.shape, slope.shape),
      outShape: x.shape,
    });
  },
};
