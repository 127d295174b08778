// Less (ONNX opset 1/7/9/13): elementwise a < b with numpy broadcasting, bool output.
import { compareOp } from './compare.js';

export const Less = compareOp({ opType: 'Less', cond: 'a < b', host: (a, b) => a < b, numeric: true, bool: false });
