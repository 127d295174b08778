// Conv kernel variant 'depthwise' (shaders/conv-depthwise.wgsl): 2-D (and 1-D) convs with one
// input channel per group (group = C, M = C * multiplier), the MobileNet/EfficientNet layers.
// Their implicit GEMM has a single row per group, which no GEMM tile fills, and the one output
// per invocation of 'direct' loads every input value KH*KW times; here an invocation computes a
// patch of outputs from one input patch, with the weights in registers.
// Kernel size, strides and dilations are compile-time constants of the shader (so that its
// loops unroll into register code): one pipeline per distinct (kernel, stride, dilation, patch),
// of which a network has a handful.
import type { KernelBuilder } from '../types.js';
import type { ConvLowering } from './conv.js';
import { sizeOf } from '../../ir/types.js';
import { grid } from '../../gpu/plan.js';
import { as2d, spatial2d } from './window.js';

/** Invocations per workgroup. */
const WG = 64;

/** Largest unrolled input patch (IPH * IPW values): beyond it (big kernels, large dilations) the
 * patch shrinks, so that the registers an invocation needs stay bounded. */
const MAX_INPUT_PATCH = 144;

export interface DepthwisePatch {
  /** Output rows and columns per invocation. */
  PH: number;
  PW: number;
}

/** Whether a conv of `Cg` input channels per group runs on the depthwise kernel. */
export function isDepthwise(Cg: number, spatialRank: number): boolean {
  return Cg === 1 && spatialRank <= 2;
}

function inputPatch(p: DepthwisePatch, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number {
  const iph = (p.PH - 1) * strides[0] + (kernel[0] - 1) * dilations[0] + 1;
  const ipw = (p.PW - 1) * strides[1] + (kernel[1] - 1) * dilations[1] + 1;
  return iph * ipw;
}

/**
 * The output patch per invocation: 4x4 (a stride-1 3x3 conv then loads 2.25 inputs per output
 * instead of 9), or the plane's size where it is smaller (a 1-D conv has one row), and smaller
 * while the input patch would exceed MAX_INPUT_PATCH registers (large kernels and dilations).
 * Measured on lavapipe over the MobileNetV2/EfficientNet-B0 layers of bench/conv-layers-dw.ts
 * (CPU time, ±15% run to run), against 1x4, 2x4, 4x2, 2x8, 8x4 and 4x8 patches: 2x4 ties with
 * 4x4 at stride 1 (fewer registers, more loads), 4x4 is 10-30% ahead at stride 2 and on 5x5
 * kernels, 1x4 and the 8-long patches are behind on most layers; against 'direct', 4x4 takes
 * 1/2 to 1/3 of the time.
 */
export function depthwisePatch(OH: number, OW: number, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): DepthwisePatch {
  const p: DepthwisePatch = { PH: Math.min(4, OH), PW: Math.min(4, OW) };
  while (inputPatch(p, kernel, strides, dilations) > MAX_INPUT_PATCH && (p.PH > 1 || p.PW > 1)) {
    if (p.PH >= p.PW) p.PH = Math.max(1, p.PH >> 1);
    else p.PW = Math.max(1, p.PW >> 1);
  }
  return p;
}

export function emitDepthwise(k: KernelBuilder, l: ConvLowering): void {
  const x = k.inputs[0]!;
  const [N, C] = x.shape;
  const M = k.inputs[1]!.shape[0];
  const [H, W] = spatial2d(x.shape);
  const win = as2d(l.win);
  const [OH, OW] = win.out;
  if (sizeOf(k.outputs[0].shape) === 0) return;
  const p = depthwisePatch(OH, OW, win.kernel, win.strides, win.dilations);
  const tiles_x = Math.ceil(OW / p.PW);
  const tiles_y = Math.ceil(OH / p.PH);
  const total = N * M * tiles_x * tiles_y;
  // vec4 input rows and output rows where the planes allow (see the shader's header).
  const VEC_X = W % 4 === 0 && p.PW === 4;
  const VEC_Y = OW % 4 === 0 && p.PW === 4;
  const XOFF = (((-win.padsBegin[1]) % 4) + 4) % 4;
  k.dispatch({
    shader: 'conv-depthwise',
    variant: `depthwise ${p.PH}x${p.PW}${VEC_X ? ' vx' : ''}${VEC_Y ? ' vy' : ''}${l.storage.tag}`,
    defines: {
      S: l.storage.S,
      VEC_X,
      VEC_Y,
      XOFF,
      WG,
      KH: win.kernel[0],
      KW: win.kernel[1],
      SH: win.strides[0],
      SW: win.strides[1],
      DH: win.dilations[0],
      DW: win.dilations[1],
      PH: p.PH,
      PW: p.PW,
      ...l.epilogue,
    },
    bindings: { ...l.bindings, w: l.weights() },
    uniforms: {
      C,
      H,
      W,
      M,
      OH,
      OW,
      mult: M / C,
      pad_h: win.padsBegin[0],
      pad_w: win.padsBegin[1],
      tiles_x,
      tiles_y,
      total,
      ...l.act,
    },
    workgroups: grid(Math.ceil(total / WG), k.limits),
  });
}
