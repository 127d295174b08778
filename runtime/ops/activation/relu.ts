// Relu (ONNX opset 1/6/13/14): y = max(x, 0). Opset 14 added integer types.
import { unaryOp } from './unary.js';

export const Relu = unaryOp({ opType: 'Relu', wgsl: 'max(v, 0.0)', wgslInt: 'max(v, 0)', host: (v) => Math.max(v, 0) });
