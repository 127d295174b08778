// GlobalAveragePool (ONNX opset 1): the mean over all spatial dims, output (N, C, 1, ..., 1).
import { globalPoolOp } from './global-pool.js';

export const GlobalAveragePool = globalPoolOp('GlobalAveragePool', false);
