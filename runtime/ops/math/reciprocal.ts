// Reciprocal (ONNX opset 1/6/13): y = 1 / x.
import { unaryOp } from '../activation/unary.js';

export const Reciprocal = unaryOp({ opType: 'Reciprocal', wgsl: '1.0 / v', host: (v) => 1 / v });
