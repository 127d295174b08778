// QLinearGlobalAveragePool (onnxruntime contrib op, com.microsoft): the mean of each channel's
// image, requantised: y = round((Σx - count·x_zp) · x_scale / (y_scale · count)) + y_zp, per
// tensor. channels_last (default 0) says X is NHWC; the output keeps X's layout with the
// spatial dims 1 ([N, C, 1, 1] or [N, 1, 1, C]).
import type { OpDef, TypeShape } from '../types.js';
import { MS_DOMAIN } from './eltwise.js';
import { channelsLast, checkPoolInputs, dispatchQPool, nchw } from './pool-common.js';

export const QLinearGlobalAveragePool: OpDef<{ last: boolean }> = {
  opType: 'QLinearGlobalAveragePool',
  packedInt8: true,
  domain: MS_DOMAIN,
  parse: (ctx) => ({ last: channelsLast(ctx) }),
  infer(inputs, a, ctx): TypeShape[] {
    const x = checkPoolInputs(ctx, inputs);
    const shape = x.shape.map((d, i) => (i === 0 || i === (a.last ? x.shape.length - 1 : 1) ? d : 1));
    return [{ dtype: inputs[4]?.dtype ?? x.dtype, shape }];
  },
  gpu(k, a) {
    const [, , H, W] = nchw(k.inputs[0]!.shape, a.last);
    dispatchQPool(k, a.last, { KH: H, KW: W, stride: [1, 1], padBegin: [0, 0], padEnd: [0, 0], OH: 1, OW: 1 }, false);
  },
};
