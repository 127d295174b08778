// Resize (ONNX opset 10/11/13/18/19): nearest, linear and cubic interpolation of any dims (see
// interpolate.ts for the sampling and shaders/resize.wgsl for the kernel).
// Inputs by opset: 10: X, scales. 11+: X, roi, scales, sizes — one of scales (non-empty) and
// sizes; both fix the output shape and must be constant, as must roi for tf_crop_and_resize.
// Attributes: mode (nearest), coordinate_transformation_mode (half_pixel; opset 10 is always
// asymmetric, with Upsample's nearest rule), nearest_mode (round_prefer_floor), cubic_coeff_a
// (-0.75), exclude_outside (0), extrapolation_value (0); opset 18: axes, keep_aspect_ratio_policy
// (stretch), antialias (0; anti-aliased linear/cubic downsampling is not implemented and is
// rejected; nearest, which it does not affect, ignores it); opset 19 adds
// half_pixel_symmetric. tf_half_pixel_for_nn (opset 11 only) is accepted too.
// Nearest works on every 4-byte type (a bitwise copy); linear and cubic take float tensors.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import { isFloat } from '../../ir/types.js';
import { attrFloat, attrInt, attrInts, attrString } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { constantList, dispatchInterp, resolveInterp, type AspectPolicy, type CoordMode, type InterpAttrs, type InterpMode, type NearestMode } from './interpolate.js';

const MODES: InterpMode[] = ['nearest', 'linear', 'cubic'];
const COORDS: CoordMode[] = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST: NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const POLICIES: AspectPolicy[] = ['stretch', 'not_larger', 'not_smaller'];

function oneOf<T extends string>(ctx: OpContext, name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ShapeError(`${name} "${value}" is not supported`, { op: ctx.node.opType, node: ctx.node.name, hint: `use one of ${allowed.join(', ')}` });
  }
  return value as T;
}

function parseResize(ctx: OpContext): InterpAttrs {
  const node = ctx.node;
  const mode = oneOf(ctx, 'mode', attrString(node, 'mode', 'nearest'), ctx.opset < 11 ? MODES.slice(0, 2) : MODES);
  if (ctx.opset < 11) {
    return { mode, coord: 'asymmetric', nearest: 'simple', cubicA: -0.75, excludeOutside: false, extrapolation: 0, scales: constantList(ctx, 1, 'scales'), policy: 'stretch' };
  }
  const coord = oneOf(ctx, 'coordinate_transformation_mode', attrString(node, 'coordinate_transformation_mode', 'half_pixel'), ctx.opset < 19 ? COORDS.filter((c) => c !== 'half_pixel_symmetric') : COORDS);
  if (ctx.opset >= 18 && attrInt(node, 'antialias', 0) !== 0 && mode !== 'nearest') {
    throw new ShapeError('antialias = 1 (anti-aliased downsampling) is not supported', { op: node.opType, node: node.name, hint: 'export with antialias = 0' });
  }
  const scales = constantList(ctx, 2, 'scales');
  const sizes = constantList(ctx, 3, 'sizes');
  if (scales && sizes) throw new ShapeError('only one of scales and sizes may be given', { op: node.opType, node: node.name });
  const a: InterpAttrs = {
    mode,
    coord,
    nearest: oneOf(ctx, 'nearest_mode', attrString(node, 'nearest_mode', 'round_prefer_floor'), NEAREST),
    cubicA: attrFloat(node, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node, 'exclude_outside', 0) !== 0,
    extrapolation: attrFloat(node, 'extrapolation_value', 0),
    scales,
    sizes,
    roi: coord === 'tf_crop_and_resize' ? constantList(ctx, 1, 'roi') : undefined,
    axes: ctx.opset >= 18 ? attrInts(node, 'axes') : undefined,
    policy: ctx.opset >= 18 ? oneOf(ctx, 'keep_aspect_ratio_policy', attrString(node, 'keep_aspect_ratio_policy', 'stretch'), POLICIES) : 'stretch',
  };
  if (a.policy !== 'stretch' && !sizes) throw new ShapeError('keep_aspect_ratio_policy applies to sizes, not scales', { op: node.opType, node: node.name });
  return a;
}

export const Resize: OpDef<InterpAttrs> = {
  opType: 'Resize',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1, 2, 3], // roi, scales, sizes (opset 11+; opset 10: scales is input 1)
  parse: parseResize,
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) throw new ShapeError('input X is required', { op: ctx.node.opType, node: ctx.node.name });
    if (a.mode !== 'nearest' && !isFloat(x.dtype)) {
      throw new ShapeError(`${a.mode} interpolation of ${x.dtype} tensors is not supported`, { op: ctx.node.opType, node: ctx.node.name, hint: 'nearest works on every type, linear and cubic on float tensors' });
    }
    return [{ dtype: x.dtype, shape: resolveInterp(ctx.node, a, x.shape).outShape }];
  },
  gpu(k, a) {
    dispatchInterp(k, a, resolveInterp(k.node, a, k.inputs[0]!.shape));
  },
};
