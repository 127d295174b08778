// Conv kernel variants that run shaders/conv-gemm.wgsl, a tiled GEMM Y_g = W_g * B_g per group
// with the conv's output layout and epilogue (bias per row, residual, activation):
//   'pointwise': 1x1 (x1) kernel, stride 1, no padding, any group and rank: B_g is the input
//     itself (rows = channels, columns = batch x positions), read as vec4s where the strides
//     allow; the K loop has no index arithmetic and no bounds checks.
//   'im2col': 1-D/2-D/3-D convs: shaders/im2col.wgsl first writes the im2col matrix into a scratch
//     buffer ([group][K][ncols]), then the GEMM reads it as a dense operand. It pays a write and a
//     read of K x ncols values to save the implicit GEMM's per-element tap arithmetic and bounds
//     checks; see im2colWins for where that wins.
//   'implicit-gemm' for 3-D convs (conv.ts): the implicit GEMM, with a 3-D tap
//     table (2-D convs have their own copy in shaders/conv2d.wgsl).
// Element types: x, W (re-laid out through k.weight in W's type), B, y and the residual share one
// storage type (f32, or f16 for float16 on devices with shader-f16); so does the im2col matrix,
// whose elements are copies of x's (exact in f16, half the scratch memory and GEMM reads). The
// kernels accumulate in f32 and round once on store.
import type { BufferRef, KernelBuilder } from '../types.js';
import type { ConvLowering } from './conv.js';
import { sizeOf } from '../../ir/types.js';
import { LimitError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, elementBytes, halfTag, isHalfStorage, type StorageType } from '../../gpu/elements.js';
import type { Defines } from '../../gpu/shader.js';
import { as2d, padWindow, spatialPadded, window3dUniforms, type Window } from './window.js';

/**
 * Register-tiled GEMM tiles, 64 threads with 8x8 outputs each (TM * TN = 4096); K advances in
 * chunks of TK, so that the staged chunks, (TM + TN) * TK * 4 bytes, stay within WebGPU's
 * guaranteed 16 KiB of workgroup memory. `cost`: the relative time of one tile, measured on
 * lavapipe: the first four for the same tiles in shaders/conv2d.wgsl (runtime/ops/nn/conv.ts);
 * the two narrow ones, for outputs of a few positions (deep layers at small inputs), from
 * bench/conv-layers-dw.ts (512->512 at 4x4, 256->256 at 2x2, 160->160 at 4x4: one 256x16 tile
 * takes 1.35-1.4 times as long as one 128x32 tile, one 512x8 tile 1.8-1.9 times).
 */
const GEMM_TILES = [
  { TM: 128, TN: 32, TK: 16, cost: 1.0 },
  { TM: 64, TN: 64, TK: 16, cost: 1.1 },
  { TM: 32, TN: 128, TK: 16, cost: 1.25 },
  { TM: 16, TN: 256, TK: 8, cost: 1.6 },
  { TM: 256, TN: 16, TK: 8, cost: 1.4 },
  { TM: 512, TN: 8, TK: 4, cost: 1.9 },
];
export type GemmTile = { TM: number; TN: number; TK: number };

/**
 * The tile with the least cost for an Mg x ncols product: the number of tiles (idle rows past Mg
 * and idle columns past ncols count) times the tile's cost. Unlike shaders/conv2d.wgsl's choice by
 * rows alone, the columns count too: a 7x7 output (49 columns) in 128-column tiles is 62% idle.
 */
function gemmTile(Mg: number, ncols: number): GemmTile {
  const price = (t: (typeof GEMM_TILES)[number]) => Math.ceil(Mg / t.TM) * Math.ceil(ncols / t.TN) * t.cost;
  let best = GEMM_TILES[0];
  for (const t of GEMM_TILES) if (price(t) < price(best)) best = t;
  return { TM: best.TM, TN: best.TN, TK: best.TK };
}

const IM2COL_WG = 64;
/** Column quads per invocation of shaders/im2col.wgsl (16 columns). */
const IM2COL_QUADS = 4;

/**
 * A 1x1 (x1) window with no padding: the conv is a plain matrix product over x's channels. With
 * strides (1-D/2-D only) its columns are a strided subset of the plane, addressed once per thread.
 */
export function isPointwise(win: Window): boolean {
  const unpadded = win.padsBegin.every((p) => p === 0) && win.padsEnd.every((p) => p === 0);
  const strided = win.strides.some((s) => s !== 1);
  return win.kernel.every((d) => d === 1) && unpadded && (!strided || win.kernel.length <= 2);
}

/** Elements of the im2col matrix of a conv: [group][K][ld], ld = ncols rounded up to 4. */
function im2colElements(k: KernelBuilder, win: Window): number {
  const [N, C] = k.inputs[0]!.shape;
  return C * sizeOf(win.kernel) * Math.ceil((N * sizeOf(win.out)) / 4) * 4;
}

/** Bytes of the im2col matrix: it is stored in x's storage type (its elements are copies of x's,
 * so f16 storage is exact for float16 and halves the scratch memory and the GEMM's reads). */
function im2colBytes(k: KernelBuilder, win: Window): number {
  return im2colElements(k, win) * elementBytes(k.inputs[0]!.dtype, k.limits);
}

/** Largest im2col matrix the automatic choice accepts: it is scratch memory on top of the
 * activations (shared with other scratch buffers by the memory planner, but still a peak). */
const IM2COL_AUTO_MAX_BYTES = 16 << 20;
/** im2col's tile-steps must cost at most this fraction of the implicit GEMM's to be chosen. */
const IM2COL_MARGIN = 0.75;

function tileCost(t: GemmTile): number {
  return GEMM_TILES.find((g) => g.TM === t.TM && g.TN === t.TN)?.cost ?? 1;
}

/**
 * Whether 'im2col' beats the 2-D implicit GEMM (shaders/conv2d.wgsl, whose tile `implicitTile`
 * is chosen by the output channels alone). Measured on lavapipe (bench/conv-layers-dw.ts, CPU
 * time): with the same tile the two take about the same time, within ±10% (im2col's extra pass,
 * writing and re-reading K x ncols values, against the implicit GEMM's tap-table lookups and
 * bounds checks per staged value): 512->512 3x3 at 7x7, 256->256 at 6x6, 100->100 7x7 at 3x3,
 * 256->512 3x3 s2 at 14x14; the implicit GEMM ahead by 20-40% on 128->128 5x5 at 5x5 and 64->64
 * 3x3 at 7x7. im2col wins where its tile, chosen for both dims of the product (gemmTile here,
 * with the narrow 256x16 and 512x8 tiles), needs far fewer tile-steps than the implicit GEMM's,
 * which leaves most columns of a 128- or 32-column tile idle on an output of a few positions:
 * 160->160 3x3 at 4x4 3.7x, 512->512 3x3 s2 at 8x8 1.6x, 256->512 s2 at 8x8 1.5x, 96->96 5x5
 * at 7x7 1.35x, 37->70 3x3 at 6x6 1.45x. So: im2col when its tile-steps cost at most
 * IM2COL_MARGIN of the implicit GEMM's, and the matrix fits IM2COL_AUTO_MAX_BYTES and one
 * storage binding. Where the subgroup GEMM runs (software adapters), im2col + that GEMM wins
 * whenever the matrix fits: 1.5-3x the implicit GEMM's speed on every layer measured (ResNet-50's
 * 3x3 stride-2 convs, its 7x7 stem, 3x3 layers from 64@56 to 512@7; bench/conv-layers.ts).
 */
export function im2colWins(k: KernelBuilder, group: number, win: Window, implicitTile: GemmTile): boolean {
  const bytes = im2colBytes(k, win);
  if (bytes > Math.min(k.limits.maxStorageBufferBindingSize, IM2COL_AUTO_MAX_BYTES)) return false;
  // Where the subgroup GEMM runs, im2col + that GEMM beats the implicit GEMM on every layer measured
  // (3-D ones included: R3D-18's 3x3x3 convs).
  if (subgroupGemmApplies(k)) return true;
  if (win.kernel.length > 2) return false;
  const win2d = as2d(win);
  const [N] = k.inputs[0]!.shape;
  const Mg = k.inputs[1]!.shape[0] / group;
  const ncols = N * win2d.out[0] * win2d.out[1];
  const price = (t: GemmTile) => Math.ceil(Mg / t.TM) * Math.ceil(ncols / t.TN) * tileCost(t);
  return price(gemmTile(Mg, ncols)) <= IM2COL_MARGIN * price(implicitTile);
}

/** W [group * Mg, K] (the ONNX layout, rows of K) as [group][K][ceil(Mg / 4) * 4], rows past Mg zero. */
function transposeWeights(w: ArrayLike<number>, group: number, Mg: number, K: number): Float32Array {
  const ld = Math.ceil(Mg / 4) * 4;
  const out = new Float32Array(group * K * ld);
  for (let g = 0; g < group; g++) {
    for (let m = 0; m < Mg; m++) {
      const src = (g * Mg + m) * K;
      for (let kk = 0; kk < K; kk++) out[(g * K + kk) * ld + m] = w[src + kk];
    }
  }
  return out;
}

/** The dense B operand of the GEMM (see shaders/conv-gemm.wgsl). */
export interface DenseB {
  ref: BufferRef;
  b_bs: number;
  b_gs: number;
  b_ks: number;
  /** Read as vec4s: every column quad is 4 contiguous, aligned elements inside the buffer. */
  vec: boolean;
  /** A strided 1x1 conv: output position p sits at (p / OW) * b_rs + (p % OW) * b_cs in its plane. */
  strided?: { OW: number; b_rs: number; b_cs: number };
}

interface ImplicitB {
  ktab: BufferRef;
  uniforms: Record<string, number>;
}

/** Output geometry shared by every mode: x [N, C, spatial...], y [N, M, out...]. */
function geometry(k: KernelBuilder, l: ConvLowering) {
  const x = k.inputs[0]!;
  const [N, C] = x.shape;
  const M = k.inputs[1]!.shape[0];
  const Cg = C / l.group;
  const Mg = M / l.group;
  const OSP = sizeOf(l.win.out);
  return { N, C, M, Cg, Mg, OSP, ncols: N * OSP, kernelSize: sizeOf(l.win.kernel) };
}

function dispatchGemm(k: KernelBuilder, l: ConvLowering, variant: string, K: number, source: { dense: DenseB } | { implicit: ImplicitB }): void {
  const { M, Mg, OSP, ncols } = geometry(k, l);
  const tile = gemmTile(Mg, ncols);
  const n_tiles = Math.ceil(ncols / tile.TN);
  const m_tiles = Math.ceil(Mg / tile.TM);
  const tiles = n_tiles * m_tiles * l.group;
  const shared = (tile.TM + tile.TN) * tile.TK * 4;
  if (shared > k.limits.maxComputeWorkgroupStorageSize) {
    throw new LimitError(`the conv tile needs ${shared} bytes of workgroup memory, above the device's ${k.limits.maxComputeWorkgroupStorageSize}`, {
      op: k.node.opType,
      node: k.node.name,
      hint: 'use convAlgorithm: "direct"',
    });
  }
  const { x, ...rest } = l.bindings;
  // Constant weights are uploaded transposed instead (vec4 loads of A, see the shader).
  const wt = k.constant(1);
  const vecA = !!wt;
  const w = wt ? k.weight('wt', transposeWeights(wt.data, l.group, Mg, K), k.inputs[1]!.dtype) : l.weights();
  const { S, tag } = l.storage;
  const common = { M, Mg, K, OSP, ncols, n_tiles, m_tiles, tiles, ...l.act, ...(vecA ? { mq: Math.ceil(Mg / 4) } : {}) };
  if ('implicit' in source) {
    k.dispatch({
      shader: 'conv-gemm',
      variant: `${variant} ${tile.TM}x${tile.TN}${tag}`,
      defines: { ...tile, ...l.epilogue, S, SY: S, IMPLICIT: true, VEC_A: vecA },
      bindings: { ...rest, x, w, ktab: source.implicit.ktab },
      uniforms: { ...common, ...source.implicit.uniforms },
      workgroups: grid(tiles, k.limits),
    });
    return;
  }
  const b = source.dense;
  if (subgroupGemmApplies(k)) {
    const { y, bias, residual } = l.bindings;
    dispatchSubgroupGemm(k, { variant, w, b, y, bias, residual, group: l.group, M, Mg, K, OSP, ncols, epilogue: l.epilogue, act: l.act, types: { SW: S, SB: S, SY: S } });
    return;
  }
  k.dispatch({
    shader: 'conv-gemm',
    variant: `${variant} ${tile.TM}x${tile.TN}${b.strided ? ' strided' : b.vec ? '' : ' scalar'}${tag}`,
    defines: { ...tile, ...l.epilogue, S, SY: S, IMPLICIT: false, VEC_A: vecA, VEC_B: b.vec, STRIDED: !!b.strided },
    bindings: { ...rest, w, b: b.ref },
    uniforms: { ...common, b_bs: b.b_bs, b_gs: b.b_gs, b_ks: b.b_ks, ...b.strided },
    workgroups: grid(tiles, k.limits),
  });
}

/** Rows of Y_g per workgroup of shaders/conv-gemm-sg.wgsl (8 lanes x a vec4 of rows). */
const SG_ROWS = 32;
/** Workgroup sizes of shaders/conv-gemm-sg.wgsl (4 columns per invocation). */
const SG_WORKGROUPS = [64, 16];
/** Measured costs (lavapipe CPU time, see subgroupGemmCostNs). */
const SG_NS_PER_MAC = 0.16;
const IM2COL_NS_PER_ELEMENT = 7;

/** Whether this conv's dense GEMM ('pointwise', 'im2col') runs as shaders/conv-gemm-sg.wgsl. */
export function subgroupGemmApplies(k: KernelBuilder): boolean {
  return !!k.constant(1) && useSubgroupGemm(k);
}

/**
 * Whether a GEMM with constant weights runs as shaders/conv-gemm-sg.wgsl: gemmKernel 'subgroup',
 * or 'auto' on a software adapter, where it was measured faster on every 1x1 layer of ResNet-50
 * and MobileNetV2 (see the shader's header); both need subgroups of at least 4 lanes (the kernel
 * broadcasts from lanes 0-7, or 0-3 with LANES4).
 */
export function useSubgroupGemm(k: KernelBuilder): boolean {
  const choice = k.options.gemmKernel ?? 'auto';
  if (choice === 'tiled' || k.limits.subgroupMinSize < 4) return false;
  return choice === 'subgroup' || k.limits.softwareAdapter;
}

/**
 * One dense GEMM on shaders/conv-gemm-sg.wgsl: Y_g = W_g B_g for `group` groups of Mg rows, with
 * y laid out as [batch][M][OSP] (row m of group g at channel g * Mg + m) and the epilogue of
 * `epilogue`/`act`. `w` is [group][K][ceil(Mg / 4) * 4] (transposeWeights). Also Winograd's
 * batched GEMM over its transform points (conv-winograd.ts: a point is a group).
 */
export interface SubgroupGemm {
  variant: string;
  w: BufferRef;
  b: DenseB;
  y: BufferRef;
  bias?: BufferRef;
  residual?: BufferRef;
  group: number;
  M: number;
  Mg: number;
  K: number;
  OSP: number;
  ncols: number;
  epilogue: ConvLowering['epilogue'];
  act: ConvLowering['act'];
  /** Storage types of w, b and y (with bias and residual): the conv's values' type (S), or f32
   * for Winograd's transformed filters, scratch tiles and products. */
  types: { SW: StorageType; SB: StorageType; SY: StorageType };
  /** An integer conv (runtime/ops/quant/int-conv-sg.ts): the QUANT defines and the bindings of
   * shaders/quant-gemm-epilogue.wgsl. */
  quant?: { defines: Defines; bindings: Record<string, BufferRef> };
}

/** The workgroup size of shaders/conv-gemm-sg.wgsl that leaves the fewest idle columns (a 7x7
 * output: 16 invocations, 64 columns), and the columns it computes. */
function subgroupColumns(ncols: number): { WG: number; padded: number } {
  const padded = (wg: number) => Math.ceil(ncols / (wg * 4)) * wg * 4;
  const WG = SG_WORKGROUPS.reduce((best, wg) => (padded(wg) < padded(best) ? wg : best));
  return { WG, padded: padded(WG) };
}

/**
 * Estimated lavapipe CPU time (ns) of shaders/conv-gemm-sg.wgsl: SG_NS_PER_MAC per multiply-add
 * of the padded product (rows to 32, columns to the workgroup's). The cost rules of conv.ts and
 * conv-winograd.ts compare it with im2colCostNs and Winograd's transforms.
 */
export function subgroupGemmCostNs(group: number, Mg: number, K: number, ncols: number): number {
  return SG_NS_PER_MAC * group * Math.ceil(Mg / SG_ROWS) * SG_ROWS * subgroupColumns(ncols).padded * K;
}

/** Estimated lavapipe CPU time (ns) of im2col + the subgroup GEMM for a conv. */
export function subgroupIm2colCostNs(k: KernelBuilder, group: number, win: Window): number {
  const [N, C] = k.inputs[0]!.shape;
  const Mg = k.inputs[1]!.shape[0] / group;
  const K = (C / group) * sizeOf(win.kernel);
  const ncols = N * sizeOf(win.out);
  return IM2COL_NS_PER_ELEMENT * im2colElements(k, win) + subgroupGemmCostNs(group, Mg, K, ncols);
}

export function dispatchSubgroupGemm(k: KernelBuilder, s: SubgroupGemm): void {
  const { WG } = subgroupColumns(s.ncols);
  const n_tiles = Math.ceil(s.ncols / (WG * 4));
  const m_tiles = Math.ceil(s.Mg / SG_ROWS);
  const tiles = n_tiles * m_tiles * s.group;
  const { b } = s;
  k.dispatch({
    shader: 'conv-gemm-sg',
    variant: `${s.variant} sg${WG}${b.strided ? ' strided' : b.vec ? '' : ' scalar'}${halfTag(Object.values(s.types).find(isHalfStorage) ?? 'f32', ' ')}`,
    defines: { WG, ...s.epilogue, ...s.types, VEC_B: b.vec, STRIDED: !!b.strided, LANES4: k.limits.subgroupMinSize < 8, ...s.quant?.defines },
    bindings: { w: s.w, b: b.ref, y: s.y, ...(s.bias ? { bias: s.bias } : {}), ...(s.residual ? { residual: s.residual } : {}), ...s.quant?.bindings },
    uniforms: {
      M: s.M,
      Mg: s.Mg,
      K: s.K,
      OSP: s.OSP,
      ncols: s.ncols,
      n_tiles,
      m_tiles,
      tiles,
      mq: Math.ceil(s.Mg / 4),
      b_bs: b.b_bs,
      b_gs: b.b_gs,
      b_ks: b.b_ks,
      ...b.strided,
      ...s.act,
    },
    workgroups: grid(tiles, k.limits),
  });
}

/**
 * The implicit GEMM's tap table for up to 3 spatial axes (1-D/2-D windows padded to 3-D): for
 * k = (c, kd, kh, kw), the offset of the tap from the window origin in x and its (depth, row,
 * column) displacement for the bounds check.
 */
function kTable3d(Cg: number, spatial: readonly number[], win3: Window): Int32Array {
  const [D, H, W] = spatial;
  const [KD, KH, KW] = win3.kernel;
  const [dd, dh, dw] = win3.dilations;
  const t = new Int32Array(Cg * KD * KH * KW * 4);
  let i = 0;
  for (let c = 0; c < Cg; c++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          t[i++] = c * D * H * W + kd * dd * H * W + kh * dh * W + kw * dw;
          t[i++] = kd * dd;
          t[i++] = kh * dh;
          t[i++] = kw * dw;
        }
      }
    }
  }
  return t;
}

/** 'pointwise' (B is x) or the implicit GEMM of a 1-D/2-D/3-D conv. */
export function emitConvGemm(k: KernelBuilder, l: ConvLowering, mode: 'pointwise' | 'implicit'): void {
  const g = geometry(k, l);
  if (g.ncols === 0 || g.M === 0) return;
  if (mode === 'pointwise') {
    // B_g[c, n] = x[b, g*Cg + c, p] with n = (b, p): rows (planes) ISP apart, batches C*ISP apart.
    const ISP = sizeOf(k.inputs[0]!.shape.slice(2));
    const dense = { ref: l.bindings.x, b_bs: g.C * ISP, b_gs: g.Cg * ISP, b_ks: ISP };
    if (l.win.strides.every((s) => s === 1)) {
      dispatchGemm(k, l, 'pointwise', g.Cg, { dense: { ...dense, vec: g.OSP % 4 === 0 } });
      return;
    }
    // Strided (1-D/2-D, see isPointwise): output (oh, ow) reads input (oh * sh, ow * sw).
    const win = as2d(l.win);
    const W = k.inputs[0]!.shape[k.inputs[0]!.shape.length - 1];
    const strided = { OW: win.out[1], b_rs: win.strides[0] * W, b_cs: win.strides[1] };
    dispatchGemm(k, l, 'pointwise', g.Cg, { dense: { ...dense, vec: false, strided } });
    return;
  }
  const spatial = spatialPadded(k.inputs[0]!.shape, 3);
  const win3 = padWindow(l.win, 3);
  const [D, H, W] = spatial;
  const [, OH, OW] = win3.out;
  dispatchGemm(k, l, 'implicit-gemm', g.Cg * g.kernelSize, {
    implicit: {
      ktab: k.weight('ktab3d', kTable3d(g.Cg, spatial, win3)),
      uniforms: {
        C: g.C,
        Cg: g.Cg,
        D,
        H,
        W,
        OH,
        OW,
        stride_d: win3.strides[0],
        stride_h: win3.strides[1],
        stride_w: win3.strides[2],
        pad_d: win3.padsBegin[0],
        pad_h: win3.padsBegin[1],
        pad_w: win3.padsBegin[2],
      },
    },
  });
}

/** 'im2col': the im2col matrix into a scratch buffer, then the GEMM on it (any rank, padded to 3-D). */
export function emitIm2col(k: KernelBuilder, l: ConvLowering): void {
  const g = geometry(k, l);
  if (g.ncols === 0 || g.M === 0) return;
  const [D, H, W] = spatialPadded(k.inputs[0]!.shape, 3);
  const win = padWindow(l.win, 3);
  const K = g.Cg * sizeOf(win.kernel);
  const ld = Math.ceil(g.ncols / 4) * 4;
  const bytes = im2colBytes(k, win);
  if (bytes > k.limits.maxStorageBufferBindingSize) {
    throw new LimitError(`the im2col matrix needs ${bytes} bytes, above maxStorageBufferBindingSize ${k.limits.maxStorageBufferBindingSize}`, {
      op: k.node.opType,
      node: k.node.name,
      hint: 'use convAlgorithm "implicit-gemm" for this conv',
    });
  }
  const col = k.scratch(bytes);
  const rows = l.group * K;
  const runs = Math.ceil(ld / 4 / IM2COL_QUADS);
  k.dispatch({
    shader: 'im2col',
    variant: `im2col${l.storage.tag}`,
    defines: { WG: IM2COL_WG, QUADS: IM2COL_QUADS, S: l.storage.S, C: computeOf(l.storage.S), PAD: 0 },
    bindings: { x: l.bindings.x, col },
    uniforms: {
      rows,
      runs,
      C: g.C,
      D,
      H,
      W,
      Cg: g.Cg,
      ncols: g.ncols,
      ld4: ld / 4,
      ...window3dUniforms(win),
    },
    workgroups: grid(Math.ceil((rows * runs) / IM2COL_WG), k.limits),
  });
  // Column n of group g, row k sits at g*K*ld + k*ld + n (b_bs = OSP makes the column offset n).
  dispatchGemm(k, l, 'im2col gemm', K, { dense: { ref: col, b_bs: g.OSP, b_gs: K * ld, b_ks: ld, vec: true } });
}
