// BatchNormalization (ONNX opset 1/6/7/9/14/15), inference form:
//   y = scale * (x - mean) / sqrt(var + epsilon) + B, per channel (dim 1) of X [N, C, D1, ...].
// epsilon defaults to 1e-5. Older attributes are accepted: `is_test` (opset < 7) and
// `consumed_inputs` (opset < 6) carry no meaning for inference; `spatial` (opset < 9, default 1)
// = 0 means the parameters have shape [C, D1, ...] (one per element of a sample), which is
// handled as C * D1 * ... channels. Training mode (opset >= 14 `training_mode` = 1, or the
// running/saved mean and variance outputs) is rejected.
// When scale, B, mean and var are constant (the usual case) the host folds them into one
// multiply-add per channel, uploaded once (f32); otherwise a kernel reads them as they are.
// Types (opset 15): X and Y are T, scale and B T1, mean and var T2, each float16 or float32 (or
// float64, computed as f32): the kernel is specialised on each one's storage type.
import type { OpDef } from '../types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { attrFloat, attrInt } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { ShapeError } from '../../errors.js';

interface BatchNormAttrs {
  epsilon: number;
  spatial: boolean;
}

const WG = 256;
const PARAMS = ['scale', 'B', 'input_mean', 'input_var'];

export const BatchNormalization: OpDef<BatchNormAttrs> = {
  opType: 'BatchNormalization',
  float16: true,
  packedF16: true,
  parse: (ctx) => {
    const node = ctx.node;
    const fail = (msg: string) => new ShapeError(msg, { op: node.opType, node: node.name, hint: 'export the model in inference (eval) mode' });
    if (ctx.opset >= 14 && attrInt(node, 'training_mode', 0) !== 0) throw fail('training_mode = 1 is not supported');
    if (node.outputs.slice(1).some((o) => o)) throw fail('the mean/variance outputs exist only in training mode and are not supported');
    return {
      epsilon: attrFloat(node, 'epsilon', 1e-5),
      spatial: ctx.opset >= 9 || attrInt(node, 'spatial', 1) !== 0,
    };
  },
  infer: (inputs, a, ctx) => {
    const x = inputs[0];
    const err = (msg: string) => new ShapeError(msg, { op: ctx.node.opType, node: ctx.node.name, shapes: Object.fromEntries(inputs.map((t, i) => [['X', ...PARAMS][i], t?.shape])) });
    if (!x || inputs.slice(1, 5).some((t) => !t)) throw err('inputs X, scale, B, input_mean and input_var are required');
    if (x.shape.length < 2) throw err('X must have rank >= 2 ([N, C, ...])');
    if (!isFloat(x.dtype)) throw err(`X has type ${x.dtype}; float tensors only`);
    const channels = a.spatial ? x.shape[1] : sizeOf(x.shape.slice(1));
    for (let i = 1; i <= 4; i++) {
      const t = inputs[i]!;
      if (!isFloat(t.dtype) || sizeOf(t.shape) !== channels) throw err(`${PARAMS[i - 1]} must be a float tensor of ${channels} values`);
    }
    if (inputs[1]!.dtype !== inputs[2]!.dtype) throw err(`scale and B must have one type, got ${inputs[1]!.dtype} and ${inputs[2]!.dtype}`);
    if (inputs[3]!.dtype !== inputs[4]!.dtype) throw err(`input_mean and input_var must have one type, got ${inputs[3]!.dtype} and ${inputs[4]!.dtype}`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  gpu(k, a) {
    const shape = k.inputs[0]!.shape;
    const n = sizeOf(shape);
    const channels = a.spatial ? shape[1] : sizeOf(shape.slice(1));
    const inner = a.spatial ? sizeOf(shape.slice(2)) : 1;
    const consts = [1, 2, 3, 4].map((i) => k.constant(i));
    const common = { n, channels, inner, epsilon: a.epsilon };
    const workgroups = grid(Math.ceil(n / WG), k.limits);
    const S = storageOf(k.inputs[0]!.dtype, k.limits);
    const tag = halfTag(S);
    if (consts.every((c) => c !== undefined)) {
      const [scale, bias, mean, variance] = consts.map((c) => c!.data);
      const ab = new Float32Array(2 * channels);
      for (let c = 0; c < channels; c++) {
        const s = Number(scale[c]) / Math.sqrt(Number(variance[c]) + a.epsilon);
        ab[c] = s;
        ab[channels + c] = Number(bias[c]) - Number(mean[c]) * s;
      }
      k.dispatch({
        shader: 'batch-norm',
        variant: `precomputed${tag}`,
        defines: { WG, S, PRECOMPUTED: true },
        bindings: { x: k.input(0), y: k.output(0), ab: k.weight('ab', ab) },
        uniforms: common,
        workgroups,
      });
    } else {
      k.dispatch({
        shader: 'batch-norm',
        variant: `generic${tag}`,
        defines: { WG, S, SP: storageOf(k.inputs[1]!.dtype, k.limits), SV: storageOf(k.inputs[3]!.dtype, k.limits) },
        bindings: { x: k.input(0), y: k.output(0), scale: k.input(1), bias: k.input(2), mean: k.input(3), variance: k.input(4) },
        uniforms: common,
        workgroups,
      });
    }
  },
};
