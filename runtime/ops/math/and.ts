// And (ONNX opset 1/7): elementwise logical and of two bool tensors, numpy broadcasting.
import { compareOp } from './compare.js';

export const And = compareOp({ opType: 'And', cond: 'a != 0 && b != 0', host: (a, b) => a !== 0 && b !== 0, numeric: false, bool: true });
