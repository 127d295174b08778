// Conv (ONNX opset 1/11): Y = conv(X, W) + B over 1-D, 2-D and 3-D inputs (rank 3, 4 and 5),
// with kernel_shape (inferred from W when absent), strides, pads, auto_pad, dilations and group
// (depthwise when group = C). A 1-D conv runs as a 2-D one with a height of 1.
// Kernels (shaders/conv2d.wgsl, shaders/conv-direct.wgsl, and the variants in their own
// modules; the choice per layer is algorithm() below):
//   'implicit-gemm' (the default): tiled GEMM over (output channel) x (batch*OH*OW) x (Cg*KH*KW),
//     im2col addresses computed on the fly from a host-built table of the K index; the tile's
//     height follows the channels per group (16, 32, 64 or 128 rows) so that few rows are idle;
//   'direct': one output per invocation. The default for convs with fewer than 4 output
//     channels per group that are not depthwise: their GEMM has a single row, which a tile
//     cannot fill (measured on lavapipe, 64-channel 3x3 depthwise at 56x56: direct ~12x faster
//     than the implicit GEMM);
//   'depthwise' (conv-depthwise.ts): one input channel per group, a patch of outputs per
//     invocation with the weights in registers (2-3x faster than 'direct' on MobileNet layers);
//   'pointwise' (conv-gemm.ts): 1x1 kernels, no padding (strides: 1-D/2-D): a plain GEMM on x;
//   'im2col' (conv-gemm.ts): an explicit im2col matrix in scratch memory, then a GEMM;
//   3-D convs: 'implicit-gemm' with a 3-D tap table (conv-gemm.ts), 'pointwise', 'im2col', 'direct' (conv-direct.ts);
//   'winograd' / 'winograd-f2': F(4x4,3x3) / F(2x2,3x3) Winograd convolution for 3x3 stride-1
//     group-1 convs with constant weights (runtime/ops/nn/conv-winograd.ts); the default where a
//     measured cost rule expects it to be faster (winogradChoice: most 3x3 layers of ResNet/VGG).
//   Session options convAlgorithm / convAlgorithmByNode (and forceAlgorithm, for tests) override
//     the choice (see algorithm()).
// Epilogue (every kernel): y = act(conv + B + residual). Fusion passes set its parts as node
// attributes, so the fused node is still a Conv:
//   `fovea.activation` / `fovea.activation_params`: the fused activation, by ONNX op name and
//     parameters (runtime/ops/activation/epilogue.ts); identity when absent;
//   `fovea.residual` = 1: input 3 is a residual of Y's shape added before the activation (the
//     skip connection of a ResNet block, fused from Add(Conv(...), skip)). Without it a Conv
//     takes at most 3 inputs, as in the ONNX spec.
import type { BufferRef, KernelBuilder, OpDef, TypeShape } from '../types.js';
import type { DType, Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { RESIDUAL_ATTR } from '../../ir/fovea-attributes.js';
import { ACTIVATION_ATTR, epilogueUniforms, parseEpilogue, type Epilogue } from '../activation/epilogue.js';
import { InputError, LimitError, ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf, type StorageType } from '../../gpu/elements.js';
import { as2d, parseWindowAttrs, resolveWindow, spatial2d, type Window, type WindowAttrs } from './window.js';
import { emitDepthwise, isDepthwise } from './conv-depthwise.js';
import { emitConvGemm, emitIm2col, isPointwise, im2colWins, subgroupGemmApplies, subgroupIm2colCostNs } from './conv-gemm.js';
import { emitConvDirect } from './conv-direct.js';
import {
  emitWinograd,
  winogradApplicable,
  winogradCostNs,
  winogradTransform,
  WINOGRAD_ALGORITHMS,
  WINOGRAD_F2,
  WINOGRAD_F4,
  type WinogradAlgorithm,
  type WinogradConv,
  type WinogradTransform,
} from './conv-winograd.js';

export interface ConvAttrs {
  window: WindowAttrs;
  group: number;
  /** The fused activation (identity by default). */
  activation: Epilogue;
  /** Input 3 is a residual added in the epilogue. */
  residual: boolean;
}

/** Node attribute through which a fusion pass sets the epilogue activation (see epilogue.ts). */
export const CONV_ACTIVATION_ATTR = ACTIVATION_ATTR;
/** Node attribute (int, 1) marking input CONV_RESIDUAL_INPUT as a residual added in the epilogue. */
export const CONV_RESIDUAL_ATTR = RESIDUAL_ATTR;
export const CONV_RESIDUAL_INPUT = 3;

export const CONV_ALGORITHMS = ['implicit-gemm', 'direct', 'depthwise', 'pointwise', 'im2col'] as const;
export type ConvAlgorithm = (typeof CONV_ALGORITHMS)[number];

/** Every Conv variant name the session options accept (besides 'auto'). */
export const CONV_ALGORITHM_NAMES = [...CONV_ALGORITHMS, ...WINOGRAD_ALGORITHMS] as const;
export type ConvAlgorithmName = (typeof CONV_ALGORITHM_NAMES)[number];

function isConvAlgorithm(name: string): name is ConvAlgorithm {
  return (CONV_ALGORITHMS as readonly string[]).includes(name);
}

/** What gpu() hands to a kernel variant in its own module (conv-depthwise.ts, conv-gemm.ts…). */
export interface ConvLowering {
  /** The window in the input's own rank (1, 2 or 3 spatial axes). */
  win: Window;
  group: number;
  /** x, y, and bias / residual when present, by the WGSL names every Conv shader uses. */
  bindings: Record<string, BufferRef>;
  /** W in its ONNX layout (binding `w`). A function: a constant W is uploaded only when bound,
   * not by variants that upload it re-laid out instead. */
  weights: () => BufferRef;
  /** The epilogue's defines (shaders/epilogue.wgsl and the bias/residual blocks). */
  epilogue: { HAS_BIAS: boolean; HAS_RESIDUAL: boolean; ACTIVATION: string };
  /** The epilogue's uniforms. */
  act: { act_alpha: number; act_beta: number; act_gamma: number };
  /** The storage type of X, W, B, Y and the residual, and the variant labels' suffix (convStorage). */
  storage: { S: StorageType; tag: string };
}

/** Below this many output channels per group, the direct kernel is the default. */
const DIRECT_BELOW_MG = 4;
/**
 * GEMM tiles: 64 threads with 8x8 outputs each, so TM * TN = 4096; K advances in chunks of TK,
 * which keeps the staged chunks, (TM + TN) * TK * 4 bytes, within WebGPU's guaranteed 16 KiB of
 * workgroup memory. `cost` is the relative time per tile row measured on lavapipe (64->64, 16 and
 * 32 output channels at 56x56, 128->128 at 28x28): a short tile stages more of X per multiply-add.
 */
const GEMM_TILES = [
  { TM: 128, TN: 32, TK: 16, cost: 1.0 },
  { TM: 64, TN: 64, TK: 16, cost: 1.1 },
  { TM: 32, TN: 128, TK: 16, cost: 1.25 },
  { TM: 16, TN: 256, TK: 8, cost: 1.6 },
];

type GemmTile = { TM: number; TN: number; TK: number };

/** The tile with the least cost for Mg rows: padded rows (idle rows past Mg count) times the tile's cost per row. */
function gemmTile(Mg: number): GemmTile {
  const price = (t: (typeof GEMM_TILES)[number]) => Math.ceil(Mg / t.TM) * t.TM * t.cost;
  let best = GEMM_TILES[0];
  for (const t of GEMM_TILES) if (price(t) < price(best)) best = t;
  return { TM: best.TM, TN: best.TN, TK: best.TK };
}

/** The element types Conv runs on (ONNX T: float16, float, double; double is not supported). */
export function isConvFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16';
}

/** The storage type of a conv's float values (X, W, B, Y and the residual share it) and the
 * suffix of its kernels' variant labels (' f16' / ' p16' where specialised so, '' for f32). */
export function convStorage(k: KernelBuilder): { S: StorageType; tag: string } {
  const S = storageOf(k.inputs[0]!.dtype, k.limits);
  return { S, tag: halfTag(S, ' ') };
}

function fail(node: Node, msg: string, inputs: (TypeShape | undefined)[]): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes: { X: inputs[0]?.shape, W: inputs[1]?.shape, B: inputs[2]?.shape } });
}

/** Validates the shapes and resolves the window (in the input's own rank). */
function resolveConv(node: Node, inputs: (TypeShape | undefined)[], a: ConvAttrs): Window {
  const x = inputs[0]!;
  const w = inputs[1]!;
  const rank = x.shape.length;
  if (rank < 3 || rank > 5) fail(node, `Conv runs on 1-D, 2-D and 3-D inputs (rank 3, 4 or 5), got rank ${rank}`, inputs);
  if (!isConvFloat(x.dtype) || w.dtype !== x.dtype) fail(node, `Conv needs float32 or float16 inputs of one type, got ${x.dtype} and ${w.dtype}`, inputs);
  if (w.shape.length !== rank) fail(node, `W has rank ${w.shape.length}, X has rank ${rank}`, inputs);
  const C = x.shape[1];
  const M = w.shape[0];
  if (a.group < 1 || C % a.group !== 0 || M % a.group !== 0) fail(node, `group ${a.group} does not divide the ${C} input and ${M} output channels`, inputs);
  if (w.shape[1] * a.group !== C) fail(node, `W has ${w.shape[1]} channels per group; X has ${C} channels in ${a.group} groups`, inputs);
  const b = inputs[2];
  if (b && (b.shape.length !== 1 || b.shape[0] !== M)) fail(node, `B must have shape [${M}]`, inputs);
  if (b && b.dtype !== x.dtype) fail(node, `B is ${b.dtype}, X is ${x.dtype}`, inputs);
  if (a.residual && !inputs[CONV_RESIDUAL_INPUT]) fail(node, `"${CONV_RESIDUAL_ATTR}" = 1 needs a residual as input ${CONV_RESIDUAL_INPUT}`, inputs);
  const extra = inputs.slice(a.residual ? CONV_RESIDUAL_INPUT + 1 : CONV_RESIDUAL_INPUT).some(Boolean);
  if (extra) fail(node, a.residual ? 'Conv takes X, W, B and a residual, no more' : 'Conv takes at most 3 inputs (X, W, B)', inputs);
  const kernel = w.shape.slice(2);
  const ks = a.window.kernelShape;
  if (ks && (ks.length !== kernel.length || ks.some((d, i) => d !== kernel[i]))) fail(node, `kernel_shape [${ks}] does not match W`, inputs);
  if (a.window.ceilMode) fail(node, 'Conv has no ceil_mode', inputs);
  return resolveWindow(node, a.window, x.shape.slice(2), kernel);
}

/** The session-wide overrides in order (convAlgorithm, then forceAlgorithm); none for a node
 * that convAlgorithmByNode sets to 'auto' (the automatic choice, whatever the session's). */
function sessionWideChoices(k: KernelBuilder): (string | undefined)[] {
  if (k.options.variantByNode?.[k.node.name] === 'auto') return [];
  return [k.options.variantByOp?.Conv, k.options.forceAlgorithm];
}

/** Whether variant `algo` can run a conv of this window and Cg input channels per group. */
function applicable(algo: ConvAlgorithm, Cg: number, win: Window): boolean {
  switch (algo) {
    case 'implicit-gemm':
    case 'direct':
      return true;
    case 'depthwise':
      return isDepthwise(Cg, win.kernel.length);
    case 'pointwise':
      return isPointwise(win);
    case 'im2col':
      return true;
  }
}

/**
 * The kernel variant of one conv. Overrides first: `convAlgorithmByNode` names this node's
 * variant (an error where it cannot run it; 'auto': the automatic choice below, whatever the
 * session-wide options say); `convAlgorithm`, then `forceAlgorithm`, are session-wide and apply
 * to the convs they can run (names that other ops own are ignored).
 * Otherwise, from the shape (rules measured on lavapipe: bench/conv-layers-dw.ts):
 *   - one input channel per group (depthwise, any multiplier), 1-D/2-D: 'depthwise';
 *   - fewer than DIRECT_BELOW_MG output channels per group: 'direct';
 *   - 1x1 (x1) window, no padding, stride 1 or a 1-D/2-D stride: 'pointwise' (a plain GEMM per batch);
 *   - im2colWins (conv-gemm.ts): outputs of few positions, where the implicit GEMM's tile
 *     (chosen by rows alone) would leave most of its columns idle and im2col's GEMM, whose tile
 *     is chosen for both dims, needs far fewer tile-steps: 'im2col';
 *   - otherwise 'implicit-gemm'.
 */
function algorithm(k: KernelBuilder, C: number, M: number, group: number, win: Window): ConvAlgorithm {
  const Cg = C / group;
  const Mg = M / group;
  const byNode = k.options.variantByNode?.[k.node.name];
  if (byNode !== undefined && byNode !== 'auto') {
    const hint = `convAlgorithmByNode: known variants are auto, ${CONV_ALGORITHM_NAMES.join(', ')}`;
    if (!isConvAlgorithm(byNode)) throw new InputError(`unknown Conv algorithm "${byNode}" for node "${k.node.name}"`, { op: k.node.opType, node: k.node.name, hint });
    if (!applicable(byNode, Cg, win)) {
      throw new InputError(`Conv algorithm "${byNode}" cannot run node "${k.node.name}" (kernel [${win.kernel}], strides [${win.strides}], ${group} groups of ${Cg} channels)`, {
        op: k.node.opType,
        node: k.node.name,
        hint: "'depthwise' needs one input channel per group (1-D/2-D); 'pointwise' a 1x1 kernel, no padding (strides only in 1-D/2-D)",
      });
    }
    return byNode;
  }
  for (const forced of sessionWideChoices(k)) {
    if (forced && isConvAlgorithm(forced) && applicable(forced, Cg, win)) return forced;
  }
  if (isDepthwise(Cg, win.kernel.length)) return 'depthwise';
  if (Mg < DIRECT_BELOW_MG) return 'direct';
  if (isPointwise(win)) return 'pointwise';
  if (im2colWins(k, group, win, gemmTile(Mg))) return 'im2col';
  return 'implicit-gemm';
}

/**
 * The Winograd variant (runtime/ops/nn/conv-winograd.ts) of a 3x3 stride-1 dilation-1 group-1
 * conv with constant weights, or undefined for the kernels that algorithm() picks.
 * Overrides, as algorithm()'s: 'winograd' (F(4x4,3x3)) and 'winograd-f2' (F(2x2,3x3)) by
 * `convAlgorithmByNode` (an error where they cannot run), then by `convAlgorithm` and
 * `forceAlgorithm` where they apply (elsewhere the automatic choice); another variant's name
 * that applies keeps Winograd out.
 * Automatic choice, where algorithm() would pick the implicit GEMM or im2col: a cost rule on the
 * estimated lavapipe CPU time. Winograd (the cheaper of F(2x2) and F(4x4) by winogradCostNs:
 * its padded GEMM, transforms and two extra dispatches) runs when it is below WINOGRAD_MARGIN
 * times the implicit GEMM's estimate, IMPLICIT_NS_PER_MAC per padded multiply-add (9C per output
 * and channel against 2.25C for F(4x4), 4C for F(2x2)); im2col, where conv-gemm.ts picks it
 * (outputs of few positions, see im2colWins), measured within ±10% of the implicit GEMM on
 * these layers, has the same estimate. In effect Winograd wins from ~16 channels on; it loses
 * with few input channels (3 -> 64 at 224x224: the transforms and K padded to the GEMM's chunk
 * cost more than the saved multiplies), and F(4x4) loses to F(2x2) on small images (1 to 4
 * tiles per image: a narrow GEMM over 36 points that reads 4x the weights).
 * Measured per conv, CPU ms of the lavapipe process (2 cores, batch 1, 3x3 pad 1 + bias + Relu;
 * bench/conv-layers.ts; ±10% run to run, more on the smallest):
 *   layer (C->M @ HxW)   implicit-gemm   im2col   winograd-f2   winograd   auto picks
 *   64->64 @ 56             59            98          30           20      winograd
 *   128->128 @ 28           63            86          32           21      winograd
 *   256->256 @ 14           77            79          31           21      winograd
 *   512->512 @ 7            77            85          44           56      winograd-f2
 *   64->64 @ 112           257           418         122           65      winograd
 *   64->64 @ 224           947             -         438          258      winograd
 *   256->256 @ 4            10.5          10.2         7.9         15.6    winograd-f2
 *   512->512 @ 2            35            38          21           46      winograd-f2
 *   16->16 @ 56              5.0          14.4         4.9          2.1    winograd
 *   3->64 @ 224             68             -         141           98      implicit-gemm
 * Whole models (tests/models.test.ts's exports, 64x64 inputs), CPU ms per run, implicit-gemm
 * everywhere -> auto: resnet18 246 -> 155, resnet50 525 -> 394, vgg16 208 -> 114,
 * googlenet 217 -> 148.
 * Where the GEMMs run on the subgroup kernel (software adapters with subgroups: conv-gemm.ts),
 * the same rule compares that kernel's estimates instead (subgroupGemmCostNs for Winograd's
 * GEMM, subgroupIm2colCostNs for the default, im2col: algorithm() picks it there). Its padding
 * (rows to 32, columns to 64 or 256) makes F(4x4) lose on small planes, where it has few tiles.
 * Measured per conv, GPU ms (timestamps summed over the conv's dispatches), lavapipe, 2 cores,
 * batch 1, 3x3 pad 1, quiet machine:
 *   layer (C->M @ HxW)   im2col + sg GEMM   winograd-f2   winograd   auto picks
 *   64->64 @ 56              14.4              9.0          7.0      winograd
 *   128->128 @ 28            10.8              7.6          3.8      winograd
 *   256->256 @ 14            13.3              5.6         11.4      winograd-f2
 *   512->512 @ 7             10.0             19.5         43.0      im2col
 *   256->256 @ 4              3.4              5.6         12.3      im2col
 */
function winogradChoice(k: KernelBuilder, conv: WinogradConv, C: number, M: number): WinogradTransform | undefined {
  const isWinograd = (name: string | undefined): name is WinogradAlgorithm => (WINOGRAD_ALGORITHMS as readonly string[]).includes(name ?? '');
  const byNode = k.options.variantByNode?.[k.node.name];
  if (byNode !== undefined && byNode !== 'auto') {
    if (!isWinograd(byNode)) return undefined;
    const t = winogradTransform(byNode);
    if (!winogradApplicable(k, conv, t)) {
      throw new InputError(`Conv algorithm "${byNode}" cannot run node "${k.node.name}" (kernel [${conv.win.kernel}], strides [${conv.win.strides}], group ${conv.group})`, {
        op: k.node.opType,
        node: k.node.name,
        hint: "'winograd' and 'winograd-f2' need a 2-D 3x3 kernel, stride 1, dilation 1, group 1 and constant weights",
      });
    }
    return t;
  }
  for (const forced of sessionWideChoices(k)) {
    if (isWinograd(forced)) {
      const t = winogradTransform(forced);
      if (winogradApplicable(k, conv, t)) return t;
    } else if (forced && isConvAlgorithm(forced) && applicable(forced, C / conv.group, conv.win)) {
      return undefined;
    }
  }
  if (!winogradApplicable(k, conv, WINOGRAD_F2) && !winogradApplicable(k, conv, WINOGRAD_F4)) return undefined;
  const base = algorithm(k, C, M, conv.group, conv.win);
  if (base !== 'implicit-gemm' && base !== 'im2col') return undefined;
  const [N] = k.inputs[0]!.shape;
  // Where the subgroup GEMM runs, algorithm() picked im2col + that GEMM (im2colWins), else the
  // implicit GEMM or the tiled im2col, which cost about the same.
  const baseNs =
    base === 'im2col' && subgroupGemmApplies(k) ? subgroupIm2colCostNs(k, conv.group, conv.win) : implicitGemmCostNs(M, N * conv.win.out[0] * conv.win.out[1], C * 9);
  let best: WinogradTransform | undefined;
  let bestNs = WINOGRAD_MARGIN * baseNs;
  for (const t of [WINOGRAD_F2, WINOGRAD_F4]) {
    if (!winogradApplicable(k, conv, t)) continue;
    const ns = winogradCostNs(k, conv, t);
    if (ns < bestNs) [best, bestNs] = [t, ns];
  }
  return best;
}

/** The implicit GEMM's measured lavapipe CPU time per padded multiply-add (64->64 at 56x56: 0.52 ns;
 * 128->128 at 28x28, 256->256 at 14x14, 512->512 at 7x7: 0.49 ns), in ns. */
const IMPLICIT_NS_PER_MAC = 0.5;
/** Winograd's estimate must beat the default kernel's by this factor (the estimates' error). */
const WINOGRAD_MARGIN = 0.85;

/** Estimated lavapipe CPU time (ns) of a group-1 implicit GEMM conv: Mg x ncols x K padded to its tile. */
function implicitGemmCostNs(Mg: number, ncols: number, K: number): number {
  const t = gemmTile(Mg);
  const cost = GEMM_TILES.find((g) => g.TM === t.TM)!.cost;
  const pad = (n: number, m: number) => Math.ceil(n / m) * m;
  return IMPLICIT_NS_PER_MAC * pad(Mg, t.TM) * pad(ncols, t.TN) * pad(K, t.TK) * cost;
}

/** The K-index table of the implicit GEMM: for k = (c, kh, kw), the offset of the tap from the
 * window origin in x and its (row, column) displacement for the bounds check. */
function kTable(Cg: number, H: number, W: number, win: Window): Int32Array {
  const [KH, KW] = win.kernel;
  const [dh, dw] = win.dilations;
  const t = new Int32Array(Cg * KH * KW * 4);
  let i = 0;
  for (let c = 0; c < Cg; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        t[i++] = c * H * W + kh * dh * W + kw * dw;
        t[i++] = kh * dh;
        t[i++] = kw * dw;
        t[i++] = 0;
      }
    }
  }
  return t;
}

export const Conv: OpDef<ConvAttrs> = {
  opType: 'Conv',
  float16: true,
  packedF16: true,
  variants: CONV_ALGORITHM_NAMES,
  parse(ctx) {
    return {
      window: parseWindowAttrs(ctx.node),
      group: attrInt(ctx.node, 'group', 1),
      // Untrusted files can set these attributes too: only known activation names are accepted.
      activation: parseEpilogue(ctx.node),
      residual: attrInt(ctx.node, CONV_RESIDUAL_ATTR, 0) !== 0,
    };
  },
  infer(inputs, a, ctx) {
    const win = resolveConv(ctx.node, inputs, a);
    const x = inputs[0]!;
    const shape = [x.shape[0], inputs[1]!.shape[0], ...win.out];
    const r = inputs[CONV_RESIDUAL_INPUT];
    if (r && (r.dtype !== x.dtype || r.shape.length !== shape.length || r.shape.some((d, i) => d !== shape[i]))) {
      fail(ctx.node, `the residual must be a ${x.dtype} tensor of Y's shape [${shape.join(',')}], got ${r.dtype} [${r.shape.join(',')}]`, inputs);
    }
    return [{ dtype: x.dtype, shape }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const w = k.inputs[1]!;
    const full = resolveConv(k.node, k.inputs, a);
    const win = full.kernel.length === 3 ? full : as2d(full);
    const [N, C] = x.shape;
    const [H, W] = spatial2d(x.shape);
    const M = w.shape[0];
    const [OH, OW] = win.out;
    const [KH, KW] = win.kernel;
    const Cg = C / a.group;
    const Mg = M / a.group;
    const hasBias = !!k.node.inputs[2];
    const wconv: WinogradConv = { win, group: a.group, activation: a.activation, residual: a.residual };
    const winograd = winogradChoice(k, wconv, C, M);
    if (winograd) {
      emitWinograd(k, wconv, winograd);
      return;
    }
    const io = {
      x: k.input(0),
      y: k.output(0),
      ...(hasBias ? { bias: k.input(2) } : {}),
      ...(a.residual ? { residual: k.input(CONV_RESIDUAL_INPUT) } : {}),
    };
    const epilogue = { HAS_BIAS: hasBias, HAS_RESIDUAL: a.residual, ACTIVATION: a.activation.wgsl };
    const geometry = {
      C,
      H,
      W,
      M,
      OW,
      Cg,
      Mg,
      stride_h: win.strides[0],
      stride_w: win.strides[1],
      pad_h: win.padsBegin[0],
      pad_w: win.padsBegin[1],
      ...epilogueUniforms(a.activation),
    };
    if (sizeOf(k.outputs[0].shape) === 0) return;

    const algo = algorithm(k, C, M, a.group, full);
    const lowering: ConvLowering = { win: full, group: a.group, bindings: io, weights: () => k.input(1), epilogue, act: epilogueUniforms(a.activation), storage: convStorage(k) };
    if (algo === 'depthwise') return emitDepthwise(k, lowering);
    if (algo === 'pointwise') return emitConvGemm(k, lowering, 'pointwise');
    if (algo === 'im2col') return emitIm2col(k, lowering);
    if (algo === 'direct') return emitConvDirect(k, lowering);
    if (full.kernel.length === 3) return emitConvGemm(k, lowering, 'implicit');

    const bindings = { ...io, w: k.input(1) };

    const K = Cg * KH * KW;
    const ncols = N * OH * OW;
    const tile = gemmTile(Mg);
    const n_tiles = Math.ceil(ncols / tile.TN);
    const m_tiles = Math.ceil(Mg / tile.TM);
    const tiles = n_tiles * m_tiles * a.group;
    const shared = (tile.TM + tile.TN) * tile.TK * 4;
    if (shared > k.limits.maxComputeWorkgroupStorageSize) {
      throw new LimitError(`the conv tile needs ${shared} bytes of workgroup memory, above the device's ${k.limits.maxComputeWorkgroupStorageSize}`, {
        op: k.node.opType,
        node: k.node.name,
        hint: 'use forceAlgorithm: "direct"',
      });
    }
    const { S, tag } = convStorage(k);
    k.dispatch({
      shader: 'conv2d',
      variant: `implicit-gemm ${tile.TM}x${tile.TN}${tag}`,
      defines: { ...tile, ...epilogue, S, SY: S },
      bindings: { ...bindings, ktab: k.weight('ktab', kTable(Cg, H, W, win)) },
      uniforms: { ...geometry, OSP: OH * OW, K, ncols, n_tiles, m_tiles, tiles },
      workgroups: grid(tiles, k.limits),
    });
  },
};
