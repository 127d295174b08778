// Sub (ONNX opset 1/6/7/13/14): C = A - B with numpy broadcasting; float and integer tensors.
import { binaryOp } from './binary.js';

export const Sub = binaryOp({ opType: 'Sub', wgsl: 'a - b', wgslInt: 'a - b', host: (a, b) => a - b });
