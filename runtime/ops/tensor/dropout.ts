// Dropout (ONNX opset 1/6/7/10/12/13/22) at inference: output = input, a view with no copy.
// Older forms (is_test, ratio, consumed_inputs attributes) are accepted and mean the same at
// inference. From opset 12, ratio and training_mode are inputs; training_mode must be absent or
// a constant false, since random dropout is a training-time behaviour. The optional mask output
// (written by one fill dispatch, only when the model names it) is bool from opset 10 and of the
// input's type before. From opset 12 (whose reference implementation defines it) it is all true,
// every element kept. Before, the spec leaves the test-mode mask open and onnxruntime, the
// reference, writes zeros (false); we match it.
import type { OpDef, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { dispatchFill } from './fill-kernel.js';
import { fail, reshapedHost } from './util.js';

interface DropoutAttrs {
  /** dtype of the mask: bool from opset 10, the input's type before. */
  maskBool: boolean;
  /** The mask's value: 1 (true) from opset 12, 0 before. */
  maskValue: number;
}

function maskType(inputs: (TypeShape | undefined)[], a: DropoutAttrs): TypeShape {
  return { dtype: a.maskBool ? 'bool' : inputs[0]!.dtype, shape: [...inputs[0]!.shape] };
}

export const Dropout: OpDef<DropoutAttrs> = {
  opType: 'Dropout',
  packedInt8: true,
  view: true,
  float16: true,
  packedF16: true,
  parse(ctx) {
    if (ctx.opset >= 12 && ctx.has(2)) {
      const t = ctx.constant(2);
      if (!t) fail(ctx.node, 'a runtime training_mode input is not supported', undefined, 'Fovea runs inference: set training_mode to a constant false');
      if (t.data[0]) fail(ctx.node, 'training_mode=true is not supported', undefined, 'Fovea runs inference: export the model in eval mode');
    }
    return { maskBool: ctx.opset >= 10, maskValue: ctx.opset >= 12 ? 1 : 0 };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    const out: TypeShape[] = [{ dtype: x.dtype, shape: [...x.shape] }];
    if (ctx.node.outputs.length > 1) out.push(maskType(inputs, a));
    return out;
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const out = [reshapedHost(x, x.dims)];
    if (ctx.node.outputs.length > 1) {
      const m = maskType(inputs.map((t) => t && { dtype: t.dtype, shape: t.dims }), a);
      const mask = makeHost(m.dtype, m.shape);
      mask.data.fill(a.maskValue);
      out.push(mask);
    }
    return out;
  },
  // Output 0 is the view; this only writes the mask, when it is requested.
  gpu(k, a) {
    if (!k.node.outputs[1]) return;
    const m = k.outputs[1];
    dispatchFill(k, k.output(1), m.dtype, sizeOf(m.shape), a.maskValue, 'mask');
  },
};
