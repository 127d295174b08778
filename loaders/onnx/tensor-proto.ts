// TensorProto -> HostTensor. Handles raw_data (little-endian) and the typed fields, decodes
// float16 bits into the values they denote (the dtype stays float16) and saturates int64 to int32 (see runtime/ir/types.ts), and resolves
// external data through a caller-supplied reader (bounds-checked there).
import { onnx } from './proto.js';
import type { onnx as P } from 'onnx-proto';
import type { DType, HostTensor } from '../../runtime/ir/types.js';
import { makeHost, saturate } from '../../runtime/ir/host-tensor.js';
import { ModelLoadError } from '../../runtime/errors.js';
import { halfToFloat } from '../../runtime/ir/half.js';

const DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

export function dtypeOf(code: number | null | undefined, what: string): DType {
  const d = DTYPES[code ?? 0];
  if (!d) throw new ModelLoadError(`unsupported tensor element type ${code} for ${what}`, { hint: 'Fovea supports float, integer and bool tensors' });
  return d;
}

export function longToNumber(v: number | { toNumber(): number; low?: number; high?: number } | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  return v.toNumber();
}

export { halfToFloat } from '../../runtime/ir/half.js';

export type ExternalReader = (location: string, offset: number, length: number | undefined) => Promise<Uint8Array>;

export async function tensorFromProto(t: P.ITensorProto, readExternal?: ExternalReader): Promise<HostTensor> {
  const name = t.name ?? '';
  const dtype = dtypeOf(t.dataType, `tensor "${name}"`);
  if (dtype === 'string') throw new ModelLoadError(`string tensors are not supported ("${name}")`);
  const dims = (t.dims ?? []).map(longToNumber);
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31)) {
    throw new ModelLoadError(`tensor "${name}" has invalid dims [${dims.join(',')}]`);
  }
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > 2 ** 31) throw new ModelLoadError(`tensor "${name}" is too large (${n} elements)`);

  let raw: Uint8Array | undefined = t.rawData && t.rawData.length ? t.rawData : undefined;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    if (!kv.location) throw new ModelLoadError(`tensor "${name}" has external data without a location`);
    if (!readExternal) throw new ModelLoadError(`tensor "${name}" uses external data ("${kv.location}") but the model was not loaded from a path or URL`, { hint: 'load the model from its path or URL so that external files can be resolved' });
    const offset = kv.offset ? Number(kv.offset) : 0;
    const length = kv.length ? Number(kv.length) : undefined;
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
      throw new ModelLoadError(`tensor "${name}" has invalid external data offset/length`);
    }
    raw = await readExternal(kv.location, offset, length);
  }

  // The data's length is checked before the host tensor is allocated: dims are untrusted, so the
  // allocation must be bounded by the bytes actually present in the file.
  if (raw) {
    const bpe = bytesPerElement(dtype);
    if (raw.length < n * bpe) {
      throw new ModelLoadError(`tensor "${name}" has ${raw.length} bytes of data, its shape [${dims.join(',')}] needs ${n * bpe}`);
    }
    const out = makeHost(dtype, dims);
    const data = out.data;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) data[i] = readRaw(dv, dtype, i);
    return out;
  }
  let src: ArrayLike<number | { toNumber(): number }> = [];
  switch (dtype) {
    case 'float32': src = t.floatData ?? []; break;
    case 'float64': src = t.doubleData ?? []; break;
    case 'int64': src = t.int64Data ?? []; break;
    case 'uint32': case 'uint64': src = t.uint64Data ?? []; break;
    // int32_data carries int32, int16, int8, uint16, uint8, bool and float16 (as bits).
    default: src = t.int32Data ?? [];
  }
  if (src.length < n) {
    throw new ModelLoadError(`tensor "${name}" has ${src.length} values, its shape [${dims.join(',')}] needs ${n}`);
  }
  const out = makeHost(dtype, dims);
  const data = out.data;
  for (let i = 0; i < n; i++) {
    let v = longToNumber(src[i] as number);
    if (dtype === 'float16') v = halfToFloat(v);
    data[i] = data instanceof Int32Array ? saturate(v) : v;
  }
  return out;
}

function bytesPerElement(d: DType): number {
  switch (d) {
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float16': case 'int16': case 'uint16': return 2;
    default: return 1;
  }
}

function readRaw(dv: DataView, d: DType, i: number): number {
  switch (d) {
    case 'float32': return dv.getFloat32(i * 4, true);
    case 'float64': return dv.getFloat64(i * 8, true);
    case 'float16': return halfToFloat(dv.getUint16(i * 2, true));
    case 'int64': return saturate(Number(dv.getBigInt64(i * 8, true)));
    case 'uint64': return saturate(Number(dv.getBigUint64(i * 8, true)));
    case 'int32': return dv.getInt32(i * 4, true);
    case 'uint32': return saturate(dv.getUint32(i * 4, true));
    case 'int16': return dv.getInt16(i * 2, true);
    case 'uint16': return dv.getUint16(i * 2, true);
    case 'int8': return dv.getInt8(i);
    default: return dv.getUint8(i); // uint8, bool
  }
}
