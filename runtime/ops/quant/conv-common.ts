// Shared parts of ConvInteger and QLinearConv: Conv's attributes (kernel_shape, strides, pads,
// auto_pad, dilations, group; ONNX Conv spec) resolved by the window helpers of runtime/ops/nn,
// shape checks of x [N, C, (H,) W] and w [M, C/group, (kH,) kW], and the kernel geometry.
// 1-D convs run as 2-D ones with a height of 1; 3-D integer convs are not implemented.
import type { OpContext, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { as2d, parseWindowAttrs, resolveWindow, spatial2d, type Window, type WindowAttrs } from '../nn/window.js';
import type { IntConvGeometry } from './int-conv.js';
import { fail, unsupportedForm } from './util.js';

export interface IntConvAttrs {
  window: WindowAttrs;
  group: number;
}

export function parseIntConv(ctx: OpContext): IntConvAttrs {
  return { window: parseWindowAttrs(ctx.node), group: attrInt(ctx.node, 'group', 1) };
}

/** Validates x and w; returns the resolved window and the output shape. */
export function convShape(node: Node, a: IntConvAttrs, x: TypeShape, w: TypeShape): { win: Window; out: number[] } {
  const shapes = { x: x.shape, w: w.shape };
  if (x.shape.length === 5) unsupportedForm(node, '3-D integer convolution');
  if (x.shape.length !== 3 && x.shape.length !== 4) fail(node, `x must have rank 3 or 4 (N, C, spatial…), got ${x.shape.length}`, shapes);
  if (w.shape.length !== x.shape.length) fail(node, 'w must have the rank of x', shapes);
  const [N, C] = x.shape;
  const [M, Cg] = w.shape;
  if (a.group < 1 || C % a.group !== 0 || M % a.group !== 0) fail(node, `group ${a.group} must divide the input channels ${C} and output channels ${M}`, shapes);
  if (Cg * a.group !== C) fail(node, `w has ${Cg} input channels per group, x has ${C} channels in ${a.group} groups`, shapes);
  const kernel = a.window.kernelShape ?? w.shape.slice(2);
  if (kernel.some((k, i) => k !== w.shape[2 + i])) fail(node, `kernel_shape [${kernel}] differs from w's spatial dims`, shapes);
  const win = resolveWindow(node, a.window, x.shape.slice(2), kernel);
  return { win, out: [N, M, ...win.out] };
}

export function convGeometry(node: Node, a: IntConvAttrs, x: TypeShape, w: TypeShape): IntConvGeometry {
  const win = as2d(convShape(node, a, x, w).win);
  const [N, C] = x.shape;
  const [M, Cg] = w.shape;
  const [IH, IW] = spatial2d(x.shape);
  const [KH, KW] = win.kernel;
  const [OH, OW] = win.out;
  return {
    batch: N, OC: M, MG: M / a.group, Cg, OH, OW, IH, IW, KH, KW,
    stride: [win.strides[0], win.strides[1]], pad: [win.padsBegin[0], win.padsBegin[1]], dil: [win.dilations[0], win.dilations[1]],
    xs: [C * IH * IW, IH * IW, IW, 1], ys: [M * OH * OW, OH * OW, 1],
    wl: { OC: M, Cg, KT: KH * KW, o: Cg * KH * KW, c: KH * KW, t: 1 },
  };
}
