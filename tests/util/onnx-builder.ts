// A small ONNX model builder for tests: nodes, initializers and typed inputs/outputs encoded
// with onnx-proto, so tests can make any graph without committing binaries.
import { toHalfBits } from '../../runtime/ir/half.js';
import { onnx } from '../../loaders/onnx/proto.js';
import type { onnx as P } from 'onnx-proto';

export type AttrInput = number | string | number[] | string[] | { tensor: TensorSpec } | { float: number } | { floats: number[] };

export interface TensorSpec {
  dtype: 'float32' | 'int64' | 'int32' | 'bool' | 'float16' | 'float64' | 'uint8' | 'int8';
  dims: number[];
  data: ArrayLike<number> | bigint[];
}

const TYPE_CODE: Record<TensorSpec['dtype'], number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 };

export function tensorProto(name: string, t: TensorSpec): P.ITensorProto {
  const n = t.dims.reduce((a, b) => a * b, 1);
  const p: P.ITensorProto = { name, dims: t.dims, dataType: TYPE_CODE[t.dtype] };
  const vals = Array.from(t.data as ArrayLike<number>, Number);
  if (vals.length !== n) throw new Error(`tensor ${name}: ${vals.length} values for dims [${t.dims}]`);
  if (t.dtype === 'float32') p.rawData = new Uint8Array(Float32Array.from(vals).buffer);
  else if (t.dtype === 'float64') p.rawData = new Uint8Array(Float64Array.from(vals).buffer);
  else if (t.dtype === 'int64') p.rawData = new Uint8Array(BigInt64Array.from(vals.map((v) => BigInt(Math.trunc(v)))).buffer);
  else if (t.dtype === 'int32' || t.dtype === 'uint8' || t.dtype === 'int8') p.int32Data = vals; // int32_data holds the 8-bit types too
  else if (t.dtype === 'bool') p.int32Data = vals.map((v) => (v ? 1 : 0));
  else if (t.dtype === 'float16') p.rawData = new Uint8Array(toHalfBits(vals).buffer, 0, 2 * n); // values, stored as IEEE half bits
  else throw new Error(`builder: dtype ${t.dtype} not supported`);
  return p;
}

function attr(name: string, v: AttrInput): P.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = v as number[];
    return nums.every(Number.isInteger) ? { name, type: T.INTS, ints: nums } : { name, type: T.FLOATS, floats: nums };
  }
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: tensorProto('', v.tensor) };
}

export class ModelBuilder {
  private nodes: P.INodeProto[] = [];
  private inits: P.ITensorProto[] = [];
  private ins: P.IValueInfoProto[] = [];
  private outs: P.IValueInfoProto[] = [];
  private count = 0;

  constructor(readonly opset = 13) {}

  input(name: string, dims: (number | string)[], dtype: TensorSpec['dtype'] = 'float32'): string {
    this.ins.push(valueInfo(name, dims, dtype));
    return name;
  }

  output(name: string, dims: (number | string)[] = [], dtype: TensorSpec['dtype'] = 'float32'): void {
    this.outs.push(valueInfo(name, dims, dtype, dims.length === 0));
  }

  init(name: string, t: TensorSpec): string {
    this.inits.push(tensorProto(name, t));
    return name;
  }

  /** Adds a node; returns its output names (auto-named unless `outputs` given). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, outputs: number | string[] = 1, domain = ''): string[] {
    const id = this.count++;
    const outNames = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${opType.toLowerCase()}${id}_${i}`) : outputs;
    this.nodes.push({
      name: `${opType}_${id}`,
      opType,
      domain,
      input: inputs,
      output: outNames,
      attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    });
    return outNames;
  }

  build(): Uint8Array {
    const model: P.IModelProto = {
      irVersion: 8,
      producerName: 'fovea-tests',
      // Other domains (com.microsoft's contrib ops) are imported at version 1, the only one they have.
      opsetImport: [{ domain: '', version: this.opset }, ...[...new Set(this.nodes.map((n) => n.domain ?? ''))].filter((d) => d !== '').map((domain) => ({ domain, version: 1 }))],
      graph: { name: 'test', node: this.nodes, initializer: this.inits, input: this.ins, output: this.outs },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function valueInfo(name: string, dims: (number | string)[], dtype: TensorSpec['dtype'], noShape = false): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: TYPE_CODE[dtype],
        shape: noShape ? undefined : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
