// LpPool (ONNX opset 1/2/11/18/22): y = (sum over the window of |x|^p)^(1/p) over 1-D or 2-D
// windows of [N, C, ...] (kernel_shape required; strides, pads, auto_pad; dilations and
// ceil_mode from opset 18). p is a float attribute in opset 1 and an int (default 2) since 2.
// Padding contributes nothing to the sum. Window geometry is shared with Conv and the other
// pools (nn/window.ts); one dispatch of shaders/lp-pool.wgsl.
import type { OpDef, TypeShape } from '../types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { attrFloat } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { as2d, parseWindowAttrs, resolveWindow, spatial2d, type WindowAttrs } from '../nn/window.js';
import { fail } from '../tensor/util.js';
import type { Node } from '../../ir/types.js';

interface LpPoolAttrs {
  window: WindowAttrs;
  p: number;
}

const LP_WG = 128;

function geometry(node: Node, a: LpPoolAttrs, x: readonly number[]) {
  if (x.length !== 3 && x.length !== 4) fail(node, `1-D and 2-D pools are supported ([N, C, L] or [N, C, H, W]), not rank ${x.length}`, { X: x });
  if (!a.window.kernelShape) fail(node, 'the "kernel_shape" attribute is required');
  return resolveWindow(node, a.window, x.slice(2), a.window.kernelShape);
}

export const LpPool: OpDef<LpPoolAttrs> = {
  opType: 'LpPool',
  float16: true,
  packedF16: true,
  parse(ctx) {
    const p = attrFloat(ctx.node, 'p', 2);
    if (!(p > 0)) fail(ctx.node, `p = ${p} must be positive`);
    const window = parseWindowAttrs(ctx.node);
    if (ctx.opset < 18 && (window.dilations || window.ceilMode)) fail(ctx.node, 'dilations and ceil_mode need opset 18');
    return { window, p };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) fail(ctx.node, 'input X is required');
    if (!isFloat(x.dtype)) fail(ctx.node, `input type ${x.dtype} is not supported: this op takes float tensors`);
    const w = geometry(ctx.node, a, x.shape);
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...w.out] }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!.shape;
    const w = as2d(geometry(k.node, a, x));
    const [inH, inW] = spatial2d(x);
    const n = sizeOf(k.outputs[0].shape);
    if (n === 0) return;
    const S = storageOf(k.inputs[0]!.dtype, k.limits);
    k.dispatch({
      shader: 'lp-pool',
      variant: `LpPool${halfTag(S)}`,
      defines: { WG: LP_WG, S },
      bindings: { x: k.input(0), y: k.output(0) },
      uniforms: {
        n,
        in_h: inH,
        in_w: inW,
        out_h: w.out[0],
        out_w: w.out[1],
        p: a.p,
        kernel: w.kernel,
        strides: w.strides,
        dilations: w.dilations,
        pads: w.padsBegin,
      },
      workgroups: grid(Math.ceil(n / LP_WG), k.limits),
    });
  },
};
