// Sqrt (ONNX opset 1/6/13): y = sqrt(x); NaN for x < 0.
import { unaryOp } from '../activation/unary.js';

export const Sqrt = unaryOp({ opType: 'Sqrt', wgsl: 'sqrt(v)', host: (v) => Math.sqrt(v) });
