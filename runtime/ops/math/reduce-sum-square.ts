// ReduceSumSquare (ONNX opset 1/11/13/18): sum of x^2 over `axes` (attribute before opset 18,
// input from 18; see reduce.ts). Float and integer tensors.
import { reduceOp } from './reduce.js';

export const ReduceSumSquare = reduceOp({
  opType: 'ReduceSumSquare',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v * v',
  combine: 'acc + v',
  final: 'acc',
  ints: true,
  host: { init: 0, map: (v) => v * v, combine: (s, v) => s + v, final: (s) => s },
});
