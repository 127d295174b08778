// ReduceL2 (ONNX opset 1/11/13/18): sqrt of the sum of x^2 over `axes` (attribute before opset
// 18, input from 18; see reduce.ts); F.normalize exports it. Float tensors on the GPU.
import { reduceOp } from './reduce.js';

export const ReduceL2 = reduceOp({
  opType: 'ReduceL2',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v * v',
  combine: 'acc + v',
  final: 'sqrt(acc)',
  host: { init: 0, map: (v) => v * v, combine: (s, v) => s + v, final: (s) => Math.sqrt(s) },
});
