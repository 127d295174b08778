// MaxPool (ONNX opset 1/8/10/11/12): the largest value of each kernel_shape window, with strides
// (default 1), pads, auto_pad, dilations (opset 10+) and ceil_mode (opset 10+; the last window
// must start inside the input or its left padding). storage_order only affects the Indices
// output, which Fovea does not produce: a node that asks for Indices is rejected.
import { ShapeError } from '../../errors.js';
import { parsePoolWindow, poolOp } from './pool.js';

export const MaxPool = poolOp({
  opType: 'MaxPool',
  parse: (ctx) => parsePoolWindow(ctx),
  check(node) {
    if (node.outputs[1]) {
      throw new ShapeError('the optional Indices output of MaxPool is not supported', {
        op: node.opType,
        node: node.name,
        hint: 'remove the second output from the node',
      });
    }
  },
  defines: () => ({ MAX: true }),
  variant: 'max',
});
