// Variant 'subgroup' of the integer conv kernel (int-conv.ts): ConvInteger and QLinearConv as the
// subgroup-broadcast GEMM of shaders/conv-gemm-sg.wgsl, specialised with QUANT (8-bit operands
// read through the //#tensor accessors and multiplied in f32, the integer epilogue of
// shaders/quant-gemm-epilogue.wgsl). Why: on a software adapter (Mesa lavapipe, SwiftShader) a
// subgroup is one SIMD register and dot4I8Packed is emulated with scalar byte extracts and
// multiplies (measured on lavapipe: 'packed' and 'plain' take the same time), so the integer
// kernels pay ~4 operations per multiply-add and their per-element loads on top, where the f32
// subgroup GEMM pays ~1.5: the same GEMM on int8 values runs at about the float kernel's speed
// and reads a quarter of its bytes.
// Exactness: products of the shifted operands (|x̃| ≤ 128, |w̃| ≤ 128) and every partial sum are
// integers; f32 holds every integer up to 2^24, so the sum is exact where 128·Σ_k|w̃_k| ≤ 2^24
// for every output channel (checked here on the constant weights); layers that fail it take
// QCHUNK, where the GEMM moves its f32 sums to int32 every 1024 k (1024 products of at most 2^14
// sum to at most 2^24). The int32 results then equal the integer kernels' and onnxruntime's.
// Operands: B is x itself for 1x1 convs without padding (strided or not), else the im2col matrix
// of x in x's storage, padded with the zero point (ONNX's integer-conv padding); W is the
// constant weights shifted into int8 (w̃ = w - WSHIFT) as [group][K][ceil(Mg / 4)] words of 4
// output channels at one reduction index k = (c, kh, kw) (conv-gemm-sg.wgsl's w layout, in bytes).
import type { BufferRef, KernelBuilder } from '../types.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, elementBytes, storageOf } from '../../gpu/elements.js';
import { dispatchSubgroupGemm, type DenseB } from '../nn/conv-gemm.js';
import type { IntConvGeometry, IntConvIO } from './int-conv-types.js';

/** The largest integer below which every f32 integer is exact: 2^24. */
const F32_EXACT = 2 ** 24;
const IM2COL_WG = 64;
const IM2COL_QUADS = 4;

/** What the subgroup GEMM needs of one conv, computed once on the host. */
export interface SubgroupIntConv {
  words: Uint32Array;
  /** Per output channel: [Σ_k w̃_k, w_zp - WSHIFT]. */
  wq: Int32Array;
  K: number;
  /** 1x1 without padding: B is x itself. */
  pointwise: boolean;
  /** The x zero point as a constant (the im2col padding), 0 where absent. */
  xZp: number;
  /** Some row's sum could pass 2^24: the GEMM moves its f32 sums to int32 every 1024 k (QCHUNK). */
  chunked: boolean;
}

/** The weights and checks of the 'subgroup' variant, or why not: undefined where it cannot run
 * this node (no subgroups, weights or zero points computed on the GPU, a MatMul layout, QGemm's
 * float output, K above 2^17, where the unchunked f32 Σ_k x̃_k could leave f32's exact integers). */
export function subgroupIntConv(k: KernelBuilder, g: IntConvGeometry, io: IntConvIO): SubgroupIntConv | undefined {
  if (k.limits.subgroupMinSize < 4 || g.wl.batches) return undefined;
  const q = io.qlinear;
  if (q && (q.yScale === undefined || (q.alpha ?? 1) !== 1 || (q.biasStrides && (q.biasStrides[0] !== 1 || q.biasStrides[1] !== 0)))) return undefined;
  if (q && !k.constant(q.wScale)) return undefined;
  // NCHW conv geometry (a MatMul's A has its channels contiguous instead).
  const P = g.IH * g.IW;
  const C = (g.OC / g.MG) * g.Cg;
  if (g.xs[0] !== C * P || g.xs[1] !== P || g.xs[2] !== g.IW || g.xs[3] !== 1) return undefined;
  if (g.ys[0] !== g.OC * g.OH * g.OW || g.ys[1] !== g.OH * g.OW || g.ys[2] !== 1) return undefined;
  const w = k.constant(io.w);
  const hasWZp = !!k.inputs[io.wZp];
  const wZp = hasWZp ? k.constant(io.wZp) : undefined;
  if (!w || (hasWZp && !wZp)) return undefined;
  const pointwise = g.KH === 1 && g.KW === 1 && g.pad[0] === 0 && g.pad[1] === 0;
  const hasXZp = !!k.inputs[io.xZp];
  const xZpT = hasXZp ? k.constant(io.xZp) : undefined;
  if (!pointwise && hasXZp && !xZpT) return undefined;
  const KT = g.KH * g.KW;
  const K = g.Cg * KT;
  // Σ_k x̃_k (|x̃| ≤ 128) is summed in f32 without chunks.
  if (128 * K > F32_EXACT) return undefined;
  if (!pointwise && im2colBytes(k, g, K) > k.limits.maxStorageBufferBindingSize) return undefined;
  const shift = io.wSigned ? 0 : 128;
  const mq = Math.ceil(g.MG / 4);
  const words = new Uint32Array((g.OC / g.MG) * K * mq);
  const wq = new Int32Array(g.OC * 2);
  let chunked = false;
  for (let oc = 0; oc < g.OC; oc++) {
    const grp = Math.floor(oc / g.MG);
    const m = oc % g.MG;
    let sum = 0;
    let l1 = 0;
    for (let c = 0; c < g.Cg; c++) {
      for (let t = 0; t < KT; t++) {
        const v = w.data[oc * g.wl.o + c * g.wl.c + t * g.wl.t] - shift;
        sum += v;
        l1 += Math.abs(v);
        words[(grp * K + c * KT + t) * mq + (m >> 2)] |= (v & 0xff) << (8 * (m & 3));
      }
    }
    if (128 * l1 > F32_EXACT) chunked = true;
    wq[2 * oc] = sum;
    wq[2 * oc + 1] = (wZp ? wZp.data[io.perChannel ? oc : 0] : 0) - shift;
  }
  return { words, wq, K, pointwise, xZp: xZpT ? xZpT.data[0] : 0, chunked };
}

/** Bytes of the im2col matrix [group][K][ncols rounded up to 4] in x's storage. */
function im2colBytes(k: KernelBuilder, g: IntConvGeometry, K: number): number {
  const ld = Math.ceil((g.batch * g.OH * g.OW) / 4) * 4;
  return Math.ceil(((g.OC / g.MG) * K * ld * elementBytes(k.inputs[0]!.dtype, k.limits)) / 4) * 4;
}

/** The conv's B operand: x itself (pointwise) or its im2col matrix, written here. */
function denseB(k: KernelBuilder, g: IntConvGeometry, io: IntConvIO, s: SubgroupIntConv): DenseB {
  const x = k.input(io.x);
  const P = g.IH * g.IW;
  const OSP = g.OH * g.OW;
  if (s.pointwise) {
    const dense = { ref: x, b_bs: g.xs[0], b_gs: g.Cg * P, b_ks: P };
    if (g.stride[0] === 1 && g.stride[1] === 1) return { ...dense, vec: OSP % 4 === 0 };
    return { ...dense, vec: false, strided: { OW: g.OW, b_rs: g.stride[0] * g.IW, b_cs: g.stride[1] } };
  }
  const groups = g.OC / g.MG;
  const ncols = g.batch * OSP;
  const ld = Math.ceil(ncols / 4) * 4;
  const col = k.scratch(im2colBytes(k, g, s.K));
  const rows = groups * s.K;
  const runs = Math.ceil(ld / 4 / IM2COL_QUADS);
  const S = storageOf(k.inputs[io.x]!.dtype, k.limits);
  k.dispatch({
    shader: 'im2col',
    variant: `im2col-${S}`,
    defines: { WG: IM2COL_WG, QUADS: IM2COL_QUADS, S, C: computeOf(S), PAD: s.xZp },
    bindings: { x, col },
    uniforms: {
      rows, runs, C: groups * g.Cg, D: 1, H: g.IH, W: g.IW, Cg: g.Cg, ncols, ld4: ld / 4,
      KD: 1, KH: g.KH, KW: g.KW, OD: 1, OH: g.OH, OW: g.OW,
      stride_d: 1, stride_h: g.stride[0], stride_w: g.stride[1], pad_d: 0, pad_h: g.pad[0], pad_w: g.pad[1],
      dil_d: 1, dil_h: g.dil[0], dil_w: g.dil[1],
    },
    workgroups: grid(Math.ceil((rows * runs) / IM2COL_WG), k.limits),
  });
  // Column n of group g, row k at g*K*ld + k*ld + n (b_bs = OSP makes the column offset n).
  return { ref: col, b_bs: OSP, b_gs: s.K * ld, b_ks: ld, vec: true };
}

/** The conv on shaders/conv-gemm-sg.wgsl (QUANT); `qs` holds [x_zp, y_zp, x_scale, y_scale]. */
export function emitIntConvSubgroup(k: KernelBuilder, g: IntConvGeometry, io: IntConvIO, s: SubgroupIntConv, qs: BufferRef): void {
  const q = io.qlinear;
  const b = denseB(k, g, io, s);
  const bindings: Record<string, BufferRef> = { qs, wq: k.weight('sg-sums', s.wq) };
  if (q) {
    const ws = k.constant(q.wScale)!.data;
    bindings.w_scale = k.weight('sg-w-scale', Float32Array.from({ length: g.OC }, (_, oc) => ws[io.perChannel ? oc : 0]));
  }
  const [qmin, qmax] = q?.signed ? [-128, 127] : [0, 255];
  dispatchSubgroupGemm(k, {
    variant: `${q ? 'qlinear' : 'integer'}-subgroup${s.pointwise ? '-1x1' : ''}${s.chunked ? '-chunked' : ''}`,
    w: k.weight('sg-weights', s.words),
    b,
    y: k.output(0),
    bias: q?.bias !== undefined ? k.input(q.bias) : undefined,
    group: g.OC / g.MG,
    M: g.OC,
    Mg: g.MG,
    K: s.K,
    OSP: g.OH * g.OW,
    ncols: g.batch * g.OH * g.OW,
    epilogue: { HAS_BIAS: q?.bias !== undefined, HAS_RESIDUAL: false, ACTIVATION: 'v' },
    act: { act_alpha: 0, act_beta: 0, act_gamma: 0 },
    types: { SW: 'i8', SB: storageOf(k.inputs[io.x]!.dtype, k.limits), SY: storageOf(k.outputs[0].dtype, k.limits) },
    quant: { defines: { QUANT: true, QLINEAR: !!q, QCHUNK: s.chunked, XSHIFT: io.xSigned ? 0 : 128, QMIN: qmin, QMAX: qmax }, bindings },
  });
}
