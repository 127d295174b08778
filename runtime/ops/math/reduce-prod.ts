// ReduceProd (ONNX opset 1/11/13/18): the product over `axes` (attribute before opset 18, input
// from 18; see reduce.ts). Float and integer tensors (PyTorch shape code multiplies dims with it).
import { reduceOp } from './reduce.js';

export const ReduceProd = reduceOp({
  opType: 'ReduceProd',
  axesInputSince: 18,
  init: 'T(1)',
  map: 'v',
  combine: 'acc * v',
  final: 'acc',
  ints: true,
  host: { init: 1, map: (v) => v, combine: (p, v) => p * v, final: (p) => p },
});
