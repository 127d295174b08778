// Pad (ONNX opset 1/2/11/13/18/19/21): pads (or, with negative pads, crops) every axis.
// pads = [x1_begin, x2_begin, …, x1_end, x2_end, …]. Opset 1 names them `paddings`, opset 2-10
// `pads`, both attributes with the float `value`; from opset 11 pads and constant_value are
// inputs 1 and 2 (constant here: they fix the output shape and the kernel's uniforms), and from
// opset 18 input 3 `axes` says which axes pads covers. Modes: constant (default), reflect (mirror
// without repeating the edge), edge (repeat the edge) and wrap (opset 19, periodic).
import { computeOf, halfTag, moveType } from '../../gpu/elements.js';
import type { OpDef, TypeShape } from '../types.js';
import type { DType, HostTensor, Node } from '../../ir/types.js';
import { isFloat, sizeOf, stridesOf } from '../../ir/types.js';
import { saturate } from '../../ir/host-tensor.js';
import { attrFloat, attrInts, attrString } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { constInts, dataLike, fail, normAxes } from './util.js';

const PAD_WG = 256;
const MAX_PAD_RANK = 8;
const MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
type Mode = (typeof MODES)[number];

interface PadAttrs {
  mode: Mode;
  /** Flat [begins…, ends…] over `axes` (all axes when absent). */
  pads: number[];
  axes?: number[];
  value: number;
}

/** Per-axis begin pads and the output shape. */
function padPlan(node: Node, shape: number[], a: PadAttrs): { begin: number[]; out: number[] } {
  const rank = shape.length;
  const axes = a.axes ? normAxes(node, a.axes, rank) : Array.from({ length: rank }, (_, i) => i);
  if (a.pads.length !== 2 * axes.length) fail(node, `pads has ${a.pads.length} values, expected ${2 * axes.length}`, { input: shape });
  const begin = new Array<number>(rank).fill(0);
  const out = [...shape];
  axes.forEach((ax, i) => {
    const b = a.pads[i];
    const e = a.pads[i + axes.length];
    begin[ax] = b;
    out[ax] = shape[ax] + b + e;
    if (out[ax] < 0) fail(node, `pads [${a.pads.join(',')}] crop axis ${ax} below zero`, { input: shape });
    if (a.mode !== 'constant' && shape[ax] === 0 && out[ax] > 0) fail(node, `${a.mode} padding of an empty axis ${ax}`, { input: shape });
  });
  return { begin, out };
}

/** The input coordinate an output coordinate reads along one axis; -1 for the constant. */
function sourceIndex(mode: Mode, j: number, len: number): number {
  switch (mode) {
    case 'constant':
      return j < 0 || j >= len ? -1 : j;
    case 'edge':
      return Math.min(Math.max(j, 0), len - 1);
    case 'reflect': {
      if (len === 1) return 0;
      const p = 2 * (len - 1);
      const m = ((j % p) + p) % p;
      return m >= len ? p - m : m;
    }
    case 'wrap':
      return ((j % len) + len) % len;
  }
}

/** The constant's value as stored in this dtype (host data and GPU bits agree). */
function storedValue(dtype: DType, v: number): number {
  if (isFloat(dtype)) return v;
  if (dtype === 'bool') return v ? 1 : 0;
  return saturate(v);
}

function valueBits(dtype: DType, v: number): number {
  const s = storedValue(dtype, v);
  return isFloat(dtype) ? new Uint32Array(new Float32Array([s]).buffer)[0] : s >>> 0;
}

export const Pad: OpDef<PadAttrs> = {
  opType: 'Pad',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1, 2, 3],
  parse(ctx) {
    const node = ctx.node;
    const mode = attrString(node, 'mode', 'constant') as Mode;
    if (!MODES.includes(mode)) fail(node, `unknown mode "${mode}"`, undefined, `use one of ${MODES.join(', ')}`);
    if (ctx.opset < 11) {
      const pads = attrInts(node, ctx.opset < 2 ? 'paddings' : 'pads');
      if (!pads) fail(node, `the "${ctx.opset < 2 ? 'paddings' : 'pads'}" attribute is required`);
      return { mode, pads, value: attrFloat(node, 'value', 0) };
    }
    const pads = constInts(ctx, 1, 'pads');
    if (!pads) fail(node, 'input 1 ("pads") is required');
    let value = 0;
    if (ctx.has(2)) {
      const c = ctx.constant(2);
      if (!c) fail(node, 'a runtime constant_value input is not supported', undefined, 'make constant_value an initializer');
      value = c.data.length ? Number(c.data[0]) : 0;
    }
    return { mode, pads, value, axes: ctx.opset >= 18 ? constInts(ctx, 3, 'axes') : undefined };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: padPlan(ctx.node, x.shape, a).out }];
  },
  cpu(inputs, a, ctx) {
    const x: HostTensor = inputs[0]!;
    const { begin, out } = padPlan(ctx.node, x.dims, a);
    const rank = out.length;
    const inStrides = stridesOf(x.dims);
    const n = sizeOf(out);
    const data = dataLike(x.data, n);
    const value = storedValue(x.dtype, a.value);
    for (let i = 0; i < n; i++) {
      let rem = i;
      let s = 0;
      for (let d = rank - 1; d >= 0 && s >= 0; d--) {
        const c = rem % out[d];
        rem = Math.floor(rem / out[d]);
        const j = sourceIndex(a.mode, c - begin[d], x.dims[d]);
        s = j < 0 ? -1 : s + j * inStrides[d];
      }
      data[i] = s < 0 ? value : x.data[s];
    }
    return [{ dtype: x.dtype, dims: out, data }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const { begin, out } = padPlan(k.node, x.shape, a);
    const n = sizeOf(out);
    if (n === 0) return;
    const rank = out.length;
    if (rank > MAX_PAD_RANK) fail(k.node, `rank ${rank} is above the kernel's ${MAX_PAD_RANK}`, { input: x.shape });
    k.dispatch({
      shader: 'pad',
      variant: `${a.mode}${halfTag(moveType(x.dtype, k.limits), ' ')}`,
      // The constant travels as its f32 / i32 bits; an f16 element is converted from the f32.
      defines: { WG: PAD_WG, [a.mode.toUpperCase()]: true, E: moveType(x.dtype, k.limits), C: computeOf(moveType(x.dtype, k.limits)) },
      bindings: { x: k.input(0), y: k.output(0) },
      uniforms: {
        n,
        rank,
        value: valueBits(x.dtype, a.value),
        out_shape: out,
        in_shape: x.shape,
        in_strides: stridesOf(x.shape),
        begin,
      },
      workgroups: grid(Math.ceil(n / PAD_WG), k.limits),
    });
  },
};
