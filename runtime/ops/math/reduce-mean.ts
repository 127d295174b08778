// ReduceMean (ONNX opset 1/11/13/18): the mean over `axes` (attribute before opset 18, input
// from 18; see reduce.ts). Float tensors on the GPU; integer constants fold on the host.
import { reduceOp } from './reduce.js';

export const ReduceMean = reduceOp({
  opType: 'ReduceMean',
  axesInputSince: 18,
  init: 'T(0)',
  map: 'v',
  combine: 'acc + v',
  final: 'acc / f32(count)',
  host: { init: 0, map: (v) => v, combine: (s, v) => s + v, final: (s, n) => s / n },
});
