// Clip (ONNX opset 1/6/11/12/13): y = min(max(x, min), max).
// Before opset 11, min and max are float attributes (default: the lowest/highest float).
// From opset 11 they are optional scalar inputs; Fovea needs them constant (initializers or
// folded) and reads them at compile time. An absent bound is ±inf, i.e. ±FLT_MAX in f32.
// Opset 12 added integer types. When min > max every element becomes max (min(max(x, lo), hi)),
// which is what the spec's definition and onnxruntime give.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import type { OpContext } from '../types.js';

const FLT_MAX = 3.4028234663852886e38;

function bound(ctx: OpContext, i: number, name: string, def: number): number {
  if (!ctx.has(i)) return def;
  const t = ctx.constant(i);
  if (!t) {
    throw new ShapeError(`input "${name}" must be a constant`, {
      op: ctx.node.opType,
      node: ctx.node.name,
      hint: 'Fovea reads Clip bounds at compile time; make min/max initializers',
    });
  }
  if (t.data.length !== 1) throw new ShapeError(`input "${name}" must be a scalar, got dims [${t.dims.join(',')}]`, { op: ctx.node.opType, node: ctx.node.name });
  return Number(t.data[0]);
}

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const CLIP_WGSL = 'min(max(v, alpha), beta)';

export const Clip = unaryOp({
  opType: 'Clip',
  shapeInputs: [1, 2], // min, max: compile-time bounds
  parse: (ctx) =>
    ctx.opset < 11
      ? { alpha: attrFloat(ctx.node, 'min', -FLT_MAX), beta: attrFloat(ctx.node, 'max', FLT_MAX) }
      : { alpha: bound(ctx, 1, 'min', -FLT_MAX), beta: bound(ctx, 2, 'max', FLT_MAX) },
  wgsl: CLIP_WGSL,
  wgslInt: 'min(max(v, alpha), beta)',
  host: (v, a) => Math.min(Math.max(v, a.alpha!), a.beta!),
});
