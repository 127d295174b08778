// Or (ONNX opset 1/7): elementwise logical or of two bool tensors, numpy broadcasting.
import { compareOp } from './compare.js';

export const Or = compareOp({ opType: 'Or', cond: 'a != 0 || b != 0', host: (a, b) => a !== 0 || b !== 0, numeric: false, bool: true });
