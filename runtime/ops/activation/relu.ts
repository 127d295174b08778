// Relu (ONNX opset 1/6/13/14): y = max(x, 0). Opset 14 added integer types.
import { unaryOp } from './unary.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const RELU_WGSL = 'max(v, 0.0)';

export const Relu = unaryOp({ opType: 'Relu', wgsl: RELU_WGSL, wgslInt: 'max(v, 0)', host: (v) => Math.max(v, 0) });
