// Div (ONNX opset 1/6/7/13/14): C = A / B with numpy broadcasting. Integer division truncates
// toward zero, as onnxruntime's (C++) does and as WGSL's i32 `/` does; PyTorch exports its
// floor division of shape values as Div on non-negative int64, where the two agree.
import { binaryOp } from './binary.js';

export const Div = binaryOp({
  opType: 'Div',
  wgsl: 'a / b',
  wgslInt: 'a / b',
  host: (a, b) => a / b,
  hostInt: (a, b) => (b === 0 ? a : Math.trunc(a / b)),
});
