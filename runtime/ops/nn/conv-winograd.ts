// Winograd convolution for 3x3, stride 1, dilation 1, group 1 Convs (Lavin & Gray 2015, "Fast
// Algorithms for Convolutional Neural Networks"): F(m x m, 3x3) computes an m x m output tile
// from an (m+2) x (m+2) input tile d as
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
// with (m+2)² multiplies per tile and channel pair instead of 9m². Summed over the input
// channels, the elementwise product becomes one GEMM per transform point (xi):
//   prod[xi][m, p] = sum_c U[xi][c, m] V[xi][c, p],  U = G g Gᵀ, V = Bᵀ d B,
// so a conv runs as three dispatches (shaders/winograd-input.wgsl, winograd-gemm.wgsl,
// winograd-output.wgsl):
//   1. input transform: V for every (channel, tile): tiles of m+2 overlap by 2, and taps outside
//      the image read 0 (the conv's padding: any pads, asymmetric included);
//   2. batched GEMM over the points: M = output channels, N = tiles (batch included),
//      K = input channels;
//   3. output transform Aᵀ prod A, with the conv epilogue (bias, residual, fused activation) and
//      the ragged last row/column of tiles clipped.
// The filter transform U = G g Gᵀ is done once, at create, on the host in float64 (the weights
// must be constant: an initializer, or BatchNorm-folded weights), and uploaded as a kernel
// weight; W itself is then never uploaded for this node.
// Variants (forceAlgorithm / convAlgorithm names; the automatic choice is in conv.ts):
//   'winograd-f2': F(2x2,3x3), 4x4 tiles, points 0, ±1, ∞: 16 multiplies for 4 outputs (2.25x
//     fewer than direct). Its transforms only add, subtract and halve.
//   'winograd': F(4x4,3x3), 6x6 tiles, points 0, ±1, ±2, ∞: 36 multiplies for 16 outputs (4x
//     fewer). Its coefficients (up to 8 in Aᵀ and Bᵀ's 5s, 1/24 in G) amplify rounding error.
// Numerical error, measured on lavapipe against onnxruntime-node (CPU), as the whole-tensor
// relative error max|y - ref| / max|ref|:
//                                         implicit-gemm   winograd-f2   winograd (F(4x4))
//   64->64 @56 .. 512->512 @7, x and w
//     uniform in [-1, 1)                  1.1e-6-2.8e-6   3.9e-7-8.4e-7   5.5e-6-1.3e-5
//   same layers, x in [0, 1), He weights  1.2e-6-2.7e-6   4.5e-7-9.8e-7   4.4e-6-9.3e-6
//   whole models forced to the variant (64x64 inputs; tests/models.test.ts's exports):
//     resnet18 / resnet50 / googlenet     2.1 / 4.6 / 3.3e-6   2.5 / 3.3 / 2.4e-6   3.7 / 4.9 / 4.9e-6
// So F(4x4) is ~4x less exact than the direct conv per layer (its absolute error is that of the
// tile's largest values, ~1e-5 of the layer's output scale) and F(2x2) slightly more exact (its
// GEMM sums C products, not 9C): both far inside the 1e-3 whole-model tolerance.
// Element types: x, y, bias and the residual are in the values' storage type (f32, or f16 for
// float16 on devices with shader-f16); U, V and prod are f32 whatever the values' type. The
// transforms' coefficients (up to 8 in Aᵀ, Bᵀ's 5s, G's 1/24) amplify rounding: U rounded to f16
// was measured (lavapipe, 8->12 channels at 9x11, float16 x and w in [-1, 1), output scale 9.5)
// at 4.4e-2 max abs error for F(4x4) and 7.8e-3 for F(2x2), against 4.9e-4 (one f16 step of the
// result) with U in f32; V's sums (up to 100x the inputs) and the products would lose the same
// bits. The cost is memory: U is 8x (F(4x4)) or 3.6x (F(2x2)) the float16 W, V and prod scratch
// is twice what f16 would take (the planner shares scratch between convs).
// Memory: U is (m+2)²/9 times the size of W (4x for F(4x4), 1.8x for F(2x2)); the scratch V and
// prod hold (m+2)²/m² times the input and output (2.25x, 4x). Where V or prod would exceed
// maxStorageBufferBindingSize (a 32-channel 1024x1024 map: 302 MB for F(4x4)) the conv runs in
// chunks of tiles, the three dispatches once per chunk on scratch sized for one chunk; where U
// exceeds it the conv is not applicable and the default kernel runs.
import { sizeOf, type HostData } from '../../ir/types.js';
import type { BufferRef, KernelBuilder, KernelLimits } from '../types.js';
import { epilogueUniforms, type Epilogue } from '../activation/epilogue.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { dispatchSubgroupGemm, subgroupGemmCostNs, useSubgroupGemm } from './conv-gemm.js';
import type { Window } from './window.js';

export const WINOGRAD_ALGORITHMS = ['winograd', 'winograd-f2'] as const;
export type WinogradAlgorithm = (typeof WINOGRAD_ALGORITHMS)[number];

/** One F(m x m, 3x3) algorithm: output tile m, input tile alpha = m + 2, and its matrices. */
export interface WinogradTransform {
  algorithm: WinogradAlgorithm;
  /** Output tile side. */
  m: number;
  /** Input tile side, m + 2; alpha² transform points. */
  alpha: number;
  /** Bᵀ (alpha x alpha), the input transform (hard-coded in shaders/winograd-input.wgsl). */
  BT: readonly (readonly number[])[];
  /** G (alpha x 3), the filter transform (run on the host). */
  G: readonly (readonly number[])[];
  /** Aᵀ (m x alpha), the output transform (hard-coded in shaders/winograd-output.wgsl). */
  AT: readonly (readonly number[])[];
}

/** F(2x2,3x3), interpolation points 0, -1, 1, ∞ (Lavin & Gray, section 4.1). */
export const WINOGRAD_F2: WinogradTransform = {
  algorithm: 'winograd-f2',
  m: 2,
  alpha: 4,
  BT: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
  G: [
    [1, 0, 0],
    [1 / 2, 1 / 2, 1 / 2],
    [1 / 2, -1 / 2, 1 / 2],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
};

/** F(4x4,3x3), interpolation points 0, -1, 1, -2, 2, ∞ (Lavin & Gray, section 4.2). */
export const WINOGRAD_F4: WinogradTransform = {
  algorithm: 'winograd',
  m: 4,
  alpha: 6,
  BT: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
};

export function winogradTransform(algorithm: WinogradAlgorithm): WinogradTransform {
  return algorithm === 'winograd' ? WINOGRAD_F4 : WINOGRAD_F2;
}

/**
 * GEMM tiles (as in conv.ts): 64 threads with 8x8 outputs each, TM * TN = 4096, staged chunks
 * (TM + TN) * TK * 4 bytes within WebGPU's guaranteed 16 KiB of workgroup memory. NARROW tiles
 * (8x4 outputs per thread, TM * TN = 2048) serve the few tiles of small images (512 channels at
 * 7x7: 4 F(4x4) tiles, 16 F(2x2) tiles per image), which the others pad to 16 or more columns.
 * `cost`: relative lavapipe time per padded multiply-add (points x pad(M, TM) x pad(Pp, TN) x
 * pad(C, TK)), measured by forcing each tile on 16..512 channels at 2x2..56x56: 0.41-0.55 ns
 * for the first four, 0.5-0.95 ns for 16x256, 0.61-0.65, 0.80-0.91 and 1.11-1.31 ns for the
 * narrow ones.
 */
export const WINOGRAD_GEMM_TILES = [
  { TM: 128, TN: 32, TK: 16, NARROW: false, cost: 1.0 },
  { TM: 64, TN: 64, TK: 16, NARROW: false, cost: 1.0 },
  { TM: 32, TN: 128, TK: 16, NARROW: false, cost: 1.05 },
  { TM: 256, TN: 16, TK: 8, NARROW: false, cost: 1.25 },
  { TM: 16, TN: 256, TK: 8, NARROW: false, cost: 1.4 },
  { TM: 128, TN: 16, TK: 16, NARROW: true, cost: 1.45 },
  { TM: 256, TN: 8, TK: 8, NARROW: true, cost: 1.9 },
  { TM: 512, TN: 4, TK: 4, NARROW: true, cost: 2.7 },
] as const;
const TRANSFORM_WG = 64;

type GemmTile = { TM: number; TN: number; TK: number; NARROW: boolean };

const pad = (n: number, t: number) => Math.ceil(n / t) * t;
const round4 = (n: number) => pad(n, 4);

/** The tile with the least cost for one point's M x N x K product, and that cost (padded volume
 * times the tile's relative cost). */
function gemmTile(M: number, N: number, K: number): { tile: GemmTile; price: number } {
  const price = (t: (typeof WINOGRAD_GEMM_TILES)[number]) => pad(M, t.TM) * pad(N, t.TN) * pad(K, t.TK) * t.cost;
  let best: (typeof WINOGRAD_GEMM_TILES)[number] = WINOGRAD_GEMM_TILES[0];
  for (const t of WINOGRAD_GEMM_TILES) if (price(t) < price(best)) best = t;
  return { tile: { TM: best.TM, TN: best.TN, TK: best.TK, NARROW: best.NARROW }, price: price(best) };
}

/** Sizes of a Winograd conv: tiles per image (TH x TW), tiles in all (P, padded to Pp), buffers. */
export interface WinogradGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  OH: number;
  OW: number;
  TH: number;
  TW: number;
  P: number;
  Pp: number;
  Mp: number;
  /** Bytes of U, V and prod. */
  bytes: { u: number; v: number; prod: number };
}

export function winogradGeometry(t: WinogradTransform, xShape: readonly number[], M: number, out: readonly number[]): WinogradGeometry {
  const [N, C, H, W] = xShape;
  const [OH, OW] = out;
  const TH = Math.ceil(OH / t.m);
  const TW = Math.ceil(OW / t.m);
  const P = N * TH * TW;
  const Pp = round4(P);
  const Mp = round4(M);
  const points = t.alpha * t.alpha;
  return { N, C, H, W, M, OH, OW, TH, TW, P, Pp, Mp, bytes: { u: points * C * Mp * 4, v: points * C * Pp * 4, prod: points * M * Pp * 4 } };
}

/** What winogradApplicable needs to know of a Conv. */
export interface WinogradConv {
  /** The resolved 2-D window (as2d). */
  win: Window;
  group: number;
  activation: Epilogue;
  residual: boolean;
}

/**
 * Whether F(m x m, 3x3) can run this Conv: a 2-D conv with a 3x3 kernel, stride 1, dilation 1,
 * group 1, constant weights (the filter transform runs on the host), and transformed operands
 * within the device's binding size. Any pads, batch, channel counts and image sizes.
 */
export function winogradApplicable(k: KernelBuilder, conv: WinogradConv, t: WinogradTransform): boolean {
  const x = k.inputs[0];
  const w = k.inputs[1];
  const { win } = conv;
  if (!x || !w || x.shape.length !== 4 || win.kernel.length !== 2) return false;
  if (sizeOf(k.outputs[0].shape) === 0) return false;
  if (win.kernel[0] !== 3 || win.kernel[1] !== 3) return false;
  if (win.strides.some((s) => s !== 1) || win.dilations.some((d) => d !== 1) || conv.group !== 1) return false;
  if (!k.constant(1)) return false;
  const g = winogradGeometry(t, x.shape, w.shape[0], win.out);
  return fits(g, k.limits);
}

function fits(g: WinogradGeometry, limits: KernelLimits): boolean {
  return g.bytes.u <= bindingLimit(limits) && chunkTiles(g, limits) >= Math.min(4, g.P);
}

function bindingLimit(limits: KernelLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/** Tiles per chunk: all of them where V and prod fit one binding, else the most that do (a
 * multiple of 4, as the GEMM's vec4 columns need). */
export function chunkTiles(g: WinogradGeometry, limits: KernelLimits): number {
  if (Math.max(g.bytes.v, g.bytes.prod) <= bindingLimit(limits)) return g.P;
  const perTile = Math.max(g.bytes.v, g.bytes.prod) / g.Pp;
  return Math.floor(bindingLimit(limits) / perTile / 4) * 4;
}

/**
 * The cost model of the automatic choice (conv.ts), in nanoseconds of lavapipe CPU time, measured
 * per dispatch (batch 1, 2-core x86; bench/conv-layers.ts gives the whole-conv numbers):
 *   - the GEMM: WINOGRAD_NS_PER_MAC per multiply-add of the padded product (points x rows x
 *     columns x K, each rounded up to the tile), times the tile's relative cost: 0.41-0.55 ns on
 *     64->64 at 56x56 ... 512->512 at 7x7 for the 8x8 register tiles;
 *   - the transforms, per (channel, tile) invocation: F(4x4) input 100 ns, output 80 ns;
 *     F(2x2) input 40 ns, output 35 ns (64 channels at 112x112; 16 at 56x56 is alike);
 *   - two dispatches more than the single-kernel convs, DISPATCH_NS each (the transforms of a
 *     4-channel 4x4 conv: below 50 us each).
 */
export const WINOGRAD_NS_PER_MAC = 0.45;
const TRANSFORM_NS: Record<WinogradAlgorithm, { input: number; output: number }> = {
  winograd: { input: 100, output: 80 },
  'winograd-f2': { input: 40, output: 35 },
};
const DISPATCH_NS = 20_000;

/** Estimated lavapipe CPU time of a Winograd conv, in ns (see WINOGRAD_NS_PER_MAC). */
export function winogradCostNs(k: KernelBuilder, conv: WinogradConv, t: WinogradTransform): number {
  const x = k.inputs[0]!;
  const M = k.inputs[1]!.shape[0];
  const g = winogradGeometry(t, x.shape, M, conv.win.out);
  // The subgroup GEMM where it runs (conv-gemm.ts: software adapters), else the tiled one.
  const points = t.alpha * t.alpha;
  const gemm = useSubgroupGemm(k) ? subgroupGemmCostNs(points, M, g.C, g.Pp) : points * gemmTile(M, g.Pp, g.C).price * WINOGRAD_NS_PER_MAC;
  const tr = TRANSFORM_NS[t.algorithm];
  const chunks = Math.ceil(g.P / chunkTiles(g, k.limits));
  return gemm + g.P * (g.C * tr.input + M * tr.output) + (3 * chunks - 1) * DISPATCH_NS;
}

/**
 * U = G g Gᵀ for every (output channel m, input channel c), in float64, laid out
 * [alpha², C, Mp] (point xi = i*alpha + j, then c, then m; zeros for m >= M) as
 * shaders/winograd-gemm.wgsl reads it. `w` is the ONNX weight [M, C, 3, 3].
 */
export function winogradFilter(t: WinogradTransform, w: HostData, M: number, C: number): Float32Array {
  const { alpha, G } = t;
  const Mp = round4(M);
  const u = new Float32Array(alpha * alpha * C * Mp);
  const gg = new Float64Array(alpha * 3);
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c++) {
      const o = (m * C + c) * 9;
      // gg = G g (alpha x 3)
      for (let i = 0; i < alpha; i++) {
        for (let j = 0; j < 3; j++) {
          gg[i * 3 + j] = G[i][0] * w[o + j] + G[i][1] * w[o + 3 + j] + G[i][2] * w[o + 6 + j];
        }
      }
      // U = gg Gᵀ (alpha x alpha)
      for (let i = 0; i < alpha; i++) {
        for (let j = 0; j < alpha; j++) {
          const val = gg[i * 3] * G[j][0] + gg[i * 3 + 1] * G[j][1] + gg[i * 3 + 2] * G[j][2];
          u[((i * alpha + j) * C + c) * Mp + m] = val;
        }
      }
    }
  }
  return u;
}

/**
 * Emits the three dispatches of a Winograd conv. Bindings follow conv.ts: input 0 is X, input 2
 * the optional bias, input 3 the residual when `conv.residual`; W (input 1) is read only on the
 * host, through k.constant(1).
 */
export function emitWinograd(k: KernelBuilder, conv: WinogradConv, t: WinogradTransform): void {
  const x = k.inputs[0]!;
  const M = k.inputs[1]!.shape[0];
  const g = winogradGeometry(t, x.shape, M, conv.win.out);
  const weights = k.constant(1)!;
  const points = t.alpha * t.alpha;
  // U in f32 for every W type (see the header: f16 would cost F(4x4) ~1e-2 of the output scale).
  const u = k.weight(`${t.algorithm}-filter`, winogradFilter(t, weights.data, M, g.C));
  const perChunk = chunkTiles(g, k.limits);
  const Ppc = round4(perChunk);
  const scratch = { v: k.scratch(points * g.C * Ppc * 4), prod: k.scratch(points * M * Ppc * 4) };
  for (let p0 = 0; p0 < g.P; p0 += perChunk) {
    const P = Math.min(perChunk, g.P - p0);
    emitChunk(k, conv, t, { ...g, P, Pp: round4(P) }, p0, u, scratch);
  }
}

/** The three dispatches of tiles p0 .. p0 + g.P - 1 (g.P and g.Pp: the chunk's). */
function emitChunk(k: KernelBuilder, conv: WinogradConv, t: WinogradTransform, g: WinogradGeometry, p0: number, u: BufferRef, s: { v: BufferRef; prod: BufferRef }): void {
  const { M } = g;
  const { v, prod } = s;
  const F4 = t.m === 4;
  const points = t.alpha * t.alpha;
  const hasBias = !!k.node.inputs[2];
  const name = t.algorithm;
  const S = storageOf(k.inputs[0]!.dtype, k.limits);
  const tag = halfTag(S, ' ');

  const inputTotal = g.C * g.Pp;
  k.dispatch({
    shader: 'winograd-input',
    variant: `${name} input${tag}`,
    defines: { F4, S },
    bindings: { x: k.input(0), v },
    uniforms: { C: g.C, H: g.H, W: g.W, P: g.P, Pp: g.Pp, TH: g.TH, TW: g.TW, pad_h: conv.win.padsBegin[0], pad_w: conv.win.padsBegin[1], total: inputTotal, p0 },
    workgroups: grid(Math.ceil(inputTotal / TRANSFORM_WG), k.limits),
  });

  if (useSubgroupGemm(k)) {
    // The point is the group: u is [points][C][Mp] (the transposed weights), v [points][C][Pp]
    // (a dense operand, rows Pp apart), prod [points][M][Pp] (y with points * M channels of Pp).
    dispatchSubgroupGemm(k, {
      variant: `${name} gemm`,
      w: u,
      b: { ref: v, b_bs: 0, b_gs: g.C * g.Pp, b_ks: g.Pp, vec: true },
      y: prod,
      group: points,
      M: points * M,
      Mg: M,
      K: g.C,
      OSP: g.Pp,
      ncols: g.Pp,
      epilogue: { HAS_BIAS: false, HAS_RESIDUAL: false, ACTIVATION: 'v' },
      act: { act_alpha: 0, act_beta: 0, act_gamma: 0 },
      types: { SW: 'f32', SB: 'f32', SY: 'f32' },
    });
  } else {
    emitWinogradGemm(k, name, u, v, prod, { M, C: g.C, Mp: g.Mp, Pp: g.Pp, points });
  }

  const outputTotal = M * g.P;
  k.dispatch({
    shader: 'winograd-output',
    variant: `${name} output${tag}`,
    defines: { F4, S, HAS_BIAS: hasBias, HAS_RESIDUAL: conv.residual, ACTIVATION: conv.activation.wgsl },
    bindings: {
      prod,
      y: k.output(0),
      ...(hasBias ? { bias: k.input(2) } : {}),
      ...(conv.residual ? { residual: k.input(3) } : {}),
    },
    uniforms: { M, P: g.P, Pp: g.Pp, TH: g.TH, TW: g.TW, OH: g.OH, OW: g.OW, total: outputTotal, p0, ...epilogueUniforms(conv.activation) },
    workgroups: grid(Math.ceil(outputTotal / TRANSFORM_WG), k.limits),
  });
}

/** Winograd's batched GEMM on shaders/winograd-gemm.wgsl (workgroup-memory tiles). */
function emitWinogradGemm(k: KernelBuilder, name: string, u: BufferRef, v: BufferRef, prod: BufferRef, d: { M: number; C: number; Mp: number; Pp: number; points: number }): void {
  const { tile } = gemmTile(d.M, d.Pp, d.C);
  const n_tiles = Math.ceil(d.Pp / tile.TN);
  const m_tiles = Math.ceil(d.Mp / tile.TM);
  const tiles = n_tiles * m_tiles * d.points;
  k.dispatch({
    shader: 'winograd-gemm',
    variant: `${name} gemm ${tile.TM}x${tile.TN}${tile.NARROW ? ' narrow' : ''}`,
    defines: { ...tile },
    bindings: { u, v, prod },
    uniforms: { C: d.C, M: d.M, Mp4: d.Mp / 4, Pp4: d.Pp / 4, n_tiles, m_tiles, tiles },
    workgroups: grid(tiles, k.limits),
  });
}
