// Min (ONNX opset 1/6/8/12/13): elementwise minimum of any number of tensors, with numpy
// broadcasting (opset 8+); integer types since opset 12. See variadic.ts.
import { variadicOp } from './variadic.js';

export const Min = variadicOp({ opType: 'Min', wgsl: 'min(a, b)', wgslInt: 'min(a, b)', host: (a, b) => Math.min(a, b) });
