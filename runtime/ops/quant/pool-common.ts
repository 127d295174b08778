// Shared parts of QLinearAveragePool and QLinearGlobalAveragePool (com.microsoft): the checks of
// the per-tensor scales and zero points (inputs X, x_scale, x_zero_point, y_scale, y_zero_point),
// NCHW / NHWC (channels_last) strides, and the dispatch of shaders/quant-pool.wgsl.
import type { KernelBuilder, OpContext, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { storageOf } from '../../gpu/elements.js';
import { checkQParams, fail, isQ8, need, zpBuffer } from './util.js';

const WG = 64;

export function channelsLast(ctx: OpContext): boolean {
  return attrInt(ctx.node, 'channels_last', 0) !== 0;
}

export function checkPoolInputs(ctx: OpContext, inputs: (TypeShape | undefined)[]): TypeShape {
  const n = ctx.node;
  const x = need(n, inputs, 0, 'X');
  if (!isQ8(x.dtype)) fail(n, `X must be int8 or uint8, got ${x.dtype}`);
  if (x.shape.length !== 3 && x.shape.length !== 4) fail(n, `X must have rank 3 or 4, got ${x.shape.length}`, { X: x.shape });
  checkQParams(n, inputs[1], inputs[2], 'x');
  checkQParams(n, inputs[3], inputs[4], 'y');
  for (const i of [2, 4]) if (inputs[i] && inputs[i]!.dtype !== x.dtype) fail(n, `zero point ${i} is ${inputs[i]!.dtype}, X is ${x.dtype}`);
  return x;
}

/** (N, C, H, W) of a rank-3/4 shape in NCHW or NHWC order (1-D: H = 1). */
export function nchw(shape: readonly number[], last: boolean): [number, number, number, number] {
  const s = shape.length === 3 ? (last ? [shape[0], 1, shape[1], shape[2]] : [shape[0], shape[1], 1, shape[2]]) : [...shape];
  return last ? [s[0], s[3], s[1], s[2]] : [s[0], s[1], s[2], s[3]];
}

/** Strides (n, c, h, w) of an [N, C, H, W] tensor stored NCHW or NHWC. */
function strides(C: number, H: number, W: number, last: boolean): [number, number, number, number] {
  return last ? [H * W * C, 1, W * C, C] : [C * H * W, H * W, W, 1];
}

export interface PoolWindow2d {
  KH: number; KW: number; stride: [number, number]; padBegin: [number, number]; padEnd: [number, number]; OH: number; OW: number;
}

export function dispatchQPool(k: KernelBuilder, last: boolean, w: PoolWindow2d, countIncludePad: boolean): void {
  const [N, C, IH, IW] = nchw(k.inputs[0]!.shape, last);
  const total = N * C * w.OH * w.OW;
  if (total === 0 || sizeOf(k.inputs[0]!.shape) === 0) return;
  const [x_n, x_c, x_h, x_w] = strides(C, IH, IW, last);
  const [y_n, y_c, y_h, y_w] = strides(C, w.OH, w.OW, last);
  const signed = k.outputs[0].dtype === 'int8';
  k.dispatch({
    shader: 'quant-pool',
    variant: `${k.node.opType}${last ? '-nhwc' : ''}`,
    defines: { WG, COUNT_INCLUDE_PAD: countIncludePad, QMIN: signed ? -128 : 0, QMAX: signed ? 127 : 255, TX: storageOf(k.inputs[0]!.dtype, k.limits), TY: storageOf(k.outputs[0].dtype, k.limits) },
    bindings: { x: k.input(0), x_scale: k.input(1), x_zp: zpBuffer(k, 2, 'x-zp'), y_scale: k.input(3), y_zp: zpBuffer(k, 4, 'y-zp'), y: k.output(0) },
    uniforms: {
      total, C, OH: w.OH, OW: w.OW, IH, IW, KH: w.KH, KW: w.KW,
      stride_h: w.stride[0], stride_w: w.stride[1], pad_h: w.padBegin[0], pad_w: w.padBegin[1], pad_end_h: w.padEnd[0], pad_end_w: w.padEnd[1],
      x_n, x_c, x_h, x_w, y_n, y_c, y_h, y_w,
    },
    workgroups: grid(Math.ceil(total / WG), k.limits),
  });
}
