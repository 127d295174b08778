// InstanceNormalization (ONNX opset 1/6/22): y = scale * (x - mean) / sqrt(var + epsilon) + B per
// (n, c) instance, mean and (biased) variance over the spatial dims of input [N, C, D1, …, Dk];
// scale and B are [C]; epsilon defaults to 1e-5. Opset 1's consumed_inputs is ignored.
// One dispatch of shaders/instance-norm.wgsl: a workgroup per instance.
import type { OpDef, TypeShape } from '../types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { attrFloat } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { fail } from '../tensor/util.js';

interface InstanceNormAttrs {
  epsilon: number;
}

/** Spatial runs of at least this many elements use the wide workgroup. */
const WIDE_MIN = 1024;

export const InstanceNormalization: OpDef<InstanceNormAttrs> = {
  opType: 'InstanceNormalization',
  float16: true,
  packedF16: true,
  parse: (ctx) => ({ epsilon: attrFloat(ctx.node, 'epsilon', 1e-5) }),
  infer(inputs, _a, ctx): TypeShape[] {
    const [x, scale, bias] = inputs;
    if (!x || !scale || !bias) fail(ctx.node, 'inputs input, scale and B are required');
    if (!isFloat(x.dtype)) fail(ctx.node, `input type ${x.dtype} is not supported: this op takes float tensors`);
    if (x.shape.length < 2) fail(ctx.node, `the input must be [N, C, ...], not rank ${x.shape.length}`, { input: x.shape });
    const C = x.shape[1];
    for (const [name, t] of [['scale', scale], ['B', bias]] as const) {
      if (t.shape.length !== 1 || t.shape[0] !== C) fail(ctx.node, `${name} must be [${C}]`, { input: x.shape, [name]: t.shape });
      if (t.dtype !== x.dtype) fail(ctx.node, `${name} is ${t.dtype}, the input ${x.dtype}: the spec's type T is one for all three`);
    }
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  gpu(k, a) {
    const shape = k.inputs[0]!.shape;
    const instances = shape[0] * shape[1];
    const spatial = sizeOf(shape.slice(2));
    if (instances === 0 || spatial === 0) return;
    const S = storageOf(k.inputs[0]!.dtype, k.limits);
    k.dispatch({
      shader: 'instance-norm',
      variant: `InstanceNormalization${halfTag(S)}`,
      defines: { WG: spatial >= WIDE_MIN ? 256 : 64, S },
      bindings: { x: k.input(0), scale: k.input(1), bias: k.input(2), y: k.output(0) },
      uniforms: { instances, channels: shape[1], spatial, epsilon: a.epsilon },
      workgroups: grid(instances, k.limits),
    });
  },
};
