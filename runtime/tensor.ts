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
    this.cpuData = d;
    this.dims = Object.freeze([...dims]);
  }

  /**
   * A tensor whose elements stay in a GPU buffer: a feed that needs no upload, or an output of a
   * session run with `outputLocation: 'gpu-buffer'` that can feed another session on the same
   * device without a round trip. Elements are Fovea's 4-byte GPU representation (f32; i32 for
   * integer types, int64 saturated; u32 0/1 for bool).
   */
  static fromGpuBuffer(buffer: GPUBuffer, options: GpuBufferTensorOptions): Tensor {
    const { dataType, dims } = options;
    if (!CTORS[dataType]) throw new InputError(`unsupported tensor type "${dataType}"`);
    const n = dims.reduce((p, q) => p * q, 1);
    if (dims.some((x) => !Number.isInteger(x) || x < 0)) throw new InputError(`invalid dims [${dims.join(',')}]`);
    if (buffer.size < n * 4) throw new InputError(`GPU buffer has ${buffer.size} bytes, dims [${dims.join(',')}] need ${n * 4}`);
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

/** The 4-byte GPU representation of a feed: f32 as is, integers as i32 (int64 saturated), bool as u32. */
export function toGpuElements(t: Tensor): Float32Array | Int32Array {
  // (GPU-resident tensors are passed as their buffer, never converted.)
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

/** A host TensorData from 4-byte GPU elements. */
export function elementsToData(type: TensorType, src: ArrayBuffer, n: number): TensorData {
  return fromElements(type, [n], src).data;
}
