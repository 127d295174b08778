// HardSwish (ONNX opset 14): y = x * max(0, min(1, x / 6 + 0.5)) (HardSigmoid with alpha 1/6).
import { unaryOp } from './unary.js';

export const HardSwish = unaryOp({
  opType: 'HardSwish',
  wgsl: 'v * max(0.0, min(1.0, v / 6.0 + 0.5))',
  host: (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)),
});
