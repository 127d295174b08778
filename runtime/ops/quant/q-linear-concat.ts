// QLinearConcat (onnxruntime contrib op, com.microsoft): inputs Y_scale, Y_zero_point, then
// (X_i, X_i_scale, X_i_zero_point) per tensor; attribute axis. Each X_i is requantised into its
// slab of Y along axis: y = round((x - x_zp) · x_scale / y_scale) + y_zp (an exact copy when the
// scale and zero point equal Y's, as onnxruntime's copy path). One dispatch per input
// (shaders/quant-eltwise.wgsl without BINARY).
import type { OpDef, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt, normAxis } from '../attributes.js';
import { dispatchEltwise, MS_DOMAIN } from './eltwise.js';
import { checkQParams, fail, isQ8, zpBuffer } from './util.js';

export const QLinearConcat: OpDef<{ axis: number }> = {
  opType: 'QLinearConcat',
  packedInt8: true,
  domain: MS_DOMAIN,
  parse(ctx) {
    if (ctx.node.attributes.axis === undefined) fail(ctx.node, 'attribute "axis" is required');
    return { axis: attrInt(ctx.node, 'axis', 0) };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const n = ctx.node;
    checkQParams(n, inputs[0], inputs[1], 'Y');
    if (inputs.length < 5 || (inputs.length - 2) % 3 !== 0) fail(n, `expected Y_scale, Y_zero_point and triples (X, X_scale, X_zero_point), got ${inputs.length} inputs`);
    const xs: TypeShape[] = [];
    for (let i = 2; i < inputs.length; i += 3) {
      const x = inputs[i];
      if (!x || !isQ8(x.dtype)) fail(n, `input ${i} must be an int8 or uint8 tensor`);
      checkQParams(n, inputs[i + 1], inputs[i + 2], `X${(i - 2) / 3}`);
      xs.push(x);
    }
    const dtype = inputs[1]?.dtype ?? xs[0].dtype;
    const rank = xs[0].shape.length;
    const ax = normAxis(n, a.axis, rank);
    const out = [...xs[0].shape];
    out[ax] = 0;
    for (const x of xs) {
      if (x.dtype !== dtype) fail(n, `inputs have types ${x.dtype} and ${dtype}`);
      if (x.shape.length !== rank || x.shape.some((d, i) => i !== ax && d !== xs[0].shape[i])) {
        fail(n, 'inputs differ in a dim other than axis', Object.fromEntries(xs.map((t, i) => [`X${i}`, t.shape])));
      }
      out[ax] += x.shape[ax];
    }
    return [{ dtype, shape: out }];
  },
  gpu(k, a) {
    const out = k.outputs[0].shape;
    const ax = a.axis < 0 ? a.axis + out.length : a.axis;
    const inner = sizeOf(out.slice(ax + 1));
    let offset = 0;
    for (let i = 2; i < k.inputs.length; i += 3) {
      const x = k.inputs[i]!;
      const n = sizeOf(x.shape);
      if (n > 0) {
        const bindings = { x0: k.input(i), a_scale: k.input(i + 1), a_zp: zpBuffer(k, i + 2, `zp${i}`), y_scale: k.input(0), y_zp: zpBuffer(k, 1, 'y-zp'), y: k.output(0) };
        const uniforms = { n, rank: 1, inner: x.shape[ax] * inner, y_outer: out[ax] * inner, y_offset: offset * inner, alpha: 0 };
        dispatchEltwise(k, 'QLinearConcat', false, '(sa * da) / sc', bindings, uniforms, false, i);
      }
      offset += x.shape[ax];
    }
  },
};
