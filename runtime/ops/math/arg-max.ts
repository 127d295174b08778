// ArgMax (ONNX opset 1/11/12/13): int64 indices of the largest elements along `axis`; see arg-reduce.ts.
import { argReduceOp } from './arg-reduce.js';

export const ArgMax = argReduceOp('ArgMax');
