// Mul (ONNX opset 1/6/7/13/14): C = A * B with numpy broadcasting; float and integer tensors.
// Integer products wrap in i32 on the GPU; the host saturates (int64 values are held saturated).
import { binaryOp } from './binary.js';

export const Mul = binaryOp({ opType: 'Mul', wgsl: 'a * b', wgslInt: 'a * b', host: (a, b) => a * b });
