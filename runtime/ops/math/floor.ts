// Floor (ONNX opset 1/6/13): the largest integer <= x, on float tensors.
import { unaryOp } from '../activation/unary.js';

export const Floor = unaryOp({ opType: 'Floor', wgsl: 'floor(v)', host: (v) => Math.floor(v) });
