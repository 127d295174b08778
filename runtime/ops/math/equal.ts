// Equal (ONNX opset 1/7/11/13/19): elementwise a == b with numpy broadcasting, bool output.
// Integer and bool inputs since opset 1, floats since 11 (strings, opset 19, are not supported).
import { compareOp } from './compare.js';

export const Equal = compareOp({ opType: 'Equal', cond: 'a == b', host: (a, b) => a === b, numeric: true, bool: true });
