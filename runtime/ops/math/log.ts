// Log (ONNX opset 1/6/13): natural logarithm; -inf at 0, NaN below.
import { unaryOp } from '../activation/unary.js';

export const Log = unaryOp({ opType: 'Log', wgsl: 'log(v)', host: (v) => Math.log(v) });
