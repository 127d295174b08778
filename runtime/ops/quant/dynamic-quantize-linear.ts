// DynamicQuantizeLinear (ONNX opset 11): quantizes float32 x to uint8 with a scale and zero point
// computed from x's own range (outputs y, y_scale, y_zero_point). The range reduction runs on the
// GPU (shaders/quant-dynamic.wgsl, first dispatch), and the quantization reads its result from
// the GPU buffers of outputs 1 and 2: no readback in the middle of a run.
// Spec: https://onnx.ai/onnx/operators/onnx__DynamicQuantizeLinear.html
import type { OpDef, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';
import { storageOf } from '../../gpu/elements.js';
import { fail, need, roundEven } from './util.js';

const WG = 256;

export const DynamicQuantizeLinear: OpDef<Record<string, never>> = {
  opType: 'DynamicQuantizeLinear',
  packedInt8: true,
  parse: () => ({}),
  infer(inputs, _a, ctx): TypeShape[] {
    const x = need(ctx.node, inputs, 0, 'x');
    if (x.dtype !== 'float32') fail(ctx.node, `x has type ${x.dtype}; DynamicQuantizeLinear takes float32`);
    return [{ dtype: 'uint8', shape: [...x.shape] }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }];
  },
  cpu(inputs) {
    const x = inputs[0]!;
    let mn = 0;
    let mx = 0;
    for (const v of x.data) {
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
    }
    // The same f32 steps as the shader (see shaders/quant-dynamic.wgsl for the formula).
    const scale = mx === mn ? 1 : Math.fround(Math.fround(mx - mn) / 255);
    const zp = roundEven(Math.min(255, Math.max(0, Math.fround(0 - Math.fround(mn / scale)))));
    const y = makeHost('uint8', x.dims);
    for (let i = 0; i < y.data.length; i++) y.data[i] = Math.min(255, Math.max(0, roundEven(Math.fround(x.data[i] / scale)) + zp));
    return [y, makeHost('float32', [], [scale]), makeHost('uint8', [], [zp])];
  },
  gpu(k) {
    const n = sizeOf(k.inputs[0]!.shape);
    k.dispatch({
      shader: 'quant-dynamic',
      variant: 'dynamic-quantize-params',
      defines: { WG, PARAMS: true, TZ: storageOf('uint8', k.limits), TY: storageOf('uint8', k.limits) },
      bindings: { x: k.input(0), y_scale: k.output(1), y_zp: k.output(2) },
      uniforms: { n },
      workgroups: [1],
    });
    if (n === 0) return;
    k.dispatch({
      shader: 'quant-dynamic',
      variant: 'dynamic-quantize',
      defines: { WG, PARAMS: false, TZ: storageOf('uint8', k.limits), TY: storageOf('uint8', k.limits) },
      bindings: { x: k.input(0), y_scale: k.output(1), y_zp: k.output(2), y: k.output(0) },
      uniforms: { n },
      workgroups: grid(Math.ceil(n / WG), k.limits),
    });
  },
};
