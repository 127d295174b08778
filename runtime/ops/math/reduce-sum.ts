// ReduceSum (ONNX opset 1/11/13): the sum over `axes` (attribute before opset 13, input from 13;
// see reduce.ts). Float and integer tensors.
import { reduceOp } from './reduce.js';

export const ReduceSum = reduceOp({
  opType: 'ReduceSum',
  axesInputSince: 13,
  init: 'T(0)',
  map: 'v',
  combine: 'acc + v',
  final: 'acc',
  ints: true,
  host: { init: 0, map: (v) => v, combine: (s, v) => s + v, final: (s) => s },
});
