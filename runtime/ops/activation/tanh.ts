// Tanh (ONNX opset 1/6/13). The input is clamped to [-10, 10] first: tanh(±10) is ±1 in f32
// already, and some WGSL implementations evaluate tanh through exp(2x) and return NaN (inf/inf)
// for large |x|.
import { unaryOp } from './unary.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const TANH_WGSL = 'tanh(clamp(v, -10.0, 10.0))';

export const Tanh = unaryOp({ opType: 'Tanh', wgsl: TANH_WGSL, host: (v) => Math.tanh(v) });
