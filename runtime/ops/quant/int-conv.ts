// The integer convolution kernel shared by ConvInteger, MatMulInteger, QLinearConv and
// QLinearMatMul (shaders/quant-conv.wgsl): geometry of a conv or a MatMul as one strided 2-D
// window, the packed weights (int-pack.ts), the zero points, and (QLinear*) the requantisation.
// Kernel variants (session option forceAlgorithm): 'subgroup' (int-conv-sg.ts: the f32 subgroup
// GEMM of shaders/conv-gemm-sg.wgsl on 8-bit operands, exact in f32 chunks below 2^24), 'tiled' (shaders/quant-conv-tiled.wgsl: 4
// output channels x 4 pixels per invocation on dot4I8Packed), 'packed' (quant-conv.wgsl, one
// output per invocation on dot4I8Packed) and 'plain' (quant-conv.wgsl with i32 products, for
// devices without WGSL's packed_4x8_integer_dot_product). The choice is intConvAlgorithm's.
import type { BufferRef, KernelBuilder } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { grid } from '../../gpu/plan.js';
import { storageOf } from '../../gpu/elements.js';
import { packedWeights } from './int-pack.js';
import type { IntConvGeometry, IntConvIO } from './int-conv-types.js';
import { emitIntConvSubgroup, subgroupIntConv, type SubgroupIntConv } from './int-conv-sg.js';
import { zpBuffer } from './util.js';

export const INT_CONV_ALGORITHMS = ['subgroup', 'tiled', 'packed', 'plain'] as const;
export type IntConvAlgorithm = (typeof INT_CONV_ALGORITHMS)[number];
const WG = 64;

export type { IntConvGeometry, IntConvIO } from './int-conv-types.js';

/** The kernel of one integer conv / MatMul, in one place. Without packed_4x8_integer_dot_product
 * only 'plain' and 'subgroup' compile. On a software adapter 'subgroup' (int-conv-sg.ts: the f32
 * subgroup GEMM on 8-bit operands) wherever it applies: measured on lavapipe (the project's
 * int8 U-Net and ResNet-18, see the issue note) it is several times the speed of 'tiled', whose
 * dot4I8Packed the adapter emulates. Otherwise 'tiled' wherever its 4x4 block is filled (at
 * least 4 output channels per group and 4 output pixels): on lavapipe the faster one on every
 * ResNet-style 1x1 and 3x3 layer (bench/int8-layers.ts); depthwise convs (1 channel per group)
 * would leave 3 of its 4 channel lanes idle and stay on 'packed', as they stay off 'subgroup'
 * (32 rows per tile). forceAlgorithm overrides the rule where the variant can run the node. */
export function intConvAlgorithm(k: KernelBuilder, g?: IntConvGeometry, sg?: SubgroupIntConv): IntConvAlgorithm {
  const f = k.options.forceAlgorithm;
  if (f === 'subgroup' && sg) return 'subgroup';
  if (!k.limits.packedDot4x8) return sg && k.limits.softwareAdapter && g!.MG >= 4 ? 'subgroup' : 'plain';
  if (f === 'tiled' || f === 'packed' || f === 'plain') return f;
  if (sg && k.limits.softwareAdapter && g!.MG >= 4) return 'subgroup';
  return g && g.MG >= 4 && g.OH * g.OW >= 4 ? 'tiled' : 'packed';
}

export function emitIntConv(k: KernelBuilder, g: IntConvGeometry, io: IntConvIO): void {
  const total = g.batch * g.OC * g.OH * g.OW;
  if (total === 0) return;
  // The subgroup GEMM's host work (its weight layout and exactness check) only where it may run.
  const f = k.options.forceAlgorithm;
  const other = f === 'tiled' || f === 'packed' || f === 'plain';
  const sg = f === 'subgroup' || (k.limits.softwareAdapter && !other) ? subgroupIntConv(k, g, io) : undefined;
  const algo = intConvAlgorithm(k, g, sg);
  if (algo === 'subgroup') {
    emitIntConvSubgroup(k, g, io, sg!, activationScalars(k, io));
    return;
  }
  // Depthwise convs (one input channel per group) pack 4 taps per word instead of 4 channels:
  // the weights' taps are laid out as if they were the channels of a 1x1 kernel.
  const taps = algo !== 'tiled' && g.Cg === 1 && g.KH * g.KW > 1;
  const layout = taps ? { ...g.wl, Cg: g.wl.KT, KT: 1, c: g.wl.t, t: 0 } : g.wl;
  const { w, wsum } = packedWeights(k, io.w, { ...layout, shift: io.wSigned ? 0 : 128 });
  const q = io.qlinear;
  const bindings: Record<string, BufferRef> = {
    x: k.input(io.x),
    w,
    wsum,
    qs: activationScalars(k, io),
    w_zp: zpBuffer(k, io.wZp, 'w-zero-point', g.OC),
    y: k.output(0),
  };
  if (q) {
    bindings.w_scale = k.input(q.wScale);
    if (q.bias !== undefined) bindings.bias = k.input(q.bias);
  }
  const requant = !!q && q.yScale !== undefined;
  const floatOut = !!q && !requant;
  const [qmin, qmax] = q?.signed ? [-128, 127] : [0, 255];
  const tiled = algo === 'tiled';
  // 'tiled': one invocation per block of 4 channels (within a group) x 4 pixels.
  const invocations = tiled ? g.batch * (g.OC / g.MG) * Math.ceil(g.MG / 4) * Math.ceil((g.OH * g.OW) / 4) : total;
  k.dispatch({
    shader: tiled ? 'quant-conv-tiled' : 'quant-conv',
    variant: `${requant ? 'qlinear' : floatOut ? 'scaled' : 'integer'}-${algo}${taps ? '-taps' : g.KH * g.KW > 1 ? '' : '-1x1'}`,
    defines: {
      WG, ...(tiled ? {} : { PACKED: algo === 'packed', TAPS: taps }), SCALED: !!q, QLINEAR: requant, FLOAT_OUT: floatOut, HAS_BIAS: q?.bias !== undefined,
      XSHIFT: io.xSigned ? 0 : 128, WSHIFT: io.wSigned ? 0 : 128, QMIN: qmin, QMAX: qmax,
      TX: storageOf(k.inputs[io.x]!.dtype, k.limits), TY: storageOf(k.outputs[0].dtype, k.limits),
    },
    bindings,
    uniforms: {
      total, OC: g.OC, MG: g.MG, Cg: g.Cg, CP4: Math.ceil(layout.Cg / 4),
      OH: g.OH, OW: g.OW, IH: g.IH, IW: g.IW, KH: g.KH, KW: g.KW,
      stride_h: g.stride[0], stride_w: g.stride[1], pad_h: g.pad[0], pad_w: g.pad[1], dil_h: g.dil[0], dil_w: g.dil[1],
      x_n: g.xs[0], x_c: g.xs[1], x_h: g.xs[2], x_w: g.xs[3],
      y_n: g.ys[0], y_c: g.ys[1], y_p: g.ys[2],
      w_per_channel: io.perChannel ? 1 : 0,
      w_n: g.wl.batches ? g.OC * g.KH * g.KW * Math.ceil(g.Cg / 4) : 0,
      wsum_n: g.wl.batches ? g.OC : 0,
      bias_oc: q?.biasStrides?.[0] ?? 1, bias_p: q?.biasStrides?.[1] ?? 0, alpha: q?.alpha ?? 1,
    },
    workgroups: grid(Math.ceil(invocations / WG), k.limits),
  });
}

/** The per-tensor scalars [x_zero_point, y_zero_point, x_scale, y_scale] in one 4-word buffer
 * (the layout of `qs` in shaders/quant-conv-io.wgsl; absent ones are zero points 0 and scales 1):
 * written at create when all are constant, else gathered on the GPU by shaders/quant-scalars.wgsl
 * (x's zero point and scale from a DynamicQuantizeLinear). */
function activationScalars(k: KernelBuilder, io: IntConvIO): BufferRef {
  const q = io.qlinear;
  const zps = [io.xZp, q?.yZp];
  const scales = [q?.xScale, q?.yScale];
  const present = [...zps, ...scales].filter((i): i is number => i !== undefined && !!k.inputs[i]);
  if (present.every((i) => k.constant(i))) {
    const words = new Uint32Array(4);
    const ints = new Int32Array(words.buffer, 0, 2);
    const floats = new Float32Array(words.buffer, 8, 2);
    zps.forEach((i, j) => (ints[j] = i !== undefined && k.inputs[i] ? k.constant(i)!.data[0] : 0));
    scales.forEach((i, j) => (floats[j] = i !== undefined && k.inputs[i] ? k.constant(i)!.data[0] : 1));
    return k.weight('activation-scalars', words);
  }
  const one = (key: string) => k.weight(key, new Float32Array([1]));
  // The zero points as they are stored (i32, or a packed byte: read through accessors), absent
  // ones as an i32 zero.
  const zp = (i: number | undefined, key: string): [BufferRef, string] =>
    i !== undefined && k.inputs[i] ? [k.input(i), storageOf(k.inputs[i]!.dtype, k.limits)] : [k.weight(key, new Int32Array(1)), 'i32'];
  const [xZp, TXZ] = zp(io.xZp, 'x-zero-point');
  const [yZp, TYZ] = zp(q?.yZp, 'y-zero-point');
  const qs = k.scratch(16);
  k.dispatch({
    shader: 'quant-scalars',
    variant: 'gather',
    defines: { TXZ, TYZ },
    bindings: {
      x_zp: xZp,
      y_zp: yZp,
      x_scale: q ? k.input(q.xScale) : one('x-scale'),
      y_scale: q?.yScale !== undefined ? k.input(q.yScale) : one('y-scale'),
      qs,
    },
    workgroups: [1],
  });
  return qs;
}

/** Geometry of a MatMul of A [..., M, K] by B [K, N] (A's batch dims folded into rows) or by a
 * B [..., K, N] with A's batch dims (one packed B per batch; mat-mul-common.ts checks the shapes). */
export function matMulGeometry(aShape: readonly number[], bShape: readonly number[]): IntConvGeometry {
  const K = aShape[aShape.length - 1];
  const N = bShape[bShape.length - 1];
  if (bShape.length > 2) {
    const M = aShape[aShape.length - 2];
    const batch = sizeOf(bShape.slice(0, -2));
    return {
      batch, OC: N, MG: N, Cg: K, OH: 1, OW: M, IH: 1, IW: M, KH: 1, KW: 1,
      stride: [1, 1], pad: [0, 0], dil: [1, 1],
      xs: [M * K, 1, 0, K], ys: [M * N, 1, N],
      wl: { OC: N, Cg: K, KT: 1, o: 1, c: N, t: 0, batches: batch, b: K * N },
    };
  }
  const rows = sizeOf(aShape) / Math.max(1, K);
  return {
    batch: 1, OC: N, MG: N, Cg: K, OH: 1, OW: rows, IH: 1, IW: rows, KH: 1, KW: 1,
    stride: [1, 1], pad: [0, 0], dil: [1, 1],
    xs: [0, 1, 0, K], ys: [0, 1, N],
    wl: { OC: N, Cg: K, KT: 1, o: 1, c: N, t: 0 },
  };
}
