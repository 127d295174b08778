// Reading the ONNX backend test data (Debian's libonnx-testdata, the `onnx/backend/test/data`
// tree of the onnx repository): every case is a folder with model.onnx and one or more
// test_data_set_N/ folders holding input_K.pb and output_K.pb, each a serialized TensorProto
// (or, for sequence/optional cases, a SequenceProto/OptionalProto, which Fovea does not run).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from '../../loaders/onnx/proto.js';
import type { onnx as P } from 'onnx-proto';
import { dtypeOf, tensorFromProto } from '../../loaders/onnx/tensor-proto.js';
import type { DType } from '../../runtime/ir/types.js';
import { Tensor, type TensorType } from '../../runtime/index.node.js';

export const TESTDATA_ROOT = process.env.FOVEA_ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';

export interface BackendCase {
  /** e.g. "node/test_abs". */
  id: string;
  suite: string;
  dir: string;
}

/** Every case folder of the given suites that has a model.onnx, sorted by name. */
export function listCases(root: string, suites: readonly string[]): BackendCase[] {
  const out: BackendCase[] = [];
  for (const suite of suites) {
    const sdir = join(root, suite);
    if (!existsSync(sdir)) continue;
    for (const name of readdirSync(sdir).sort()) {
      const dir = join(sdir, name);
      if (statSync(dir).isDirectory() && existsSync(join(dir, 'model.onnx'))) out.push({ id: `${suite}/${name}`, suite, dir });
    }
  }
  return out;
}

/** The test_data_set_N folders of a case, in numeric order. */
export function dataSetDirs(caseDir: string): string[] {
  return readdirSync(caseDir)
    .filter((n) => /^test_data_set_\d+$/.test(n))
    .sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)))
    .map((n) => join(caseDir, n));
}

/** input_K.pb or output_K.pb files of a data set, in numeric order of K. */
export function dataFiles(setDir: string, kind: 'input' | 'output'): string[] {
  const re = new RegExp(`^${kind}_(\\d+)\\.pb$`);
  return readdirSync(setDir)
    .filter((n) => re.test(n))
    .sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]))
    .map((n) => join(setDir, n));
}

/** The public tensor types Fovea accepts and returns (runtime/tensor.ts). */
export const SUPPORTED_IO_TYPES: readonly DType[] = ['float32', 'float16', 'int32', 'int64', 'bool', 'uint8', 'int8'];

/** Element type names by TensorProto.DataType code, including the ones Fovea's loader rejects. */
const TYPE_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export function elemTypeName(code: number | null | undefined): string {
  return TYPE_NAMES[code ?? 0] ?? `type ${code}`;
}

/** What kind of value a graph input/output is: 'tensor', or the non-tensor kind (sequence, optional, map…). */
export function valueKind(vi: P.IValueInfoProto): string {
  const t = vi.type;
  if (!t) return 'untyped';
  if (t.tensorType) return 'tensor';
  if (t.sequenceType) return 'sequence';
  if (t.mapType) return 'map';
  if ((t as { optionalType?: unknown }).optionalType) return 'optional';
  if ((t as { sparseTensorType?: unknown }).sparseTensorType) return 'sparse tensor';
  return 'non-tensor';
}

/** Every (domain, opType) used by a graph, including nested graphs (If/Loop/Scan bodies). */
export function collectOps(g: P.IGraphProto | null | undefined, out = new Map<string, { domain: string; opType: string }>()): Map<string, { domain: string; opType: string }> {
  for (const n of g?.node ?? []) {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain ?? '';
    const opType = n.opType ?? '';
    out.set(`${domain}::${opType}`, { domain, opType });
    for (const a of n.attribute ?? []) {
      if (a.g) collectOps(a.g, out);
      for (const sg of a.graphs ?? []) collectOps(sg, out);
    }
  }
  return out;
}

export function readModelProto(bytes: Uint8Array): P.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** A decoded data file: its name (may be empty), element type and the tensor, with int64 kept exact. */
export interface TestTensor {
  name: string;
  dtype: DType;
  dims: number[];
  /** float32 values as numbers; integer/bool values as bigint for int64, numbers otherwise. */
  data: ArrayLike<number> | BigInt64Array;
}

/** Decodes input_K.pb / output_K.pb as a TensorProto. int64 is read exactly (the loader saturates it
 * to int32, which is right for a model's constants but would hide out-of-range expected values). */
export async function readTensorFile(path: string): Promise<TestTensor> {
  const proto = onnx.TensorProto.decode(readFileSync(path));
  const dtype = dtypeOf(proto.dataType, `test data ${path}`);
  const dims = (proto.dims ?? []).map((d) => Number(d));
  if (dtype === 'int64') {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new BigInt64Array(n);
    const raw = proto.rawData;
    if (raw && raw.length) {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < n; i++) data[i] = dv.getBigInt64(i * 8, true);
    } else {
      const src = proto.int64Data ?? [];
      for (let i = 0; i < n; i++) data[i] = BigInt(String(src[i]));
    }
    return { name: proto.name ?? '', dtype, dims, data };
  }
  const host = await tensorFromProto(proto);
  return { name: proto.name ?? '', dtype: host.dtype, dims: host.dims, data: host.data };
}

/** A test tensor as a public Fovea Tensor (for the feeds). Throws for element types Fovea does not take. */
export function toFoveaTensor(t: TestTensor): Tensor {
  const type = t.dtype as TensorType;
  switch (t.dtype) {
    case 'float32': return new Tensor('float32', Float32Array.from(t.data as ArrayLike<number>), t.dims);
    // The loader decodes float16 data into the values it holds; the Tensor takes them as numbers.
    case 'float16': return new Tensor('float16', Array.from(t.data as ArrayLike<number>), t.dims);
    case 'int32': return new Tensor('int32', Int32Array.from(t.data as ArrayLike<number>), t.dims);
    case 'int64': return new Tensor('int64', t.data as BigInt64Array, t.dims);
    case 'bool': case 'uint8': return new Tensor(type, Uint8Array.from(t.data as ArrayLike<number>), t.dims);
    case 'int8': return new Tensor('int8', Int8Array.from(t.data as ArrayLike<number>), t.dims);
    default: throw new Error(`test data of type ${t.dtype} cannot be fed to Fovea`);
  }
}

/** Whether any int64 value lies outside the ±(2^31 - 1) range Fovea keeps (it saturates int64 to int32). */
export function int64OutOfRange(t: TestTensor): boolean {
  if (t.dtype !== 'int64') return false;
  for (const v of t.data as BigInt64Array) if (v > 2147483647n || v < -2147483647n) return true;
  return false;
}
