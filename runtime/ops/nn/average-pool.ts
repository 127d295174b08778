// AveragePool (ONNX opset 1/7/10/11/19): the mean of each kernel_shape window over 1-D, 2-D or
// 3-D float inputs, with strides (default 1), pads, auto_pad, ceil_mode (opset 10+), dilations
// (opset 19) and count_include_pad (opset 7+, default 0): whether padded taps count in the divisor.
import { attrInt } from '../attributes.js';
import { parsePoolWindow, poolOp, type PoolAttrs } from './pool.js';

interface AveragePoolAttrs extends PoolAttrs {
  countIncludePad: boolean;
}

export const AveragePool = poolOp<AveragePoolAttrs>({
  opType: 'AveragePool',
  parse: (ctx) => ({ ...parsePoolWindow(ctx), countIncludePad: attrInt(ctx.node, 'count_include_pad', 0) !== 0 }),
  defines: (a) => ({ MAX: false, COUNT_INCLUDE_PAD: a.countIncludePad }),
  variant: 'average',
});
