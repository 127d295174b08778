// Ceil (ONNX opset 1/6/13): the smallest integer >= x, on float tensors.
import { unaryOp } from '../activation/unary.js';

export const Ceil = unaryOp({ opType: 'Ceil', wgsl: 'ceil(v)', host: (v) => Math.ceil(v) });
