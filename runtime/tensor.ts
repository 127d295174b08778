// The public Tensor, shaped like onnxruntime-web's: new Tensor(type, data, dims).
import { InputError } from './errors.js';
import type { DType } from './ir/types.js';
import { isByteStorage, isHalfStorage, type StorageType } from './gpu/elements.js';
import { floatToHalf, fromHalfBits, roundToHalf, toHalfBits } from './ir/half.js';

export type TensorType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8';
/** float16 data: the IEEE half bits in a Uint16Array (onnxruntime-web's convention), or a
 * Float16Array where the JS engine has one. */
export type TensorData = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** The engine's Float16Array, where it has one (ES2025; Chromium 135+, not Node 20). */
const Float16ArrayCtor = (globalThis as { Float16Array?: { new (n: number | ArrayBuffer, offset?: number, length?: number): ArrayBufferView & ArrayLike<number> } }).Float16Array;

function isFloat16Array(d: unknown): d is ArrayBufferView & { length: number } {
  return !!Float16ArrayCtor && d instanceof (Float16ArrayCtor as unknown as new () => object);
}

/** The half bits of float16 data (a view: no copy). */
export function halfBitsOf(d: TensorData): Uint16Array {
  if (d instanceof Uint16Array) return d;
  const v = d as unknown as ArrayBufferView & { length: number };
  return new Uint16Array(v.buffer, v.byteOffset, v.length);
}

/** float16 output data: a Float16Array where the engine has one, else the bits. */
function halfData(bits: Uint16Array): TensorData {
  return Float16ArrayCtor ? (new Float16ArrayCtor(bits.buffer as ArrayBuffer, bits.byteOffset, bits.length) as unknown as TensorData) : bits;
}

const CTORS: Record<TensorType, { new (n: number): TensorData; name: string }> = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

/** Where a tensor's elements live (onnxruntime-web's names). */
export type TensorLocation = 'cpu' | 'gpu-buffer';

export interface GpuBufferTensorOptions {
  dataType: TensorType;
  dims: readonly number[];
  /** Reads the buffer back (Fovea's own GPU outputs set it; else getData() is unavailable). */
  download?: () => Promise<TensorData>;
  /** Frees the buffer (Fovea's own GPU outputs destroy it). */
  dispose?: () => void;
}

export class Tensor {
  readonly type: TensorType;
  readonly dims: readonly number[];
  private cpuData: TensorData | undefined;
  private gpu?: { buffer: GPUBuffer; download?: () => Promise<TensorData>; dispose?: () => void };

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
    if (Array.isArray(data) && type === 'float16') {
      // Numbers given for a float16 tensor are values (rounded to float16), not bits.
      data = halfData(toHalfBits(data.map(Number)).subarray(0, data.length));
    } else if (Array.isArray(data)) {
      const arr = new Ctor(data.length);
      data.forEach((v, i) => ((arr as unknown as (number | bigint)[])[i] = type === 'int64' ? BigInt(v) : Number(v)));
      data = arr;
    }
    if (!(data instanceof Ctor) && !(type === 'float16' && isFloat16Array(data))) {
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
    this.cpuData = d;
    this.dims = Object.freeze([...dims]);
  }

  /**
   * A tensor whose elements stay in a GPU buffer: a feed that needs no upload, or an output of a
   * session run with `outputLocation: 'gpu-buffer'` that can feed another session on the same
   * device without a round trip. Elements are Fovea's GPU representation (f32; f16 bits for
   * float16, which needs a device with 'shader-f16'; i32 for integer types, int64 saturated;
   * u32 0/1 for bool).
   */
  static fromGpuBuffer(buffer: GPUBuffer, options: GpuBufferTensorOptions): Tensor {
    const { dataType, dims } = options;
    if (!CTORS[dataType]) throw new InputError(`unsupported tensor type "${dataType}"`);
    const n = dims.reduce((p, q) => p * q, 1);
    if (dims.some((x) => !Number.isInteger(x) || x < 0)) throw new InputError(`invalid dims [${dims.join(',')}]`);
    const need = dataType === 'float16' ? n * 2 : n * 4;
    if (buffer.size < need) throw new InputError(`GPU buffer has ${buffer.size} bytes, dims [${dims.join(',')}] need ${need}`);
    const t = Object.create(Tensor.prototype) as Tensor;
    Object.assign(t, { type: dataType, dims: Object.freeze([...dims]), cpuData: undefined, gpu: { buffer, download: options.download, dispose: options.dispose } });
    return t;
  }

  get location(): TensorLocation {
    return this.gpu ? 'gpu-buffer' : 'cpu';
  }

  /** The elements, for a CPU tensor. A GPU tensor throws: use `await getData()`. */
  get data(): TensorData {
    if (!this.cpuData) throw new InputError('this tensor lives in a GPU buffer', { hint: 'use await tensor.getData() to download it' });
    return this.cpuData;
  }

  get gpuBuffer(): GPUBuffer {
    if (!this.gpu) throw new InputError('this tensor lives on the CPU', { hint: 'use tensor.data' });
    return this.gpu.buffer;
  }

  /** The elements; a GPU tensor is downloaded (and keeps its buffer). */
  async getData(): Promise<TensorData> {
    if (this.cpuData) return this.cpuData;
    if (!this.gpu?.download) throw new InputError('this GPU tensor has no download function');
    return this.gpu.download();
  }

  /** Frees a GPU tensor's buffer (when Fovea made it); a no-op for CPU tensors. */
  dispose(): void {
    this.gpu?.dispose?.();
  }

  get size(): number {
    return this.dims.reduce((p, q) => p * q, 1);
  }
}

/** The values of a float32 or float16 CPU tensor as float32 (float16 bits decoded): what a
 * caller reading scores wants whatever the model's output type. Other types are converted by value. */
export function floatValues(t: Tensor): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (t.type === 'float16') return fromHalfBits(halfBitsOf(d), t.size);
  return Float32Array.from(d as ArrayLike<number | bigint>, Number);
}

/** A feed's GPU elements (runtime/gpu/elements.ts): f32 as is; float16 as its bits where the
 * device stores f16 (padded to 4 bytes), else widened to f32; integers as i32 (int64
 * saturated); bool as u32. */
export function toGpuElements(t: Tensor, storage: StorageType = 'f32', inner: DType = t.type): Float32Array | Int32Array | Uint16Array | Uint8Array {
  // (GPU-resident tensors are passed as their buffer, never converted.)
  const d = t.data;
  if (t.type === 'float32' && inner === 'float16') {
    // An absorbed boundary Cast (runtime/passes/absorb-boundary-casts.ts): round as Cast does.
    const f = d as Float32Array;
    return isHalfStorage(storage) ? toHalfBits(f) : Float32Array.from(f, roundToHalf);
  }
  if (t.type === 'float16') {
    const bits = halfBitsOf(d);
    if (!isHalfStorage(storage)) return fromHalfBits(bits);
    if (bits.length % 2 === 0) return bits;
    const padded = new Uint16Array(bits.length + 1);
    padded.set(bits);
    return padded;
  }
  if (isByteStorage(storage) && (d instanceof Int8Array || d instanceof Uint8Array)) {
    // Packed four per word: the bytes themselves, padded to a whole word.
    const bytes = new Uint8Array(Math.ceil(d.length / 4) * 4);
    bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.length));
    return bytes;
  }
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
    case 'float32': case 'float16': case 'int32': case 'int64': case 'bool': case 'uint8': case 'int8': return d;
    default: return undefined;
  }
}

/** Builds an output Tensor of `dtype` from GPU elements of the graph's type `inner` (the same,
 * unless a boundary Cast was absorbed) stored as `storage` (runtime/gpu/elements.ts), or from
 * the host data of a folded constant (plain numbers). */
export function fromElements(dtype: DType, dims: number[], src: ArrayBuffer | ArrayLike<number>, storage: StorageType = 'f32', inner: DType = dtype): Tensor {
  const type = tensorTypeOf(dtype) ?? 'float32';
  const n = dims.reduce((a, b) => a * b, 1);
  if (type === 'float32' && inner === 'float16' && src instanceof ArrayBuffer) {
    // An absorbed boundary Cast: float16 values read back as float32 (rounded as Cast does).
    const data = isHalfStorage(storage) ? fromHalfBits(new Uint16Array(src, 0, n)) : Float32Array.from(new Float32Array(src, 0, n), roundToHalf);
    return new Tensor('float32', data, dims);
  }
  if (type === 'float16') {
    let bits: Uint16Array;
    if (src instanceof ArrayBuffer && isHalfStorage(storage)) bits = new Uint16Array(src.slice(0, n * 2));
    else {
      const v: ArrayLike<number> = src instanceof ArrayBuffer ? new Float32Array(src, 0, n) : src;
      bits = Uint16Array.from({ length: n }, (_, i) => floatToHalf(v[i]));
    }
    return new Tensor('float16', halfData(bits), dims);
  }
  if (src instanceof ArrayBuffer && isByteStorage(storage)) {
    // Packed bytes, as the stored type reads them (i8 sign-extended), whatever the declared type.
    const bytes = storage === 'i8' ? new Int8Array(src.slice(0, n)) : new Uint8Array(src.slice(0, n));
    if ((type === 'int8') === (storage === 'i8') && (type === 'int8' || type === 'uint8')) return new Tensor(type, bytes, dims);
    src = bytes;
  }
  const view: ArrayLike<number> = src instanceof ArrayBuffer ? (type === 'float32' ? new Float32Array(src, 0, n) : new Int32Array(src, 0, n)) : src;
  if (type === 'float32') return new Tensor('float32', Float32Array.from({ length: n }, (_, i) => view[i]), dims);
  if (type === 'int64') return new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.trunc(view[i]))), dims);
  const Ctor = CTORS[type] as unknown as { from(a: ArrayLike<number>): TensorData };
  return new Tensor(type, Ctor.from(Array.from({ length: n }, (_, i) => view[i])), dims);
}

/** Host TensorData from GPU elements. */
export function elementsToData(type: TensorType, src: ArrayBuffer, n: number, storage: StorageType = 'f32'): TensorData {
  return fromElements(type, [n], src, storage).data;
}
