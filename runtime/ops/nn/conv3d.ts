// 3-D convolution (Conv on rank-5 inputs N, C, D, H, W: video and volumetric models), the
// kernels runtime/ops/nn/conv.ts picks for a 3-D window:
//   'implicit-gemm' (the default): the tiled GEMM over (output channel) x (batch*OD*OH*OW) x
//     (Cg*KD*KH*KW) of shaders/conv-gemm.wgsl, with a 3-D tap table (emitConvGemm in conv-gemm.ts);
//   'pointwise': 1x1x1 kernels with stride 1 and no padding, the same GEMM reading x directly;
//   'direct' (this file): one output per invocation (shaders/conv3d-direct.wgsl), the default
//     below 4 output channels per group, whose GEMM has too few rows to fill a tile.
// Strides, dilations, pads, auto_pad and groups are resolved by the shared window code
// (window.ts) exactly as for 1-D and 2-D convs.
import type { KernelBuilder } from '../types.js';
import type { ConvLowering } from './conv.js';
import { grid } from '../../gpu/plan.js';

const DIRECT_WG = 64;

export function emitConv3dDirect(k: KernelBuilder, l: ConvLowering): void {
  const x = k.inputs[0]!;
  const [N, C, D, H, W] = x.shape;
  const M = k.inputs[1]!.shape[0];
  const [OD, OH, OW] = l.win.out;
  const [KD, KH, KW] = l.win.kernel;
  const total = N * M * OD * OH * OW;
  if (total === 0) return;
  k.dispatch({
    shader: 'conv3d-direct',
    variant: 'direct 3d',
    defines: { WG: DIRECT_WG, ...l.epilogue },
    bindings: { ...l.bindings, w: l.weights() },
    uniforms: {
      total,
      C,
      D,
      H,
      W,
      M,
      OD,
      OH,
      OW,
      Cg: C / l.group,
      Mg: M / l.group,
      KD,
      KH,
      KW,
      stride_d: l.win.strides[0],
      stride_h: l.win.strides[1],
      stride_w: l.win.strides[2],
      pad_d: l.win.padsBegin[0],
      pad_h: l.win.padsBegin[1],
      pad_w: l.win.padsBegin[2],
      dil_d: l.win.dilations[0],
      dil_h: l.win.dilations[1],
      dil_w: l.win.dilations[2],
      ...l.act,
    },
    workgroups: grid(Math.ceil(total / DIRECT_WG), k.limits),
  });
}
