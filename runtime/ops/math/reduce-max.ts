// ReduceMax (ONNX opset 1/11/12/13/18): the maximum over `axes` (attribute before opset 18,
// input from 18; see reduce.ts). Float and integer tensors.
import { reduceOp } from './reduce.js';

export const ReduceMax = reduceOp({
  opType: 'ReduceMax',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v',
  combine: 'max(acc, v)',
  final: 'acc',
  idempotent: true,
  ints: true,
  host: { init: -Infinity, map: (v) => v, combine: (m, v) => Math.max(m, v), final: (m) => m },
});
