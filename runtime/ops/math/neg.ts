// Neg (ONNX opset 1/6/13): y = -x, on float and signed integer tensors.
import { unaryOp } from '../activation/unary.js';

export const Neg = unaryOp({ opType: 'Neg', wgsl: '-v', wgslInt: '-v', host: (v) => -v });
