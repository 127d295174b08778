// Tanh (ONNX opset 1/6/13). The input is clamped to [-10, 10] first: tanh(±10) is ±1 in f32
// already, and some WGSL implementations evaluate tanh through exp(2x) and return NaN (inf/inf)
// for large |x|.
import { unaryOp } from './unary.js';

export const Tanh = unaryOp({ opType: 'Tanh', wgsl: 'tanh(clamp(v, -10.0, 10.0))', host: (v) => Math.tanh(v) });
