// Sigmoid (ONNX opset 1/6/13): y = 1 / (1 + exp(-x)).
// Evaluated through e = exp(-|x|) <= 1 so that nothing overflows: 1 / (1 + e) for x >= 0 and
// e / (1 + e) for x < 0 (the naive form gives inf/inf = NaN or loses the tail for large |x|).
import { unaryOp } from './unary.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const SIGMOID_WGSL = 'select(exp(-abs(v)) / (1.0 + exp(-abs(v))), 1.0 / (1.0 + exp(-abs(v))), v >= 0.0)';

export const Sigmoid = unaryOp({
  opType: 'Sigmoid',
  wgsl: SIGMOID_WGSL,
  host: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
});
