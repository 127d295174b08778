// The 'direct' Conv kernel (shaders/conv-direct.wgsl): one output per invocation, for 1-D, 2-D
// and 3-D windows (the first two padded to 3-D with leading axes of size 1). The default below 4
// output channels per group (conv.ts), whose GEMM has too few rows to fill a tile; the simple
// variant the others are tested against. 3-D convs otherwise run the implicit GEMM of
// shaders/conv-gemm.wgsl with a 3-D tap table, or 'pointwise' (conv-gemm.ts); strides,
// dilations, pads, auto_pad and groups are resolved by the shared window code (window.ts).
import type { KernelBuilder } from '../types.js';
import type { ConvLowering } from './conv.js';
import { grid } from '../../gpu/plan.js';
import { padWindow, spatialPadded, window3dUniforms } from './window.js';
import { sizeOf } from '../../ir/types.js';

const DIRECT_WG = 64;

export function emitConvDirect(k: KernelBuilder, l: ConvLowering): void {
  const x = k.inputs[0]!;
  const [N, C] = x.shape;
  const [D, H, W] = spatialPadded(x.shape, 3);
  const win = padWindow(l.win, 3);
  const M = k.inputs[1]!.shape[0];
  const total = N * M * sizeOf(win.out);
  if (total === 0) return;
  k.dispatch({
    shader: 'conv-direct',
    variant: `${l.win.kernel.length === 3 ? 'direct 3d' : 'direct'}${l.storage.tag}`,
    defines: { WG: DIRECT_WG, ...l.epilogue, S: l.storage.S },
    bindings: { ...l.bindings, w: l.weights() },
    uniforms: { total, C, D, H, W, M, Cg: C / l.group, Mg: M / l.group, ...window3dUniforms(win), ...l.act },
    workgroups: grid(Math.ceil(total / DIRECT_WG), k.limits),
  });
}
