// ArgMin (ONNX opset 1/11/12/13): int64 indices of the smallest elements along `axis`; see arg-reduce.ts.
import { argReduceOp } from './arg-reduce.js';

export const ArgMin = argReduceOp('ArgMin');
