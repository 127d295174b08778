// HardSwish (ONNX opset 14): y = x * max(0, min(1, x / 6 + 0.5)) (HardSigmoid with alpha 1/6).
import { unaryOp } from './unary.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const HARD_SWISH_WGSL = 'v * max(0.0, min(1.0, v / 6.0 + 0.5))';

export const HardSwish = unaryOp({
  opType: 'HardSwish',
  wgsl: HARD_SWISH_WGSL,
  host: (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)),
});
