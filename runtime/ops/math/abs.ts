// Abs (ONNX opset 1/6/13): y = |x|, on float and integer tensors.
import { unaryOp } from '../activation/unary.js';

export const Abs = unaryOp({ opType: 'Abs', wgsl: 'abs(v)', wgslInt: 'abs(v)', host: (v) => Math.abs(v) });
