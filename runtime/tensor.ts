// The public Tensor, shaped like onnxruntime-web's: new Tensor(type, data, dims).
import { InputError } from './errors.js';
import type { DType } from './ir/types.js';

export type TensorType = 'float32' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8';
export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

const CTORS: Record<TensorType, { new (n: number): TensorData; name: string }> = {
  float32: Float32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

export class Tensor {
  readonly type: TensorType;
  readonly data: TensorData;
  readonly dims: readonly number[];

  constructor(type: TensorType, data: TensorData | readonly number[] | readonly bigint[], dims?: readonly number[]);
  constructor(data: Float32Array, dims?: readonly number[]);
  constructor(a: TensorType | Float32Array, b?: unknown, c?: readonly number[]) {
    let type: TensorType;
    let data: unknown;
    let dims: readonly number[] | undefined;
    if (typeof a === 'string') [type, data, dims] = [a, b, c];
    else [type, data, dims] = ['float32', a, b as readonly number[] | undefined];
    const Ctor = CTORS[type];
    if (!Ctor) throw new InputError(`unsupported tensor type "${type}"`, { hint: `use one of ${Object.keys(CTORS).join(', ')}` });
    if (Array.isArray(data)) {
      const arr = new Ctor(data.length);
      data.forEach((v, i) => ((arr as unknown as (number | bigint)[])[i] = type === 'int64' ? BigInt(v) : Number(v)));
      data = arr;
    }
    if (!(data instanceof Ctor)) {
      throw new InputError(`a "${type}" tensor needs a ${Ctor.name}, got ${(data as object)?.constructor?.name ?? typeof data}`);
    }
    const d = data as TensorData;
    dims = dims ?? [d.length];
    if (dims.some((x) => !Number.isInteger(x) || x < 0)) throw new InputError(`invalid dims [${dims.join(',')}]`);
    const n = dims.reduce((p, q) => p * q, 1);
    if (n !== d.length) {
      throw new InputError(`tensor data has ${d.length} elements, dims [${dims.join(',')}] need ${n}`, { shapes: { dims } });
    }
    this.type = type;
    this.data = d;
    this.dims = Object.freeze([...dims]);
  }

  get size(): number {
    return this.data.length;
  }
}

/** The 4-byte GPU representation of a feed: f32 as is, integers as i32 (int64 saturated), bool as u32. */
export function toGpuElements(t: Tensor): Float32Array | Int32Array {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Int32Array) return d;
  const out = new Int32Array(d.length);
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      out[i] = v > 2147483647n ? 2147483647 : v < -2147483647n ? -2147483647 : Number(v);
    }
  } else {
    for (let i = 0; i < d.length; i++) out[i] = d[i];
  }
  return out;
}

/** The public tensor type for an IR dtype. */
export function tensorTypeOf(d: DType): TensorType | undefined {
  switch (d) {
    case 'float32': case 'int32': case 'int64': case 'bool': case 'uint8': case 'int8': return d;
    default: return undefined;
  }
}

/** Builds an output Tensor from 4-byte GPU elements (or host data of a folded constant). */
export function fromElements(dtype: DType, dims: number[], src: ArrayBuffer | ArrayLike<number>): Tensor {
  const type = tensorTypeOf(dtype) ?? 'float32';
  const n = dims.reduce((a, b) => a * b, 1);
  const view: ArrayLike<number> = src instanceof ArrayBuffer ? (type === 'float32' ? new Float32Array(src, 0, n) : new Int32Array(src, 0, n)) : src;
  if (type === 'float32') return new Tensor('float32', Float32Array.from({ length: n }, (_, i) => view[i]), dims);
  if (type === 'int64') return new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.trunc(view[i]))), dims);
  const Ctor = CTORS[type] as unknown as { from(a: ArrayLike<number>): TensorData };
  return new Tensor(type, Ctor.from(Array.from({ length: n }, (_, i) => view[i])), dims);
}
