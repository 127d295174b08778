// Shared machinery of Resize and Upsample (ONNX operator spec, "Resize"): output shapes from
// scales or sizes, the coordinate transformations, nearest / linear / cubic sampling, and the
// dispatch of shaders/resize.wgsl.
// Sampling is separable: along each axis, output index o reads a few input indices ("taps")
// with fixed weights. Shapes are static, so the host computes those per-axis tables once (in
// float32 arithmetic, step by step as the spec's formulas read, so that rounding at .5 and the
// weights come out as a float32 runtime computes them) and the kernel only gathers:
//   nearest: 1 tap (weight 1), linear: 2 taps, cubic: 4 taps per resized axis.
// An output element sums taps^(resized axes) weighted reads. Axes with scale 1 are the identity
// (as in onnxruntime, which copies them whatever the coordinate mode, even tf_crop_and_resize)
// and cost nothing. tf_crop_and_resize marks outputs whose source coordinate falls outside
// [0, length - 1] with index -1: they take extrapolation_value.
import type { BufferRef, KernelBuilder, OpContext } from '../types.js';
import type { Node } from '../../ir/types.js';
import { isFloat, sizeOf, stridesOf } from '../../ir/types.js';
import { toNumbers } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, halfTag, moveType, storageOf } from '../../gpu/elements.js';
import { stridedCopyGpu } from '../tensor/strided.js';
import { ShapeError, LimitError } from '../../errors.js';

export type InterpMode = 'nearest' | 'linear' | 'cubic';
export type CoordMode =
  | 'half_pixel'
  | 'half_pixel_symmetric'
  | 'pytorch_half_pixel'
  | 'align_corners'
  | 'asymmetric'
  | 'tf_half_pixel_for_nn'
  | 'tf_crop_and_resize';
/** 'simple' is the rule of Upsample and Resize-10, which had no nearest_mode: floor when
 * upsampling, ceil when downsampling (onnxruntime's reading of those specs). */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
export type AspectPolicy = 'stretch' | 'not_larger' | 'not_smaller';

export interface InterpAttrs {
  mode: InterpMode;
  coord: CoordMode;
  nearest: NearestMode;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  /** Per entry of `axes` (all dims when axes is absent): exactly one of scales / sizes. */
  scales?: number[];
  sizes?: number[];
  /** Region of interest, starts then ends, per entry of `axes` (tf_crop_and_resize only). */
  roi?: number[];
  /** Opset 18: the axes that scales/sizes/roi refer to. */
  axes?: number[];
  policy: AspectPolicy;
}

/** Scales, output shape and roi resolved against an input shape (one entry per dim). */
export interface Resolved {
  outShape: number[];
  scales: number[];
  roiStart: number[];
  roiEnd: number[];
}

const f = Math.fround;
const MAX_RANK = 8;
/** Resized (non-identity) axes the kernel handles. */
const MAX_ACTIVE = 4;
const RESIZE_WG = 128;

function fail(node: Node, msg: string, shapes?: Record<string, readonly number[]>, hint?: string): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes, hint });
}

/** C's round(): halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/** A constant float/int input as numbers; undefined when absent or empty. Must be constant. */
export function constantList(ctx: OpContext, i: number, what: string): number[] | undefined {
  if (!ctx.has(i)) return undefined;
  const t = ctx.constant(i);
  if (!t) {
    fail(ctx.node, `input ${i} ("${what}") must be constant: output shapes are fixed when the session compiles`, undefined, 'export the model with static shapes so that this input folds to a constant');
  }
  const v = toNumbers(t);
  return v.length ? v : undefined;
}

export function resolveInterp(node: Node, a: InterpAttrs, inShape: readonly number[]): Resolved {
  const rank = inShape.length;
  const shapes = { X: inShape };
  if (rank === 0) fail(node, 'the input must have at least one dim', shapes);
  const axes = (a.axes ?? inShape.map((_, i) => i)).map((ax) => {
    const n = ax < 0 ? ax + rank : ax;
    if (n < 0 || n >= rank) fail(node, `axis ${ax} is out of range for rank ${rank}`, shapes);
    return n;
  });
  if (new Set(axes).size !== axes.length) fail(node, `axes [${a.axes!.join(',')}] repeat an axis`, shapes);
  const scales = new Array<number>(rank).fill(1);
  const outShape = [...inShape];
  if (a.scales) {
    if (a.scales.length !== axes.length) fail(node, `scales has ${a.scales.length} values for ${axes.length} axes`, shapes);
    axes.forEach((ax, i) => {
      const s = f(a.scales![i]);
      if (!(s > 0)) fail(node, `scale ${a.scales![i]} must be positive`, shapes);
      scales[ax] = s;
      // The spec's floor(input_dimension * scale), multiplied in float32.
      outShape[ax] = Math.floor(f(s * inShape[ax]));
    });
  } else if (a.sizes) {
    if (a.sizes.length !== axes.length) fail(node, `sizes has ${a.sizes.length} values for ${axes.length} axes`, shapes);
    axes.forEach((ax, i) => {
      const size = a.sizes![i];
      if (size < 0) fail(node, `sizes [${a.sizes!.join(',')}] has a negative value`, shapes);
      if (inShape[ax] === 0 && size !== 0) fail(node, `axis ${ax} is empty and cannot be resized to ${size}`, shapes);
      outShape[ax] = size;
      scales[ax] = inShape[ax] === 0 ? 1 : f(size / inShape[ax]);
    });
    if (a.policy !== 'stretch') {
      // keep_aspect_ratio_policy (opset 18): one scale for every axis in `axes`, the smallest
      // (not_larger) or the largest (not_smaller); sizes round half away from zero.
      const pick = axes.map((ax) => scales[ax]);
      const s = a.policy === 'not_larger' ? Math.min(...pick) : Math.max(...pick);
      for (const ax of axes) {
        scales[ax] = s;
        outShape[ax] = roundHalfAway(f(s * inShape[ax]));
      }
    }
  } else {
    fail(node, 'one of scales and sizes must be given (and not empty)', shapes);
  }
  const roiStart = new Array<number>(rank).fill(0);
  const roiEnd = new Array<number>(rank).fill(1);
  if (a.coord === 'tf_crop_and_resize' && a.roi) {
    if (a.roi.length !== 2 * axes.length) fail(node, `roi has ${a.roi.length} values, tf_crop_and_resize needs ${2 * axes.length} (starts, then ends)`, shapes);
    axes.forEach((ax, i) => {
      roiStart[ax] = f(a.roi![i]);
      roiEnd[ax] = f(a.roi![axes.length + i]);
    });
  }
  return { outShape, scales, roiStart, roiEnd };
}

/** The input coordinate of output coordinate x along one axis (spec, coordinate_transformation_mode),
 * evaluated in float32 like a float32 runtime would. */
function sourceCoord(mode: CoordMode, x: number, scale: number, lenOut: number, lenIn: number, roiStart: number, roiEnd: number): number {
  switch (mode) {
    case 'asymmetric':
      return f(x / scale);
    case 'pytorch_half_pixel':
      return lenOut > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(x + 0.5) / scale);
    case 'align_corners':
      return lenOut === 1 ? 0 : f(f(x * (lenIn - 1)) / (lenOut - 1));
    case 'tf_crop_and_resize':
      return lenOut > 1
        ? f(f(roiStart * (lenIn - 1)) + f(f(f(x * f(roiEnd - roiStart)) * (lenIn - 1)) / (lenOut - 1)))
        : f(0.5 * f(roiStart + roiEnd) * (lenIn - 1));
    case 'half_pixel_symmetric': {
      // Centres the sampled region when the output size was rounded from lenIn * scale.
      const adjustment = f(lenOut / f(scale * lenIn));
      const offset = f(f(lenIn / 2) * f(1 - adjustment));
      return f(offset + (x + 0.5) / scale - 0.5);
    }
    case 'half_pixel':
      return f(f(f(x + 0.5) / scale) - 0.5);
  }
}

function nearestIndex(mode: NearestMode, x: number, downsampling: boolean): number {
  switch (mode) {
    case 'simple':
      return downsampling ? Math.ceil(x) : Math.trunc(x);
    case 'round_prefer_ceil':
      return roundHalfAway(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_floor':
      return x === Math.trunc(x) + 0.5 ? Math.floor(x) : roundHalfAway(x);
  }
}

/** Keys' cubic convolution weights of the 4 neighbours floor(x) - 1 … floor(x) + 2, for the
 * fractional part s of x (spec, cubic_coeff_a). */
function cubicCoeffs(s: number, A: number): number[] {
  const c = (d: number) => {
    const t = Math.abs(d);
    if (t <= 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
    if (t < 2) return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
    return 0;
  };
  return [f(c(s + 1)), f(c(s)), f(c(1 - s)), f(c(2 - s))];
}

export function tapsOf(mode: InterpMode): number {
  return mode === 'nearest' ? 1 : mode === 'linear' ? 2 : 4;
}

/** Tap table of one resized axis: idx/w hold `taps` entries per output index; idx[o*taps] is -1
 * for outputs that take the extrapolation value. */
function axisTable(a: InterpAttrs, scale: number, lenIn: number, lenOut: number, roiStart: number, roiEnd: number): { idx: number[]; w: number[] } {
  const taps = tapsOf(a.mode);
  const idx: number[] = [];
  const w: number[] = [];
  const extrapolate = a.coord === 'tf_crop_and_resize';
  for (let o = 0; o < lenOut; o++) {
    const x = sourceCoord(a.coord, o, scale, lenOut, lenIn, roiStart, roiEnd);
    if (extrapolate && (x < 0 || x > lenIn - 1)) {
      idx.push(-1, ...new Array<number>(taps - 1).fill(0));
      w.push(...new Array<number>(taps).fill(0));
      continue;
    }
    if (a.mode === 'nearest') {
      idx.push(Math.min(Math.max(nearestIndex(a.nearest, x, scale < 1), 0), lenIn - 1));
      w.push(1);
    } else if (a.mode === 'linear') {
      // The two neighbours of x clamped into the input; at the border both are the edge pixel.
      const v = Math.max(0, Math.min(x, lenIn - 1));
      const i1 = Math.min(Math.trunc(v), lenIn - 1);
      const i2 = Math.min(i1 + 1, lenIn - 1);
      let d1 = f(Math.abs(v - i1));
      let d2 = f(Math.abs(v - i2));
      if (i1 === i2) d1 = d2 = 0.5;
      idx.push(i1, i2);
      w.push(d2, d1);
    } else {
      const xi = Math.floor(x);
      const coeffs = cubicCoeffs(f(x - xi), a.cubicA);
      // exclude_outside: neighbours outside the input get weight 0 and the rest are renormalised;
      // otherwise they read the edge pixel.
      let sum = 1;
      if (a.excludeOutside) {
        sum = 0;
        coeffs.forEach((c, t) => {
          const j = xi - 1 + t;
          if (j < 0 || j >= lenIn) coeffs[t] = 0;
          else sum = f(sum + c);
        });
      }
      coeffs.forEach((c, t) => {
        idx.push(Math.min(Math.max(xi - 1 + t, 0), lenIn - 1));
        w.push(f(c / sum));
      });
    }
  }
  return { idx, w };
}

/** Emits the Resize/Upsample dispatch for input 0 and output 0. */
export function dispatchInterp(k: KernelBuilder, a: InterpAttrs, r: Resolved): void {
  const x = k.inputs[0]!;
  const inShape = x.shape;
  const outShape = r.outShape;
  const rank = inShape.length;
  const n = sizeOf(outShape);
  if (n === 0) return;
  if (rank > MAX_RANK) throw new LimitError(`rank ${rank} is above the ${MAX_RANK} dims the kernel handles`, { op: k.node.opType, node: k.node.name, shapes: { X: inShape } });
  const active = inShape.map((_, d) => d).filter((d) => r.scales[d] !== 1);
  if (!active.length) {
    // Nothing is resized: the output is the input.
    stridedCopyGpu(k, k.input(0), k.output(0), { shape: [n], srcOffset: 0, srcStrides: [1], dstOffset: 0, dstStrides: [1] }, `${k.node.opType}-copy`);
    return;
  }
  if (active.length > MAX_ACTIVE) {
    throw new LimitError(`${active.length} resized axes, the kernel handles ${MAX_ACTIVE}`, { op: k.node.opType, node: k.node.name, shapes: { X: inShape, Y: outShape } });
  }
  const inStrides = stridesOf(inShape);
  const idx: number[] = [];
  const w: number[] = [];
  const tableAt: number[] = [];
  for (const d of active) {
    const t = axisTable(a, r.scales[d], inShape[d], outShape[d], r.roiStart[d], r.roiEnd[d]);
    tableAt.push(idx.length);
    idx.push(...t.idx);
    w.push(...t.w);
  }
  const nearest = a.mode === 'nearest';
  const pad4 = (xs: number[]) => [...xs, ...new Array<number>(4 - xs.length).fill(0)];
  const bits = new DataView(new ArrayBuffer(4));
  // The extrapolation value as the output's 4-byte element (integers truncate, as a C cast does).
  if (isFloat(x.dtype)) bits.setFloat32(0, a.extrapolation, true);
  else bits.setInt32(0, Math.trunc(a.extrapolation), true);
  const bindings: Record<string, BufferRef> = { x: k.input(0), taps_idx: k.weight('taps_idx', Int32Array.from(idx)), y: k.output(0) };
  if (!nearest) bindings.taps_w = k.weight('taps_w', Float32Array.from(w));
  // Element type: nearest moves elements (u32 words, or f16 where float16 values are stored so);
  // the filters compute in f32 on f32 or f16 storage.
  const S = storageOf(x.dtype, k.limits);
  const T = nearest ? moveType(x.dtype, k.limits) : S;
  k.dispatch({
    shader: 'resize',
    variant: `${k.node.opType}-${a.mode}${active.length > 1 ? `-${active.length}d` : ''}${halfTag(S)}`,
    defines: { WG: RESIZE_WG, TAPS: tapsOf(a.mode), NEAREST: nearest, EXTRAPOLATE: a.coord === 'tf_crop_and_resize', T, C: computeOf(T) },
    bindings,
    uniforms: {
      n,
      rank,
      nact: active.length,
      extrapolation: bits.getUint32(0, true),
      out_strides: stridesOf(outShape),
      pass_strides: inShape.map((_, d) => (active.includes(d) ? 0 : inStrides[d])),
      act_dim: pad4(active),
      act_stride: pad4(active.map((d) => inStrides[d])),
      act_table: pad4(tableAt),
    },
    workgroups: grid(Math.ceil(n / RESIZE_WG), k.limits),
  });
}
