// The NumPy .npy format (numpy/lib/format.py, "NEP 1"): reader and writer for the CLI.
//
// Layout: the magic "\x93NUMPY", a major and minor version byte, the header length (uint16 LE
// in version 1.0, uint32 LE in 2.0 and 3.0), then the header: an ASCII (3.0: UTF-8) Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces
// and ending in '\n' so that the data starts at a multiple of 64 bytes (numpy >= 1.14 aligns to
// 64; older files align to 16, which we also read). The data follows in C order.
//
// Read: <f4, <f8 (converted to float32, the runtime's float type), <i8, <i4, |b1, |u1, |i1.
// Write: <f4, <i8, <i4, |b1, |u1, |i1. Fortran order and big-endian data are refused: the
// runtime has no use for either, and silently transposing or byte-swapping would hide mistakes.
import { Tensor, halfBitsOf, type TensorType } from '../tensor.js';
import { InputError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

/** A parsed .npy file: the header's fields and the data as a fovea Tensor. */
export interface NpyArray {
  /** The header's descr, e.g. '<f4'. */
  descr: string;
  shape: number[];
  version: [number, number];
  tensor: Tensor;
}

interface DescrInfo {
  type: TensorType;
  bytes: number;
}

/** Supported element types by kind and size. Byte order is checked separately. */
function describe(descr: string, what: string): DescrInfo {
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new InputError(`${what}: unsupported dtype ${JSON.stringify(descr)}`, { hint: 'save a plain numeric array (structured and object arrays are not supported)' });
  const [, order, kind, sizeStr] = m;
  const size = Number(sizeStr);
  if (order === '>' && size > 1) {
    throw new InputError(`${what}: big-endian data (${descr}) is not supported`, { hint: 'convert with arr.astype(arr.dtype.newbyteorder("<")) before saving' });
  }
  const key = `${kind}${size}`;
  const table: Record<string, DescrInfo> = {
    f4: { type: 'float32', bytes: 4 },
    f2: { type: 'float16', bytes: 2 },
    f8: { type: 'float32', bytes: 8 },
    i8: { type: 'int64', bytes: 8 },
    i4: { type: 'int32', bytes: 4 },
    b1: { type: 'bool', bytes: 1 },
    u1: { type: 'uint8', bytes: 1 },
    i1: { type: 'int8', bytes: 1 },
  };
  const info = table[key];
  if (!info) throw new InputError(`${what}: unsupported dtype ${descr}`, { hint: 'use float32, float16, float64, int64, int32, bool, uint8 or int8' });
  return info;
}

/** Parses a .npy file. `what` names it in error messages (usually the path). */
export function readNpy(bytes: Uint8Array, what = '.npy data'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${what} is not a .npy file (bad magic)`, { hint: 'write it with numpy.save' });
  }
  const major = bytes[6];
  const minor = bytes[7];
  let headerLen: number;
  let headerStart: number;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(`${what}: truncated .npy header`);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(`${what}: unsupported .npy format version ${major}.${minor}`, { hint: 'versions 1.0, 2.0 and 3.0 are supported' });
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new InputError(`${what}: truncated .npy header (${headerLen} bytes announced)`);
  // Versions 1.0 and 2.0 have a latin-1 header; 3.0 allows UTF-8 (for structured field names).
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);

  let dict: PyValue;
  try {
    dict = parsePyLiteral(header);
  } catch (e) {
    throw new InputError(`${what}: malformed .npy header: ${(e as Error).message}`);
  }
  if (!isDict(dict)) throw new InputError(`${what}: the .npy header is not a dict`);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new InputError(`${what}: the .npy header has no string "descr"`, { hint: 'structured arrays are not supported' });
  if (typeof fortran !== 'boolean') throw new InputError(`${what}: the .npy header has no boolean "fortran_order"`);
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new InputError(`${what}: the .npy header has no valid "shape" tuple`);
  }
  const dims = shape as number[];
  if (fortran) {
    throw new InputError(`${what}: Fortran-order arrays are not supported`, { hint: 'save numpy.ascontiguousarray(arr) instead' });
  }
  const info = describe(descr, what);
  const n = dims.reduce((a, b) => a * b, 1);
  const need = n * info.bytes;
  const have = bytes.length - dataStart;
  if (have !== need) {
    throw new InputError(`${what}: shape (${dims.join(', ')}) of ${descr} needs ${need} bytes of data, the file has ${have}`, {
      hint: have < need ? 'the file is truncated' : 'the file has trailing bytes; it may be corrupt',
    });
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, need);
  return { descr, shape: dims, version: [major, minor], tensor: new Tensor(info.type, decodeData(data, descr, info, n), dims) };
}

function decodeData(dv: DataView, descr: string, info: DescrInfo, n: number) {
  const kind = descr.slice(1);
  switch (kind) {
    case 'f4': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'f2': {
      // float16 tensors carry the half bits (Tensor's float16 convention).
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true);
      return out;
    }
    case 'f8': {
      // float64 inputs are rounded to float32: the runtime computes in float32.
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'i8': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getBigInt64(i * 8, true);
      return out;
    }
    case 'i4': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    case 'b1': {
      // numpy stores bools as one byte 0/1; any non-zero byte reads as true.
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i) ? 1 : 0;
      return out;
    }
    case 'u1': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      return out;
    }
    case 'i1': {
      const out = new Int8Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      return out;
    }
    default:
      throw new InputError(`unsupported dtype ${descr} (${info.type})`);
  }
}

const WRITE_DESCR: Record<TensorType, string> = {
  float32: '<f4',
  float16: '<f2',
  int64: '<i8',
  int32: '<i4',
  bool: '|b1',
  uint8: '|u1',
  int8: '|i1',
};

/** Encodes a tensor as a .npy file (version 1.0, or 2.0 if the header needs more than 64 KiB). */
export function writeNpy(t: Tensor): Uint8Array {
  const descr = WRITE_DESCR[t.type];
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic + version + length field + header (ending in '\n') is a
  // multiple of 64 bytes, as numpy does: the data then starts aligned.
  let prefix = 10;
  let padded = pad(dict, prefix);
  if (padded.length > 0xffff) {
    prefix = 12;
    padded = pad(dict, prefix);
  }
  const n = t.data.length;
  const itemBytes = descr.endsWith('8') ? 8 : descr.endsWith('4') ? 4 : descr.endsWith('2') ? 2 : 1;
  const out = new Uint8Array(prefix + padded.length + n * itemBytes);
  out.set(MAGIC, 0);
  out[6] = prefix === 10 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (prefix === 10) dv.setUint16(8, padded.length, true);
  else dv.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  const base = prefix + padded.length;
  const d = t.data;
  if (d instanceof Float32Array) for (let i = 0; i < n; i++) dv.setFloat32(base + i * 4, d[i], true);
  else if (t.type === 'float16') {
    const bits = halfBitsOf(d);
    for (let i = 0; i < n; i++) dv.setUint16(base + i * 2, bits[i], true);
  }
  else if (d instanceof BigInt64Array) for (let i = 0; i < n; i++) dv.setBigInt64(base + i * 8, d[i], true);
  else if (d instanceof Int32Array) for (let i = 0; i < n; i++) dv.setInt32(base + i * 4, d[i], true);
  else if (d instanceof Int8Array) for (let i = 0; i < n; i++) dv.setInt8(base + i, d[i]);
  else for (let i = 0; i < n; i++) dv.setUint8(base + i, t.type === 'bool' ? (d[i] ? 1 : 0) : d[i]);
  return out;
}

function pad(dict: string, prefix: number): string {
  const total = prefix + dict.length + 1;
  const spaces = (ALIGN - (total % ALIGN)) % ALIGN;
  return dict + ' '.repeat(spaces) + '\n';
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

// A parser for the subset of Python literals numpy writes in headers: dicts, tuples, lists,
// strings, ints, True/False/None. (numpy itself reads the header with ast.literal_eval.)
type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

function isDict(v: PyValue): v is Map<string, PyValue> {
  return v instanceof Map;
}

export function parsePyLiteral(src: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}`);
  };
  const value = (): PyValue => {
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (src[i] === '}') {
          i++;
          return m;
        }
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a string');
        ws();
        if (src[i] !== ':') fail('expected ":"');
        i++;
        m.set(k as string, value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== '}') fail('expected "," or "}"');
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== close) fail(`expected "," or "${close}"`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          i++;
          if (i >= src.length) break;
        }
        s += src[i++];
      }
      if (src[i] !== c) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)\b/.exec(src.slice(i));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    if (m[2] === 'True') return true;
    if (m[2] === 'False') return false;
    if (m[2] === 'None') return null;
    return Number(m[1]);
  };
  const v = value();
  ws();
  if (i !== src.length) fail('trailing characters');
  return v;
}
