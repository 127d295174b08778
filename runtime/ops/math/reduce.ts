// Shared machinery of the Reduce* ops (ONNX opset 1/11/13/18): attribute/input parsing, shape
// inference, host evaluation and the dispatch of shaders/reduce.wgsl.
// `axes` is an attribute before opset 18 (before 13 for ReduceSum) and an optional int64 input
// from then on, together with `noop_with_empty_axes`: with no (or empty) axes every axis is
// reduced, unless noop_with_empty_axes = 1, which reduces none. Fovea needs the axes input to be
// constant (it fixes the output shape). keepdims defaults to 1.
import type { OpContext, OpDef } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { isFloat, sizeOf, stridesOf } from '../../ir/types.js';
import { makeHost, saturate, toNumbers } from '../../ir/host-tensor.js';
import { attrInt, attrInts, normAxis } from '../attributes.js';
import { isIntegerType } from '../activation/unary.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { LimitError, ShapeError } from '../../errors.js';

export interface ReduceAttrs {
  /** Normalised later against the input rank; undefined: every axis. */
  axes: number[] | undefined;
  keepdims: boolean;
  /** Empty axes mean "reduce nothing". */
  noop: boolean;
}

export interface ReduceDef {
  opType: string;
  /** Opset from which axes is an input (18; 13 for ReduceSum). */
  axesInputSince: number;
  /** WGSL: start value (T), map of `v`, combine of `acc` and `v`, final of `acc` and `count` (u32). */
  init: string;
  map: string;
  combine: string;
  final: string;
  /** max/min: start from the first element (exact for -inf inputs). */
  idempotent?: boolean;
  /** Also on integer tensors (the expressions must then type-check on i32). */
  ints?: boolean;
  /** Host: start, map, combine, final. */
  host: { init: number; map: (v: number) => number; combine: (acc: number, v: number) => number; final: (acc: number, count: number) => number };
}

const WG_OUTPUT = 128;
const WG_THREAD = 64;
/** Outputs that reduce at least this many elements get a workgroup each. */
const WORKGROUP_MIN_COUNT = 64;
const MAX_RANK = 8;

function parseReduce(ctx: OpContext, since: number): ReduceAttrs {
  const keepdims = attrInt(ctx.node, 'keepdims', 1) !== 0;
  if (ctx.opset < since) {
    // An empty `axes` attribute is the default (reduce every axis), as onnxruntime reads it.
    const axes = attrInts(ctx.node, 'axes');
    return { axes: axes?.length ? axes : undefined, keepdims, noop: false };
  }
  const noop = attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0;
  if (!ctx.has(1)) return { axes: undefined, keepdims, noop };
  const t = ctx.constant(1);
  if (!t) {
    throw new ShapeError('input "axes" must be a constant', { op: ctx.node.opType, node: ctx.node.name, hint: 'Fovea fixes reduction axes at compile time; make axes an initializer' });
  }
  const axes = toNumbers(t);
  return { axes: axes.length ? axes : undefined, keepdims, noop };
}

/** The reduced axes (sorted, non-negative) for an input rank. */
function reducedAxes(ctx: Pick<OpContext, 'node'>, a: ReduceAttrs, rank: number): number[] {
  if (a.axes === undefined) return a.noop ? [] : Array.from({ length: rank }, (_, i) => i);
  const axes = a.axes.map((x) => normAxis(ctx.node, x, rank));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`axes [${a.axes.join(',')}] repeat an axis`, { op: ctx.node.opType, node: ctx.node.name });
  return axes.sort((p, q) => p - q);
}

function outShape(shape: readonly number[], axes: number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

interface Layout {
  outputs: number;
  count: number;
  kept: { outStrides: number[]; inStrides: number[] };
  red: { outStrides: number[]; inStrides: number[] };
}

/** Splits the input's dims into merged kept and reduced runs (see shaders/reduce.wgsl). */
function layoutOf(shape: readonly number[], axes: number[]): Layout {
  const inStrides = stridesOf(shape);
  const runs: { reduced: boolean; size: number; stride: number }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.includes(i);
    const last = runs[runs.length - 1];
    // Row-major: the previous run (outer) and this dim (inner) are contiguous, even across
    // dropped size-1 dims, so one run of a kind covers them both.
    if (last && last.reduced === reduced) {
      last.size *= d;
      last.stride = inStrides[i];
    } else runs.push({ reduced, size: d, stride: inStrides[i] });
  });
  const part = (reduced: boolean) => {
    const rs = runs.filter((r) => r.reduced === reduced);
    return { outStrides: stridesOf(rs.map((r) => r.size)), inStrides: rs.map((r) => r.stride), size: sizeOf(rs.map((r) => r.size)) };
  };
  const kept = part(false);
  const red = part(true);
  return { outputs: kept.size, count: red.size, kept, red };
}

function offsetOf(index: number, outStrides: number[], inStrides: number[]): number {
  let rem = index;
  let off = 0;
  for (let d = 0; d < outStrides.length; d++) {
    const q = Math.floor(rem / outStrides[d]);
    rem -= q * outStrides[d];
    off += q * inStrides[d];
  }
  return off;
}

export function reduceOp(def: ReduceDef): OpDef<ReduceAttrs> {
  return {
    opType: def.opType,
    variants: ['reduce-workgroup', 'reduce-thread'],
    float16: true,
    packedF16: true,
    shapeInputs: [1], // axes (opset 13 for ReduceSum, 18 for the others)
    parse: (ctx) => parseReduce(ctx, def.axesInputSince),
    infer: (inputs, a, ctx) => {
      const x = inputs[0];
      if (!x) throw new ShapeError('input "data" is required', { op: ctx.node.opType, node: ctx.node.name });
      if (!isFloat(x.dtype) && !(def.ints && isIntegerType(x.dtype))) {
        throw new ShapeError(`input type ${x.dtype} is not supported`, { op: ctx.node.opType, node: ctx.node.name });
      }
      return [{ dtype: x.dtype, shape: outShape(x.shape, reducedAxes(ctx, a, x.shape.length), a.keepdims) }];
    },
    cpu: (inputs, a, ctx) => {
      const x = inputs[0]!;
      const axes = reducedAxes(ctx, a, x.dims.length);
      const L = layoutOf(x.dims, axes);
      const y: HostTensor = makeHost(x.dtype, outShape(x.dims, axes, a.keepdims));
      const int = y.data instanceof Int32Array;
      const h = def.host;
      for (let o = 0; o < L.outputs; o++) {
        const base = offsetOf(o, L.kept.outStrides, L.kept.inStrides);
        let acc = def.idempotent ? h.map(Number(x.data[base])) : h.init;
        for (let r = 0; r < L.count; r++) acc = h.combine(acc, h.map(Number(x.data[base + offsetOf(r, L.red.outStrides, L.red.inStrides)])));
        const v = h.final(acc, L.count);
        // Integer means and the like truncate, as onnxruntime's integer kernels do.
        y.data[o] = int ? saturate(v) : v;
      }
      return [y];
    },
    gpu(k, a) {
      const x = k.inputs[0]!;
      const int = !isFloat(x.dtype);
      const L = layoutOf(x.shape, reducedAxes(k, a, x.shape.length));
      if (L.kept.inStrides.length > MAX_RANK || L.red.inStrides.length > MAX_RANK) {
        throw new LimitError(`too many separate kept/reduced dim runs (the kernel handles ${MAX_RANK} of each)`, { op: k.node.opType, node: k.node.name, shapes: { data: x.shape } });
      }
      const forced = k.options.forceAlgorithm;
      const workgroup = forced === 'reduce-workgroup' ? true : forced === 'reduce-thread' ? false : L.count >= WORKGROUP_MIN_COUNT;
      const wg = workgroup ? WG_OUTPUT : WG_THREAD;
      // float16 values are read and written as f16 where stored so, reduced in f32.
      const S = int ? 'i32' : storageOf(x.dtype, k.limits);
      k.dispatch({
        shader: 'reduce',
        variant: `${def.opType}${int ? '-i32' : halfTag(S)}-${workgroup ? 'workgroup' : 'thread'}`,
        defines: {
          WG: wg,
          S,
          T: int ? 'i32' : 'f32',
          INIT: def.init,
          MAP: def.map,
          COMBINE: def.combine,
          FINAL: def.final,
          IDEMPOTENT: !!def.idempotent,
          WORKGROUP: workgroup,
        },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: {
          outputs: L.outputs,
          count: L.count,
          kept_rank: L.kept.inStrides.length,
          red_rank: L.red.inStrides.length,
          kept_out_strides: L.kept.outStrides,
          kept_in_strides: L.kept.inStrides,
          red_out_strides: L.red.outStrides,
          red_in_strides: L.red.inStrides,
        },
        workgroups: grid(workgroup ? L.outputs : Math.ceil(L.outputs / wg), k.limits),
      });
    },
  };
}
