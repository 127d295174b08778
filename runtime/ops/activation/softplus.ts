// Softplus (ONNX opset 1): y = log(1 + exp(x)), evaluated as max(x, 0) + log(1 + exp(-|x|)) so
// that exp never overflows. For |x| > 16, log(1 + e) with e = exp(-|x|) < 1.2e-7 is e to f32
// precision, while 1 + e would round to 1 and lose it.
import { unaryOp } from './unary.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const SOFTPLUS_WGSL = 'max(v, 0.0) + select(log(1.0 + exp(-abs(v))), exp(-abs(v)), abs(v) > 16.0)';

export const Softplus = unaryOp({
  opType: 'Softplus',
  wgsl: SOFTPLUS_WGSL,
  host: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))),
});
