// Upsample (ONNX opset 7/9; deprecated in 10 in favour of Resize): nearest or linear
// interpolation with `scales` (>= 1) per dim — an attribute in opset 7, a constant input from
// opset 9. The coordinate mapping is asymmetric (x_in = x_out / scale), nearest takes the floor
// (the rule of Resize-10), linear is bilinear/trilinear over the scaled dims. It is Resize with
// those settings: see interpolate.ts.
import type { OpDef, TypeShape } from '../types.js';
import { isFloat } from '../../ir/types.js';
import { attrFloats, attrString } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { constantList, dispatchInterp, resolveInterp, type InterpAttrs } from './interpolate.js';

export const Upsample: OpDef<InterpAttrs> = {
  opType: 'Upsample',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1], // scales (opset 9)
  parse(ctx) {
    const node = ctx.node;
    const m = attrString(node, 'mode', 'nearest');
    // 'bilinear' is the name the experimental opset 1 form used for linear.
    if (m !== 'nearest' && m !== 'linear' && m !== 'bilinear') throw new ShapeError(`mode "${m}" is not supported`, { op: node.opType, node: node.name, hint: 'use nearest or linear' });
    const scales = ctx.opset < 9 ? attrFloats(node, 'scales') : constantList(ctx, 1, 'scales');
    if (!scales) throw new ShapeError('scales are required', { op: node.opType, node: node.name });
    if (scales.some((s) => !(s >= 1))) throw new ShapeError(`scales [${scales.join(',')}] must be >= 1`, { op: node.opType, node: node.name });
    return { mode: m === 'nearest' ? 'nearest' : 'linear', coord: 'asymmetric', nearest: 'simple', cubicA: -0.75, excludeOutside: false, extrapolation: 0, scales, policy: 'stretch' };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) throw new ShapeError('input X is required', { op: ctx.node.opType, node: ctx.node.name });
    if (a.mode !== 'nearest' && !isFloat(x.dtype)) throw new ShapeError(`linear interpolation of ${x.dtype} tensors is not supported`, { op: ctx.node.opType, node: ctx.node.name });
    return [{ dtype: x.dtype, shape: resolveInterp(ctx.node, a, x.shape).outShape }];
  },
  gpu(k, a) {
    dispatchInterp(k, a, resolveInterp(k.node, a, k.inputs[0]!.shape));
  },
};
