// Exp (ONNX opset 1/6/13): y = e^x (inf once x exceeds log(FLT_MAX) ~ 88.7, as in f32 on the host).
import { unaryOp } from '../activation/unary.js';

export const Exp = unaryOp({ opType: 'Exp', wgsl: 'exp(v)', host: (v) => Math.exp(v) });
