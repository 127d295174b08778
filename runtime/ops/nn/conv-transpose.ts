// ConvTranspose (ONNX opset 1/11; the later versions only add types): the transpose (gradient) of
// Conv. X [N, C, D1..Dk] (k = 1, 2 or 3), W [C, M/group, k1..kk], optional B [M] -> Y [N, M, ...].
// Per spatial axis (ONNX operator spec, "ConvTranspose"): input element i and tap t land on output
// o = i*stride - pad_begin + t*dilation, and
//   out = stride*(in-1) + output_padding + ((k-1)*dilation + 1) - pad_begin - pad_end.
// Padding:
//   - output_shape given (spatial dims; the older [N, C, ...] form is accepted too): pads are
//     generated from total_padding = stride*(in-1) + output_padding + ((k-1)*dilation+1) - output_shape,
//     split as the spec's text says: SAME_UPPER: pad_begin = floor(total/2) (the odd one at the
//     end); otherwise (NOTSET, SAME_LOWER, VALID): pad_begin = total - floor(total/2). (Older
//     wordings of the spec had the two branches swapped, see onnx issue #1609; onnxruntime
//     follows the current text since PR #12537, 1.13.) An output_shape up to stride-1 past the
//     full output (total_padding < 0) adds elements at the end that only the bias reaches, as
//     output_padding does (onnxruntime accepts the same range and rejects larger ones);
//   - auto_pad SAME_UPPER / SAME_LOWER: out = in*stride (spec), the total padding split the same
//     way. A kernel extent shorter than the stride gives total < 0: the extra elements go at the
//     end (onnxruntime clamps the padding to 0 and returns the shorter full output instead);
//   - auto_pad VALID: no padding; NOTSET: the `pads` attribute (default 0).
// output_padding must be below max(stride, dilation) (spec: "less than the corresponding
// stride/dilation dimension").
// Kernel (shaders/conv-transpose.wgsl): gather form, one invocation per block of outputs, only the
// taps whose (o + pad - t*dilation) is a multiple of the stride are visited. Variants:
//   'convtranspose-tiled' (default): a register tile of 4 or 8 output channels (constant W, re-laid
//     out once at create so that those channels are contiguous) times up to 4 output columns of
//     one stride residue; with a single output channel per group (depthwise) or W given at run
//     time, 1 channel times the columns, reading W in its ONNX layout when it is not constant;
//   'convtranspose-direct': one output element per invocation (the simple reference variant).
//   forceAlgorithm selects one (tests run both).
// Element types: X, W, B and Y are float32 or float16 (one type), in the storage type of
// runtime/gpu/elements.ts (W re-laid out through k.weight in its type); sums are f32.
import type { KernelBuilder, OpDef, TypeShape } from '../types.js';
import type { HostTensor, Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInt, attrInts } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { parseWindowAttrs, type WindowAttrs } from './window.js';

export interface ConvTransposeAttrs {
  window: WindowAttrs;
  group: number;
  outputPadding?: number[];
  outputShape?: number[];
}

/** The geometry resolved against X and W: one entry per spatial axis. */
export interface TransposeWindow {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  out: number[];
}

export const CONV_TRANSPOSE_ALGORITHMS = ['convtranspose-tiled', 'convtranspose-direct'] as const;
type Algorithm = (typeof CONV_TRANSPOSE_ALGORITHMS)[number];

const WG = 64;
/** Output columns per invocation of the tiled kernel (same stride residue). */
const TILE_COLUMNS = 4;

function fail(node: Node, msg: string, inputs?: (TypeShape | undefined)[]): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes: inputs ? { X: inputs[0]?.shape, W: inputs[1]?.shape, B: inputs[2]?.shape } : undefined });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Validates the inputs and resolves the per-axis geometry (spec equations, see the file comment). */
export function resolveConvTranspose(node: Node, inputs: (TypeShape | undefined)[], a: ConvTransposeAttrs): TransposeWindow {
  const x = inputs[0];
  const w = inputs[1];
  if (!x || !w) fail(node, 'inputs X and W are required', inputs);
  const rank = x.shape.length;
  if (rank < 3 || rank > 5) fail(node, `ConvTranspose runs on 1-D, 2-D and 3-D inputs (rank 3 to 5), got rank ${rank}`, inputs);
  if ((x.dtype !== 'float32' && x.dtype !== 'float16') || w.dtype !== x.dtype) fail(node, `ConvTranspose needs float32 or float16 inputs of one type, got ${x.dtype} and ${w.dtype}`, inputs);
  if (w.shape.length !== rank) fail(node, `W has rank ${w.shape.length}, X has rank ${rank}`, inputs);
  const C = x.shape[1];
  if (w.shape[0] !== C) fail(node, `W has ${w.shape[0]} input channels, X has ${C}`, inputs);
  if (a.group < 1 || C % a.group !== 0) fail(node, `group ${a.group} does not divide the ${C} input channels`, inputs);
  const M = w.shape[1] * a.group;
  const b = inputs[2];
  if (b && (b.dtype !== x.dtype || b.shape.length !== 1 || b.shape[0] !== M)) fail(node, `B must be a ${x.dtype} tensor of shape [${M}]`, inputs);
  if (inputs.slice(3).some(Boolean)) fail(node, 'ConvTranspose takes at most 3 inputs (X, W, B)', inputs);
  if (a.window.ceilMode) fail(node, 'ConvTranspose has no ceil_mode', inputs);

  const r = rank - 2;
  const spatial = x.shape.slice(2);
  const kernel = w.shape.slice(2);
  const ks = a.window.kernelShape;
  if (ks && (ks.length !== r || ks.some((d, i) => d !== kernel[i]))) fail(node, `kernel_shape [${ks}] does not match W`, inputs);
  const ones = new Array<number>(r).fill(1);
  const strides = a.window.strides ?? ones;
  const dilations = a.window.dilations ?? ones;
  const pads = a.window.pads ?? new Array<number>(2 * r).fill(0);
  const outputPadding = a.outputPadding ?? new Array<number>(r).fill(0);
  if (strides.length !== r) fail(node, `strides has ${strides.length} values for ${r} spatial dims`, inputs);
  if (dilations.length !== r) fail(node, `dilations has ${dilations.length} values for ${r} spatial dims`, inputs);
  if (pads.length !== 2 * r) fail(node, `pads has ${pads.length} values for ${r} spatial dims (needs ${2 * r})`, inputs);
  if (outputPadding.length !== r) fail(node, `output_padding has ${outputPadding.length} values for ${r} spatial dims`, inputs);
  let outputShape = a.outputShape;
  if (outputShape) {
    // Opset 1 models may give the whole [N, C, ...] shape; only the spatial part decides pads.
    if (outputShape.length === rank) outputShape = outputShape.slice(2);
    if (outputShape.length !== r) fail(node, `output_shape has ${a.outputShape!.length} values for ${r} spatial dims`, inputs);
  }

  const win: TransposeWindow = { kernel, strides: [...strides], dilations: [...dilations], padsBegin: [], padsEnd: [], out: [] };
  for (let i = 0; i < r; i++) {
    const [inSize, k, s, d, op] = [spatial[i], kernel[i], strides[i], dilations[i], outputPadding[i]];
    if (inSize < 1) fail(node, `spatial axis ${i} of X is empty`, inputs);
    if (k < 1 || s < 1 || d < 1) fail(node, `kernel, stride and dilation must be ≥ 1 (axis ${i}: ${k}, ${s}, ${d})`, inputs);
    if (op < 0 || op >= Math.max(s, d)) fail(node, `output_padding ${op} on axis ${i} must be in [0, max(stride, dilation)) = [0, ${Math.max(s, d)})`, inputs);
    const full = s * (inSize - 1) + op + (k - 1) * d + 1;
    let pb: number;
    let pe: number;
    let out: number;
    const fromTotal = (total: number, upper: boolean) => {
      if (total < 0) {
        // Longer than the full output: the extra elements are at the end (see the file comment).
        pb = 0;
      } else {
        pb = upper ? Math.floor(total / 2) : total - Math.floor(total / 2);
      }
      pe = total - pb;
    };
    if (outputShape) {
      out = outputShape[i];
      if (out < 1) fail(node, `output_shape [${outputShape}] must be positive`, inputs);
      const total = full - out;
      if (total <= -s) fail(node, `output_shape ${out} on axis ${i} exceeds the full output ${full} by stride ${s} or more`, inputs);
      fromTotal(total, a.window.autoPad === 'SAME_UPPER');
    } else if (a.window.autoPad === 'SAME_UPPER' || a.window.autoPad === 'SAME_LOWER') {
      out = inSize * s;
      fromTotal(full - out, a.window.autoPad === 'SAME_UPPER');
    } else {
      pb = 0;
      pe = 0;
      if (a.window.autoPad === 'NOTSET') {
        pb = pads[i];
        pe = pads[i + r];
        if (pb < 0 || pe < 0) fail(node, `negative pads are not supported (${pads.join(',')})`, inputs);
      }
      out = full - pb - pe;
      if (out < 1) fail(node, `pads ${pb}+${pe} on axis ${i} leave no output (full size ${full})`, inputs);
    }
    win.padsBegin.push(pb!);
    win.padsEnd.push(pe!);
    win.out.push(out);
  }
  return win;
}

/** Pads per-axis values to the shader's (D, H, W) with leading `fill`s. */
function to3d(v: readonly number[], fill: number): [number, number, number, number] {
  const p = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [p[0], p[1], p[2], 0];
}

/**
 * W [C, Mg, taps] (C = G*Cg) re-laid out as [G][mtiles][taps][Cg][MT], output channels padded
 * with zeros to mtiles*MT: the MT channels a tiled invocation needs for one (tap, c) are adjacent.
 */
export function relayoutWeights(wt: HostTensor, G: number, Cg: number, Mg: number, taps: number, MT: number): Float32Array {
  const mtiles = Math.ceil(Mg / MT);
  const src = wt.data;
  const dst = new Float32Array(G * mtiles * taps * Cg * MT);
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < Cg; c++) {
      for (let m = 0; m < Mg; m++) {
        const mt = Math.floor(m / MT);
        const lane = m % MT;
        const srcBase = ((g * Cg + c) * Mg + m) * taps;
        for (let t = 0; t < taps; t++) {
          dst[((((g * mtiles + mt) * taps + t) * Cg + c) * MT) + lane] = src[srcBase + t];
        }
      }
    }
  }
  return dst;
}

function algorithm(k: KernelBuilder): Algorithm {
  // forceAlgorithm is session-wide: names that other ops own are ignored here.
  const forced = k.options.forceAlgorithm;
  if (forced === 'convtranspose-tiled' || forced === 'convtranspose-direct') return forced;
  return 'convtranspose-tiled';
}

export const ConvTranspose: OpDef<ConvTransposeAttrs> = {
  opType: 'ConvTranspose',
  float16: true,
  packedF16: true,
  variants: CONV_TRANSPOSE_ALGORITHMS,
  parse(ctx) {
    // Opsets 1 and 11 have the same attributes and defaults, so parsing does not depend on the
    // opset: strides and dilations 1, pads and output_padding 0, group 1, auto_pad NOTSET,
    // kernel_shape from W, output_shape absent.
    return {
      window: parseWindowAttrs(ctx.node),
      group: attrInt(ctx.node, 'group', 1),
      outputPadding: attrInts(ctx.node, 'output_padding'),
      outputShape: attrInts(ctx.node, 'output_shape'),
    };
  },
  infer(inputs, a, ctx) {
    const win = resolveConvTranspose(ctx.node, inputs, a);
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: [x.shape[0], inputs[1]!.shape[1] * a.group, ...win.out] }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const w = k.inputs[1]!;
    const y = k.outputs[0];
    const win = resolveConvTranspose(k.node, k.inputs, a);
    if (sizeOf(y.shape) === 0) return;
    const [N, C] = x.shape;
    const G = a.group;
    const Cg = C / G;
    const Mg = w.shape[1];
    const M = Mg * G;
    const taps = sizeOf(win.kernel);
    const hasBias = !!k.node.inputs[2];
    const inSize = to3d(x.shape.slice(2), 1);
    const outSize = to3d(win.out, 1);
    const stride = to3d(win.strides, 1);
    const dil = to3d(win.dilations, 1);
    const tapStep = to3d(
      win.strides.map((s, i) => s / gcd(s, win.dilations[i])),
      1,
    );

    const algo = algorithm(k);
    const wConst = k.constant(1);
    // Output channels per invocation: a vec4 or two when W can be re-laid out and a group has
    // more than one output channel; 1 otherwise.
    const MV = algo === 'convtranspose-tiled' && wConst && Mg > 1 ? (Mg > 4 ? 2 : 1) : 0;
    const MT = MV ? 4 * MV : 1;
    const perClass = Math.ceil(outSize[2] / stride[2]);
    const TW = algo === 'convtranspose-direct' ? 1 : perClass >= TILE_COLUMNS ? TILE_COLUMNS : perClass >= 2 ? 2 : 1;
    const mtiles = Math.ceil(Mg / MT);
    const nblk = Math.ceil(perClass / TW);

    // Weight strides in elements of the binding (vec4s when MV > 0).
    let wRef;
    let wStrides: { w_group: number; w_mtile: number; w_tap: number; w_chan: number };
    if (wConst) {
      // [G][mtiles][taps][Cg][MT]: see relayoutWeights.
      wRef = k.weight('w', relayoutWeights(wConst, G, Cg, Mg, taps, MT), w.dtype);
      const lanes = MV ? MV : 1;
      wStrides = { w_group: mtiles * taps * Cg * lanes, w_mtile: taps * Cg * lanes, w_tap: Cg * lanes, w_chan: lanes };
    } else {
      // The ONNX layout [G*Cg][Mg][taps], scalar (MT = 1, so the channel tile is the channel).
      wRef = k.input(1);
      wStrides = { w_group: Cg * Mg * taps, w_mtile: taps, w_tap: 1, w_chan: Mg * taps };
    }

    const S = storageOf(x.dtype, k.limits);
    const total = N * G * mtiles * outSize[0] * outSize[1] * stride[2] * nblk;
    k.dispatch({
      shader: 'conv-transpose',
      variant: `${algo} ${MV ? MT : 1}x${TW}${halfTag(S, ' ')}`,
      defines: { S, WG, TW, MV: MV || 1, VEC: MV > 0, HAS_BIAS: hasBias },
      bindings: { x: k.input(0), w: wRef, y: k.output(0), ...(hasBias ? { bias: k.input(2) } : {}) },
      uniforms: {
        total,
        C,
        Cg,
        M,
        Mg,
        groups: G,
        mtiles,
        nblk,
        ...wStrides,
        in_size: inSize,
        out_size: outSize,
        kernel: to3d(win.kernel, 1),
        stride,
        pad: to3d(win.padsBegin, 0),
        dil,
        tap_step: tapStep,
      },
      workgroups: grid(Math.ceil(total / WG), k.limits),
    });
  },
};
