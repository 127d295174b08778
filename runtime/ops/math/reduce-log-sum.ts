// ReduceLogSum (ONNX opset 1/11/13/18): log of the sum over `axes` (attribute before opset 18,
// input from 18; see reduce.ts). Float tensors.
import { reduceOp } from './reduce.js';

export const ReduceLogSum = reduceOp({
  opType: 'ReduceLogSum',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v',
  combine: 'acc + v',
  final: 'log(acc)',
  host: { init: 0, map: (v) => v, combine: (s, v) => s + v, final: (s) => Math.log(s) },
});
