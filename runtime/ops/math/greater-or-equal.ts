// GreaterOrEqual (ONNX opset 12/16): elementwise a >= b with numpy broadcasting, bool output.
import { compareOp } from './compare.js';

export const GreaterOrEqual = compareOp({ opType: 'GreaterOrEqual', cond: 'a >= b', host: (a, b) => a >= b, numeric: true, bool: false });
