// Max (ONNX opset 1/6/8/12/13): elementwise maximum of any number of tensors, with numpy
// broadcasting (opset 8+); integer types since opset 12. See variadic.ts.
import { variadicOp } from './variadic.js';

export const Max = variadicOp({ opType: 'Max', wgsl: 'max(a, b)', wgslInt: 'max(a, b)', host: (a, b) => Math.max(a, b) });
