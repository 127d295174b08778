// ReduceMin (ONNX opset 1/11/12/13/18): the minimum over `axes` (attribute before opset 18,
// input from 18; see reduce.ts). Float and integer tensors.
import { reduceOp } from './reduce.js';

export const ReduceMin = reduceOp({
  opType: 'ReduceMin',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v',
  combine: 'min(acc, v)',
  final: 'acc',
  idempotent: true,
  ints: true,
  host: { init: Infinity, map: (v) => v, combine: (m, v) => Math.min(m, v), final: (m) => m },
});
