// The geometry and operands of one integer conv / MatMul (runtime/ops/quant/int-conv.ts and its
// variants), below the kernels that use them.
import type { WeightLayout } from './int-pack.js';

/** One integer conv (or MatMul) as the shader sees it. */
export interface IntConvGeometry {
  batch: number;
  OC: number;
  /** Output channels per group. */
  MG: number;
  Cg: number;
  OH: number;
  OW: number;
  IH: number;
  IW: number;
  KH: number;
  KW: number;
  stride: [number, number];
  pad: [number, number];
  dil: [number, number];
  /** x strides (n, c, h, w) and y strides (n, oc, p) in elements. */
  xs: [number, number, number, number];
  ys: [number, number, number];
  /** Weight layout (element (oc, c, tap) at oc*o + c*c + tap*t). */
  wl: Omit<WeightLayout, 'shift'>;
}

export interface IntConvIO {
  x: number;
  xZp: number;
  w: number;
  wZp: number;
  /** Whether w's zero point (and scale) has one entry per output channel. */
  perChannel: boolean;
  xSigned: boolean;
  wSigned: boolean;
  /** QLinear* and QGemm: input indices of x_scale, w_scale, y_scale, y_zero_point (y_scale absent:
   * QGemm's float output), y's type, the int32 bias input and its strides per output channel and
   * per pixel (default [1, 0]: QLinearConv's B [M]), QGemm's alpha (default 1). */
  qlinear?: { xScale: number; wScale: number; yScale?: number; yZp?: number; signed: boolean; bias?: number; biasStrides?: [number, number]; alpha?: number };
}
