// Sum (ONNX opset 1/6/8/13): elementwise sum of any number of float tensors, with numpy
// broadcasting (opset 8+). See variadic.ts.
import { variadicOp } from './variadic.js';

export const Sum = variadicOp({ opType: 'Sum', wgsl: 'a + b', host: (a, b) => a + b });
