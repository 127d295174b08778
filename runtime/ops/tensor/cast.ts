// Cast (ONNX opset 1/6/9/13/19/21): converts elements to the type `to` (a TensorProto data-type
// code; a type name string in opset 1). Semantics follow a C cast, as onnxruntime does:
// float -> integer truncates toward zero (saturating at the int32 range Fovea stores integers
// in), 8/16-bit integer targets wrap, anything -> bool is (v != 0), bool -> number is 0/1.
// float64 is computed as float32. float16 is stored as f16 where the device has 'shader-f16',
// else as f32 holding float16 values: a cast to float16 then rounds through pack2x16float
// (runtime/gpu/elements.ts). Out-of-range values become ±Infinity as in IEEE conversion
// (onnxruntime's MLAS does the same). Strings are not supported.
import type { KernelBuilder, OpDef, TypeShape } from '../types.js';
import type { DType, HostTensor, Node } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { makeHost, saturate } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, storageOf, type StorageType } from '../../gpu/elements.js';
import { roundToHalf } from '../../ir/half.js';
import { fail } from './util.js';

const CAST_WG = 256;

/** ONNX TensorProto.DataType codes (onnx.proto). */
const BY_CODE: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};
/** Opset 1 names the type with the enum's string. */
const BY_NAME: Record<string, DType> = {
  FLOAT: 'float32', UINT8: 'uint8', INT8: 'int8', UINT16: 'uint16', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  STRING: 'string', BOOL: 'bool', FLOAT16: 'float16', DOUBLE: 'float64', UINT32: 'uint32', UINT64: 'uint64',
};

interface CastAttrs {
  to: DType;
}

type Kind = 'float' | 'int' | 'bool';

function kindOf(d: DType): Kind {
  return isFloat(d) ? 'float' : d === 'bool' ? 'bool' : 'int';
}

/** Wrapping of narrow integer targets: [shift for the sign-extending form, mask for unsigned]. */
const NARROW: Partial<Record<DType, { bits: number; signed: boolean }>> = {
  int8: { bits: 8, signed: true },
  uint8: { bits: 8, signed: false },
  int16: { bits: 16, signed: true },
  uint16: { bits: 16, signed: false },
};

function wrapHost(to: DType, v: number): number {
  const w = NARROW[to];
  if (!w) return v;
  const shift = 32 - w.bits;
  return w.signed ? (v << shift) >> shift : v & ((1 << w.bits) - 1);
}

function convertHost(from: Kind, to: DType, v: number): number {
  const k = kindOf(to);
  if (k === 'bool') return v !== 0 ? 1 : 0;
  if (k === 'float') return v;
  // Integer target: truncate floats (NaN -> 0), saturate to int32, then wrap narrow types.
  return wrapHost(to, from === 'float' ? saturate(v) : v);
}

/** WGSL expression of the input value `v` (of storage type `sx`) giving the output element
 * (of storage type `sy`), for a cast of a `from`-kind value to `to`. */
function castExpr(from: Kind, sx: StorageType, to: DType, sy: StorageType): string {
  // `v` is the input in its compute type (f32 for f16 and p16); the result goes to the output's
  // setter in the output's compute type.
  const cx = computeOf(sx);
  const k = kindOf(to);
  if (k === 'bool') return `select(0u, 1u, v != ${cx}(0))`;
  if (k === 'float') {
    const x = cx === 'f32' ? 'v' : `f32(v)`;
    if (to !== 'float16') return x;
    // f32 -> f16: WGSL leaves out-of-range conversions indeterminate; IEEE gives ±Infinity.
    // With shader-f16, to_f16 converts; otherwise round_f16 rounds to the nearest f16 value (or
    // ±Infinity) in f32, which f32 and p16 storage then hold exactly.
    return sy === 'f16' ? `to_f16(${x})` : `round_f16(${x})`;
  }
  const int = from === 'float' ? 'i32(v)' : cx === 'i32' ? 'v' : 'i32(v)';
  const w = NARROW[to];
  if (!w) return int;
  const shift = 32 - w.bits;
  return w.signed ? `(${int} << ${shift}u) >> ${shift}u` : `(${int} & ${(1 << w.bits) - 1})`;
}

function targetOf(node: Node, opset: number): DType {
  const v = node.attributes.to;
  let to: DType | undefined;
  if (typeof v === 'number') to = BY_CODE[v];
  else if (typeof v === 'string' && opset < 6) to = BY_NAME[v.toUpperCase()];
  if (!to) fail(node, v === undefined ? 'the "to" attribute is required' : `unsupported target type ${JSON.stringify(v)}`);
  if (to === 'string') fail(node, 'casting to string is not supported');
  return to;
}

export const Cast: OpDef<CastAttrs> = {
  opType: 'Cast',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: (ctx) => ({ to: targetOf(ctx.node, ctx.opset) }),
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    if (x.dtype === 'string') fail(ctx.node, 'casting from string is not supported');
    return [{ dtype: a.to, shape: [...x.shape] }];
  },
  cpu: (inputs, a) => [castHost(inputs[0]!, a.to)],
  gpu: (k, a) => castGpu(k, a.to),
};

/** Input 0 cast to `to` on the host (Cast and CastLike). */
export function castHost(x: HostTensor, to: DType): HostTensor {
  const from = kindOf(x.dtype);
  const y = makeHost(to, x.dims);
  for (let i = 0; i < x.data.length; i++) y.data[i] = convertHost(from, to, x.data[i]);
  if (to === 'float16') for (let i = 0; i < y.data.length; i++) y.data[i] = roundToHalf(y.data[i]);
  return y;
}

/** Output 0 = input 0 cast to `to` (Cast and CastLike). */
export function castGpu(k: KernelBuilder, to: DType): void {
  const n = sizeOf(k.outputs[0].shape);
  if (n === 0) return;
  const from = kindOf(k.inputs[0]!.dtype);
  const sx = storageOf(k.inputs[0]!.dtype, k.limits);
  const sy = storageOf(to, k.limits);
  k.dispatch({
    shader: 'cast',
    variant: `${k.inputs[0]!.dtype}->${to}`,
    defines: { WG: CAST_WG, TX: sx, TY: sy, EXPR: castExpr(from, sx, to, sy), F16: sy === 'f16' },
    bindings: { x: k.input(0), y: k.output(0) },
    uniforms: { n },
    workgroups: grid(Math.ceil(n / CAST_WG), k.limits),
  });
}
