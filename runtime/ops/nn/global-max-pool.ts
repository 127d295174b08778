// GlobalMaxPool (ONNX opset 1): the max over all spatial dims, output (N, C, 1, ..., 1).
import { globalPoolOp } from './global-pool.js';

export const GlobalMaxPool = globalPoolOp('GlobalMaxPool', true);
