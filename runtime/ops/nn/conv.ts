// Conv (ONNX opset 1/11): Y = conv(X, W) + B over 1-D and 2-D inputs (rank 3 and 4), with
// kernel_shape (inferred from W when absent), strides, pads, auto_pad, dilations and group
// (depthwise when group = C). A 1-D conv runs as a 2-D one with a height of 1.
// Kernels (shaders/conv2d.wgsl, shaders/conv2d-direct.wgsl):
//   'implicit-gemm' (the default): tiled GEMM over (output channel) x (batch*OH*OW) x (Cg*KH*KW),
//     im2col addresses computed on the fly from a host-built table of the K index; the tile's
//     height follows the channels per group (16, 32, 64 or 128 rows) so that few rows are idle;
//   'direct': one output per invocation. The default for convs with fewer than 4 output
//     channels per group (depthwise): their GEMM has a single row, which a tile cannot fill
//     (measured on lavapipe, 64-channel 3x3 depthwise at 56x56: direct ~12x faster).
//   forceAlgorithm: 'implicit-gemm' | 'direct' overrides the choice (tests run both).
// Epilogue (both kernels): y = act(conv + B + residual). Fusion passes set its parts as node
// attributes, so the fused node is still a Conv:
//   `fovea.activation` / `fovea.activation_params`: the fused activation, by ONNX op name and
//     parameters (runtime/ops/activation/epilogue.ts); identity when absent;
//   `fovea.residual` = 1: input 3 is a residual of Y's shape added before the activation (the
//     skip connection of a ResNet block, fused from Add(Conv(...), skip)). Without it a Conv
//     takes at most 3 inputs, as in the ONNX spec.
import type { KernelBuilder, OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { ACTIVATION_ATTR, epilogueUniforms, parseEpilogue, type Epilogue } from '../activation/epilogue.js';
import { LimitError, ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { as2d, parseWindowAttrs, resolveWindow, spatial2d, type Window, type WindowAttrs } from './window.js';

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
export const CONV_RESIDUAL_ATTR = 'fovea.residual';
export const CONV_RESIDUAL_INPUT = 3;

export const CONV_ALGORITHMS = ['implicit-gemm', 'direct'] as const;
type ConvAlgorithm = (typeof CONV_ALGORITHMS)[number];

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
const DIRECT_WG = 64;

type GemmTile = { TM: number; TN: number; TK: number };

/** The tile with the least cost for Mg rows: padded rows (idle rows past Mg count) times the tile's cost per row. */
function gemmTile(Mg: number): GemmTile {
  const price = (t: (typeof GEMM_TILES)[number]) => Math.ceil(Mg / t.TM) * t.TM * t.cost;
  let best = GEMM_TILES[0];
  for (const t of GEMM_TILES) if (price(t) < price(best)) best = t;
  return { TM: best.TM, TN: best.TN, TK: best.TK };
}

function fail(node: Node, msg: string, inputs: (TypeShape | undefined)[]): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes: { X: inputs[0]?.shape, W: inputs[1]?.shape, B: inputs[2]?.shape } });
}

/** Validates the shapes and resolves the window (in the input's own rank). */
function resolveConv(node: Node, inputs: (TypeShape | undefined)[], a: ConvAttrs): Window {
  const x = inputs[0]!;
  const w = inputs[1]!;
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) fail(node, `Conv runs on 1-D and 2-D inputs (rank 3 or 4), got rank ${rank}`, inputs);
  if (x.dtype !== 'float32' || w.dtype !== 'float32') fail(node, `Conv needs float32 inputs, got ${x.dtype} and ${w.dtype}`, inputs);
  if (w.shape.length !== rank) fail(node, `W has rank ${w.shape.length}, X has rank ${rank}`, inputs);
  const C = x.shape[1];
  const M = w.shape[0];
  if (a.group < 1 || C % a.group !== 0 || M % a.group !== 0) fail(node, `group ${a.group} does not divide the ${C} input and ${M} output channels`, inputs);
  if (w.shape[1] * a.group !== C) fail(node, `W has ${w.shape[1]} channels per group; X has ${C} channels in ${a.group} groups`, inputs);
  const b = inputs[2];
  if (b && (b.shape.length !== 1 || b.shape[0] !== M)) fail(node, `B must have shape [${M}]`, inputs);
  if (a.residual && !inputs[CONV_RESIDUAL_INPUT]) fail(node, `"${CONV_RESIDUAL_ATTR}" = 1 needs a residual as input ${CONV_RESIDUAL_INPUT}`, inputs);
  const extra = inputs.slice(a.residual ? CONV_RESIDUAL_INPUT + 1 : CONV_RESIDUAL_INPUT).some(Boolean);
  if (extra) fail(node, a.residual ? 'Conv takes X, W, B and a residual, no more' : 'Conv takes at most 3 inputs (X, W, B)', inputs);
  const kernel = w.shape.slice(2);
  const ks = a.window.kernelShape;
  if (ks && (ks.length !== kernel.length || ks.some((d, i) => d !== kernel[i]))) fail(node, `kernel_shape [${ks}] does not match W`, inputs);
  if (a.window.ceilMode) fail(node, 'Conv has no ceil_mode', inputs);
  return resolveWindow(node, a.window, x.shape.slice(2), kernel);
}

function algorithm(k: KernelBuilder, Mg: number): ConvAlgorithm {
  // forceAlgorithm is session-wide: names that other ops own are ignored here.
  const forced = k.options.forceAlgorithm;
  if (forced === 'direct' || forced === 'implicit-gemm') return forced;
  return Mg < DIRECT_BELOW_MG ? 'direct' : 'implicit-gemm';
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
    if (r && (r.dtype !== 'float32' || r.shape.length !== shape.length || r.shape.some((d, i) => d !== shape[i]))) {
      fail(ctx.node, `the residual must be a float32 tensor of Y's shape [${shape.join(',')}], got ${r.dtype} [${r.shape.join(',')}]`, inputs);
    }
    return [{ dtype: 'float32', shape }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const w = k.inputs[1]!;
    const win = as2d(resolveConv(k.node, k.inputs, a));
    const [N, C] = x.shape;
    const [H, W] = spatial2d(x.shape);
    const M = w.shape[0];
    const [OH, OW] = win.out;
    const [KH, KW] = win.kernel;
    const Cg = C / a.group;
    const Mg = M / a.group;
    const hasBias = !!k.node.inputs[2];
    const bindings = {
      x: k.input(0),
      w: k.input(1),
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

    if (algorithm(k, Mg) === 'direct') {
      const total = N * M * OH * OW;
      k.dispatch({
        shader: 'conv2d-direct',
        variant: 'direct',
        defines: { WG: DIRECT_WG, ...epilogue },
        bindings,
        uniforms: { ...geometry, total, OH, KH, KW, dil_h: win.dilations[0], dil_w: win.dilations[1] },
        workgroups: grid(Math.ceil(total / DIRECT_WG), k.limits),
      });
      return;
    }

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
    k.dispatch({
      shader: 'conv2d',
      variant: `implicit-gemm ${tile.TM}x${tile.TN}`,
      defines: { ...tile, ...epilogue },
      bindings: { ...bindings, ktab: k.weight('ktab', kTable(Cg, H, W, win)) },
      uniforms: { ...geometry, OHW: OH * OW, K, ncols, n_tiles, m_tiles, tiles },
      workgroups: grid(tiles, k.limits),
    });
  },
};
