// QLinearAveragePool (onnxruntime contrib op, com.microsoft): AveragePool's window (kernel_shape,
// strides, pads, auto_pad, ceil_mode, count_include_pad; no dilations) over a quantized X, the
// mean requantised with y's scale and zero point (per tensor); channels_last (default 0): X and
// Y are NHWC. 1-D and 2-D pools. Window geometry: runtime/ops/nn/window.ts.
import type { OpDef, TypeShape } from '../types.js';
import { attrInt } from '../attributes.js';
import { as2d, parseWindowAttrs, resolveWindow, type Window, type WindowAttrs } from '../nn/window.js';
import type { Node } from '../../ir/types.js';
import { MS_DOMAIN } from './eltwise.js';
import { channelsLast, checkPoolInputs, dispatchQPool, nchw } from './pool-common.js';
import { fail } from './util.js';

interface Attrs {
  window: WindowAttrs;
  last: boolean;
  countIncludePad: boolean;
}

function resolve(node: Node, x: TypeShape, a: Attrs): Window {
  const [, , H, W] = nchw(x.shape, a.last);
  const spatial = x.shape.length === 3 ? [W] : [H, W];
  return resolveWindow(node, a.window, spatial, a.window.kernelShape!);
}

export const QLinearAveragePool: OpDef<Attrs> = {
  opType: 'QLinearAveragePool',
  packedInt8: true,
  domain: MS_DOMAIN,
  parse(ctx) {
    const window = parseWindowAttrs(ctx.node);
    if (!window.kernelShape) fail(ctx.node, 'kernel_shape is required');
    if (window.dilations?.some((d) => d !== 1)) fail(ctx.node, 'QLinearAveragePool has no dilations');
    return { window, last: channelsLast(ctx), countIncludePad: attrInt(ctx.node, 'count_include_pad', 0) !== 0 };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = checkPoolInputs(ctx, inputs);
    const w = resolve(ctx.node, x, a);
    const [N, C] = nchw(x.shape, a.last);
    const shape = a.last ? [N, ...w.out, C] : [N, C, ...w.out];
    return [{ dtype: inputs[4]?.dtype ?? x.dtype, shape }];
  },
  gpu(k, a) {
    const w = as2d(resolve(k.node, k.inputs[0]!, a));
    dispatchQPool(k, a.last, {
      KH: w.kernel[0], KW: w.kernel[1], stride: [w.strides[0], w.strides[1]], padBegin: [w.padsBegin[0], w.padsBegin[1]],
      padEnd: [w.padsEnd[0], w.padsEnd[1]], OH: w.out[0], OW: w.out[1],
    }, a.countIncludePad);
  },
};
