// Mean (ONNX opset 1/6/8/13): elementwise mean of any number of float tensors, with numpy
// broadcasting (opset 8+). See variadic.ts.
import { variadicOp } from './variadic.js';

export const Mean = variadicOp({ opType: 'Mean', wgsl: 'a + b', host: (a, b) => a + b, mean: true });
