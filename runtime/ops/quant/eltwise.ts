// Shared machinery of onnxruntime's per-tensor elementwise quantized ops (com.microsoft domain:
// QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu): input checks, output type (the
// output zero point's; uint8 when absent), and the dispatch of shaders/quant-eltwise.wgsl.
// The formulas follow onnxruntime's CPU kernels: values are dequantized, combined in f32 and
// quantized again with y's scale and zero point (onnxruntime uses 256-entry tables for the unary
// ops, which can round a value at a .5 tie differently: within one quantization step). A binary
// op whose result depends on how onnxruntime splits a broadcast into spans (QLinearAdd) gives
// its expression per span kind (`BroadcastSpan`).
import type { KernelBuilder, OpDef, TypeShape } from '../types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { broadcastShapes } from '../attributes.js';
import { broadcastStrides, coalesceDims, BINARY_MAX_RANK } from '../math/binary.js';
import { grid } from '../../gpu/plan.js';
import { storageOf } from '../../gpu/elements.js';
import { checkQParams, fail, isQ8, need, zpBuffer } from './util.js';

export const MS_DOMAIN = 'com.microsoft';
const WG = 256;
const ZERO8 = new Array<number>(8).fill(0);

export interface EltwiseDef<A> {
  opType: string;
  /** Inputs (x, x_scale, x_zp, [b, b_scale, b_zp,] y_scale, y_zp): binary ops have 8. */
  binary: boolean;
  /** f32 expression of da, db (or the raw values xa, xb), sa, sb, sc, alpha: the result divided
   * by y's scale; per broadcast span kind where the op's rounding depends on it. */
  expr: string | ((span: BroadcastSpan) => string);
  /** The expression already adds y's zero point (it is rounded as it is, then saturated). */
  exprHasZp?: boolean;
  parse?: OpDef<A>['parse'];
  alpha?: (a: A) => number;
}

/** How onnxruntime's broadcast loop (InputBroadcaster, BroadcastLooper) hands a binary op its
 * elements: both operands varying along the innermost span, or one of them constant over it
 * (a 1-element operand, or one broadcast along the innermost coalesced dim). */
export type BroadcastSpan = 'general' | 'scalarA' | 'scalarB';

function spanKind(aShape: readonly number[], bShape: readonly number[], strides: number[][]): BroadcastSpan {
  if (sizeOf(aShape) === 1) return 'scalarA';
  if (sizeOf(bShape) === 1) return 'scalarB';
  const last = strides[0].length - 1;
  if (last >= 0 && strides[0][last] === 0) return 'scalarA';
  if (last >= 0 && strides[1][last] === 0) return 'scalarB';
  return 'general';
}

export function eltwiseOp<A = Record<string, never>>(def: EltwiseDef<A>): OpDef<A> {
  const yScale = def.binary ? 6 : 3;
  return {
    opType: def.opType,
    packedInt8: true,
    domain: MS_DOMAIN,
    parse: def.parse ?? (() => ({}) as A),
    infer(inputs, _a, ctx): TypeShape[] {
      const n = ctx.node;
      const a = need(n, inputs, 0, 'A');
      if (!isQ8(a.dtype)) fail(n, `A must be int8 or uint8, got ${a.dtype}`);
      checkQParams(n, inputs[1], inputs[2], 'A');
      let shape = a.shape;
      if (def.binary) {
        const b = need(n, inputs, 3, 'B');
        if (b.dtype !== a.dtype) fail(n, `A is ${a.dtype} but B is ${b.dtype}`);
        checkQParams(n, inputs[4], inputs[5], 'B');
        shape = broadcastShapes(n, a.shape, b.shape);
      }
      checkQParams(n, inputs[yScale], inputs[yScale + 1], 'C');
      // onnxruntime's kernels take one 8-bit type for every operand and zero point.
      for (const i of def.binary ? [2, 5, yScale + 1] : [2, yScale + 1]) {
        const z = inputs[i];
        if (z && z.dtype !== a.dtype) fail(n, `zero point input ${i} is ${z.dtype}, A is ${a.dtype}`);
      }
      return [{ dtype: inputs[yScale + 1]?.dtype ?? a.dtype, shape: [...shape] }];
    },
    gpu(k, a) {
      const n = sizeOf(k.outputs[0].shape);
      if (n === 0) return;
      const bindings = { x0: k.input(0), a_scale: k.input(1), a_zp: zpBuffer(k, 2, 'a-zp'), y_scale: k.input(yScale), y_zp: zpBuffer(k, yScale + 1, 'y-zp'), y: k.output(0) };
      const uniforms: Record<string, number | number[]> = { n, rank: 1, inner: n, y_outer: n, y_offset: 0, alpha: def.alpha?.(a) ?? 0 };
      let span: BroadcastSpan = 'general';
      if (def.binary) {
        Object.assign(bindings, { x1: k.input(3), b_scale: k.input(4), b_zp: zpBuffer(k, 5, 'b-zp') });
        const out = k.outputs[0].shape;
        const { shape, strides } = coalesceDims(out, [broadcastStrides(k.inputs[0]!.shape, out), broadcastStrides(k.inputs[3]!.shape, out)]);
        if (shape.length > BINARY_MAX_RANK) fail(k.node, `${shape.length} non-mergeable broadcast dims, the kernel handles ${BINARY_MAX_RANK}`);
        Object.assign(uniforms, { rank: shape.length, out_strides: stridesOf(shape), a_strides: strides[0], b_strides: strides[1] });
        span = spanKind(k.inputs[0]!.shape, k.inputs[3]!.shape, strides);
      }
      const expr = typeof def.expr === 'string' ? def.expr : def.expr(span);
      // a and b of y's shape (one coalesced dim, unit strides): 4 elements an invocation.
      const vec4 = def.binary && uniforms.rank === 1 && (uniforms.a_strides as number[])[0] === 1 && (uniforms.b_strides as number[])[0] === 1 && n % 4 === 0;
      const variant = typeof def.expr === 'string' ? def.opType : `${def.opType}-${vec4 ? 'same4' : span}`;
      dispatchEltwise(k, variant, def.binary, expr, bindings, uniforms, def.exprHasZp, 0, vec4);
    },
  };
}

/** One dispatch of shaders/quant-eltwise.wgsl; a is input `aInput` (QLinearConcat's slab), b input 3. */
export function dispatchEltwise(k: KernelBuilder, variant: string, binary: boolean, expr: string, bindings: Parameters<KernelBuilder['dispatch']>[0]['bindings'], uniforms: Record<string, number | number[]>, exprHasZp = false, aInput = 0, vec4 = false): void {
  const signed = k.outputs[0].dtype === 'int8';
  const stored = (i: number) => storageOf(k.inputs[i]!.dtype, k.limits);
  const types = { TA: stored(aInput), TB: binary ? stored(3) : 'i32', TY: storageOf(k.outputs[0].dtype, k.limits) };
  k.dispatch({
    shader: 'quant-eltwise',
    variant,
    defines: { WG, BINARY: binary, VEC4: vec4, EXPR: expr, EXPR_HAS_ZP: exprHasZp, QMIN: signed ? -128 : 0, QMAX: signed ? 127 : 255, ...types },
    bindings,
    // The stride arrays are read by BINARY only; the others leave them zero.
    uniforms: { out_strides: ZERO8, a_strides: ZERO8, b_strides: ZERO8, ...uniforms },
    workgroups: grid(Math.ceil((uniforms.n as number) / (vec4 ? 4 : 1) / WG), k.limits),
  });
}
