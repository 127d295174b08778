// Shared sliding-window geometry of Conv, MaxPool and AveragePool (ONNX operator spec, "Conv" and
// "MaxPool"): kernel_shape, strides, dilations, pads (all begins, then all ends) and auto_pad,
// resolved against the input's spatial shape into per-axis pads and output sizes.
// A kernel of k spatial dims runs windows of fewer dims with leading axes of size 1: a 1-D window
// as 2-D with a height of 1 (see `as2d`), or 1-D/2-D pools as 3-D ones (see `padWindow`).
import type { Node } from '../../ir/types.js';
import { attrInt, attrInts, attrString } from '../attributes.js';
import { ShapeError } from '../../errors.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

/** Window attributes as written in the node (unresolved: they may depend on input shapes). */
export interface WindowAttrs {
  kernelShape?: number[];
  strides?: number[];
  dilations?: number[];
  pads?: number[];
  autoPad: AutoPad;
  /** Pools only: the output size rounds up (with the spec's last-window rule). */
  ceilMode: boolean;
}

/** A window resolved against an input shape: one entry per spatial axis. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  out: number[];
}

function fail(node: Node, msg: string, shapes?: Record<string, readonly number[]>): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes });
}

export function parseWindowAttrs(node: Node): WindowAttrs {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  // Some exporters write an empty string for the default.
  const ap = autoPad === '' ? 'NOTSET' : autoPad;
  if (ap !== 'NOTSET' && ap !== 'SAME_UPPER' && ap !== 'SAME_LOWER' && ap !== 'VALID') fail(node, `auto_pad "${autoPad}" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  return {
    kernelShape: attrInts(node, 'kernel_shape'),
    strides: attrInts(node, 'strides'),
    dilations: attrInts(node, 'dilations'),
    pads: attrInts(node, 'pads'),
    autoPad: ap,
    ceilMode: attrInt(node, 'ceil_mode', 0) !== 0,
  };
}

/**
 * Resolves the window for an input of spatial shape `spatial` (the dims after N and C).
 * Output size per axis (spec): floor((in + pb + pe - ((k-1)*d + 1)) / s) + 1, or with
 * ceil_mode the ceiling, minus one when the last window would start past the input and its
 * left padding. auto_pad SAME_*: out = ceil(in / s) and the total pad
 * max(0, (out-1)*s + (k-1)*d + 1 - in) is split evenly, the odd one at the end for SAME_UPPER and
 * at the beginning for SAME_LOWER. VALID: no padding.
 */
export function resolveWindow(node: Node, a: WindowAttrs, spatial: readonly number[], kernel: readonly number[]): Window {
  const r = spatial.length;
  const shapes = { input_spatial: spatial, kernel };
  if (kernel.length !== r) fail(node, `kernel_shape has ${kernel.length} dims for ${r} spatial dims`, shapes);
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const dilations = a.dilations ?? new Array<number>(r).fill(1);
  const pads = a.pads ?? new Array<number>(2 * r).fill(0);
  if (strides.length !== r) fail(node, `strides has ${strides.length} values for ${r} spatial dims`, shapes);
  if (dilations.length !== r) fail(node, `dilations has ${dilations.length} values for ${r} spatial dims`, shapes);
  if (pads.length !== 2 * r) fail(node, `pads has ${pads.length} values for ${r} spatial dims (needs ${2 * r})`, shapes);
  const w: Window = { kernel: [...kernel], strides: [...strides], dilations: [...dilations], padsBegin: [], padsEnd: [], out: [] };
  for (let i = 0; i < r; i++) {
    const inSize = spatial[i];
    const k = kernel[i];
    const s = strides[i];
    const d = dilations[i];
    if (k < 1 || s < 1 || d < 1) fail(node, `kernel, stride and dilation must be ≥ 1 (axis ${i}: ${k}, ${s}, ${d})`, shapes);
    const span = (k - 1) * d + 1;
    let pb = 0;
    let pe = 0;
    let out: number;
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      out = Math.ceil(inSize / s);
      const total = Math.max(0, (out - 1) * s + span - inSize);
      pb = a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      pe = total - pb;
    } else {
      if (a.autoPad === 'NOTSET') {
        pb = pads[i];
        pe = pads[i + r];
        if (pb < 0 || pe < 0) fail(node, `negative pads are not supported (${pads.join(',')})`, shapes);
      }
      const room = inSize + pb + pe - span;
      if (room < 0) fail(node, `the window (extent ${span} on axis ${i}) is larger than the padded input (${inSize + pb + pe})`, shapes);
      if (a.ceilMode) {
        out = Math.ceil(room / s) + 1;
        // The last window must start inside the input or its left padding.
        if ((out - 1) * s >= inSize + pb) out--;
      } else {
        out = Math.floor(room / s) + 1;
      }
    }
    w.padsBegin.push(pb);
    w.padsEnd.push(pe);
    w.out.push(out);
  }
  return w;
}

/** 1-D windows as 2-D ones with a height of 1, so that one 2-D kernel serves both. */
export function as2d(w: Window): Window {
  if (w.kernel.length === 2) return w;
  return {
    kernel: [1, w.kernel[0]],
    strides: [1, w.strides[0]],
    dilations: [1, w.dilations[0]],
    padsBegin: [0, w.padsBegin[0]],
    padsEnd: [0, w.padsEnd[0]],
    out: [1, w.out[0]],
  };
}

/** [H, W] of a rank-3 (N, C, L) or rank-4 (N, C, H, W) shape. */
export function spatial2d(shape: readonly number[]): [number, number] {
  return shape.length === 3 ? [1, shape[2]] : [shape[2], shape[3]];
}

/** A window of fewer than `rank` spatial axes with leading axes of size 1 prepended (kernel 1,
 * stride 1, dilation 1, no padding, one output), so that a `rank`-D kernel runs 1-D…(rank-1)-D
 * windows too. The input's spatial shape is padded the same way by `spatialPadded`. */
export function padWindow(w: Window, rank: number): Window {
  const lead = rank - w.kernel.length;
  if (lead <= 0) return w;
  const ones = new Array<number>(lead).fill(1);
  const zeros = new Array<number>(lead).fill(0);
  return {
    kernel: [...ones, ...w.kernel],
    strides: [...ones, ...w.strides],
    dilations: [...ones, ...w.dilations],
    padsBegin: [...zeros, ...w.padsBegin],
    padsEnd: [...zeros, ...w.padsEnd],
    out: [...ones, ...w.out],
  };
}

/** The spatial dims (after N and C) of `shape`, with leading 1s up to `rank` dims. */
export function spatialPadded(shape: readonly number[], rank: number): number[] {
  const s = shape.slice(2);
  return [...new Array<number>(Math.max(0, rank - s.length)).fill(1), ...s];
}

/**
 * The uniforms of a kernel that walks a 3-D window (shaders/conv-direct.wgsl, im2col.wgsl): the
 * kernel and output extents and the per-axis strides, begin pads and dilations of `win3` (a window
 * padded to 3-D by padWindow).
 */
export function window3dUniforms(win3: Window): Record<string, number> {
  const [KD, KH, KW] = win3.kernel;
  const [OD, OH, OW] = win3.out;
  const [stride_d, stride_h, stride_w] = win3.strides;
  const [pad_d, pad_h, pad_w] = win3.padsBegin;
  const [dil_d, dil_h, dil_w] = win3.dilations;
  return { KD, KH, KW, OD, OH, OW, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w, dil_d, dil_h, dil_w };
}
