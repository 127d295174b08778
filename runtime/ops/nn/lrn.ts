// LRN (ONNX opset 1/13): local response normalization across channels,
//   y = x / (bias + alpha / size * square_sum)^beta, square_sum over the channel window
//   [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] clipped to the valid channels.
// Attributes: size (required), alpha (default 1e-4), beta (0.75), bias (1.0).
// Input (N, C, D1, ..., Dk) with k ≥ 1, normalized per spatial position.
import type { OpDef } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { attrFloat, attrInt } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';

interface LrnAttrs {
  size: number;
  alpha: number;
  beta: number;
  bias: number;
}

const LRN_WG = 64;

export const LRN: OpDef<LrnAttrs> = {
  opType: 'LRN',
  float16: true,
  packedF16: true,
  parse(ctx) {
    const size = attrInt(ctx.node, 'size', 0);
    if (size < 1) throw new ShapeError('attribute "size" is required and must be ≥ 1', { op: 'LRN', node: ctx.node.name });
    return {
      size,
      alpha: attrFloat(ctx.node, 'alpha', 1e-4),
      beta: attrFloat(ctx.node, 'beta', 0.75),
      bias: attrFloat(ctx.node, 'bias', 1.0),
    };
  },
  infer(inputs, _a, ctx) {
    const x = inputs[0]!;
    if (x.shape.length < 3) {
      throw new ShapeError(`LRN needs an (N, C, D1, ...) input, got rank ${x.shape.length}`, { op: 'LRN', node: ctx.node.name, shapes: { X: x.shape } });
    }
    if (x.dtype !== 'float32' && x.dtype !== 'float16') throw new ShapeError(`LRN needs a float32 or float16 input, got ${x.dtype}`, { op: 'LRN', node: ctx.node.name });
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const total = sizeOf(x.shape);
    if (total === 0) return;
    const ST = storageOf(x.dtype, k.limits);
    k.dispatch({
      shader: 'lrn',
      variant: `lrn${halfTag(ST)}`,
      defines: { WG: LRN_WG, ST },
      bindings: { x: k.input(0), y: k.output(0) },
      uniforms: {
        total,
        C: x.shape[1],
        S: sizeOf(x.shape.slice(2)),
        lo: Math.floor((a.size - 1) / 2),
        hi: Math.ceil((a.size - 1) / 2),
        alpha_over_size: a.alpha / a.size,
        beta: a.beta,
        bias: a.bias,
      },
      workgroups: grid(Math.ceil(total / LRN_WG), k.limits),
    });
  },
};
