// ONNX ModelProto bytes -> IR Graph. Decoding uses onnx-proto (protobufjs); every malformed
// input ends in a ModelLoadError, never a crash.
import { onnx } from './proto.js';
import type { onnx as P } from 'onnx-proto';
import type { AttributeValue, Graph, Node, ValueInfo } from '../../runtime/ir/types.js';
import { ModelLoadError } from '../../runtime/errors.js';
import { dtypeOf, longToNumber, tensorFromProto, type ExternalReader } from './tensor-proto.js';
import { saturate } from '../../runtime/ir/host-tensor.js';

export interface DecodeOptions {
  /** Reads external tensor data relative to the model (see loaders/onnx/source.ts). */
  readExternal?: ExternalReader;
}

const utf8 = new TextDecoder();

export async function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Promise<Graph> {
  let model: P.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelLoadError(`not a valid ONNX model: ${(e as Error).message}`, {
      hint: 'the file is truncated or is not an ONNX ModelProto',
      cause: e,
    });
  }
  const g = model.graph;
  if (!g) throw new ModelLoadError('the ONNX model has no graph', { hint: 'the file is truncated or is not an ONNX ModelProto' });

  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    opsets[d] = longToNumber(o.version as number);
  }
  const opset = opsets[''] ?? 1;

  const values = new Map<string, ValueInfo>();
  const addValue = (vi: P.IValueInfoProto) => {
    const name = vi.name ?? '';
    const tt = vi.type?.tensorType;
    if (!name || !tt) return;
    const dims = tt.shape?.dim;
    const v: ValueInfo = { name, dtype: dtypeOf(tt.elemType, `value "${name}"`), shape: null };
    if (dims) {
      // protobufjs exposes the dim oneof as `value`: 'dimValue' | 'dimParam' | undefined (unknown).
      // A negative dim_value is not valid ONNX; some old exporters wrote -1 for "unknown", so it
      // is read as an unnamed free dim (bound from the first feed) rather than trusted.
      v.declared = dims.map((d, i) => {
        if ((d as { value?: string }).value !== 'dimValue') return d.dimParam || `?${i}`;
        const n = longToNumber(d.dimValue as number);
        return n < 0 ? `?${i}` : n;
      });
      v.shape = v.declared.every((d) => typeof d === 'number') ? (v.declared as number[]) : null;
    }
    values.set(name, v);
  };

  const initializers = new Map();
  for (const t of g.initializer ?? []) {
    const ht = await tensorFromProto(t, options.readExternal);
    initializers.set(t.name ?? '', ht);
    values.set(t.name ?? '', { name: t.name ?? '', dtype: ht.dtype, shape: [...ht.dims] });
  }
  const inputs: string[] = [];
  for (const vi of g.input ?? []) {
    if (initializers.has(vi.name ?? '')) continue; // IR < 4 lists initializers as inputs
    addValue(vi);
    if (!values.has(vi.name ?? '')) throw new ModelLoadError(`graph input "${vi.name}" has no tensor type`);
    inputs.push(vi.name ?? '');
  }
  for (const vi of g.valueInfo ?? []) if (!values.has(vi.name ?? '')) addValue(vi);
  const outputs: string[] = [];
  for (const vi of g.output ?? []) {
    outputs.push(vi.name ?? '');
    if (!values.has(vi.name ?? '')) addValue(vi);
  }

  const nodes: Node[] = [];
  const seen = new Set<string>();
  (g.node ?? []).forEach((n, idx) => {
    let name = n.name || `${n.opType ?? 'node'}_${idx}`;
    while (seen.has(name)) name = `${name}_${idx}`;
    seen.add(name);
    const attributes: Record<string, AttributeValue> = {};
    for (const a of n.attribute ?? []) attributes[a.name ?? ''] = pendingAttr(a);
    nodes.push({
      name,
      opType: n.opType ?? '',
      domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes,
    });
  });
  // Tensor attributes (Constant's value, ConstantOfShape's value) are decoded asynchronously.
  for (const [i, n] of (g.node ?? []).entries()) {
    for (const a of n.attribute ?? []) {
      if (a.type === onnx.AttributeProto.AttributeType.TENSOR && a.t) {
        nodes[i].attributes[a.name ?? ''] = await tensorFromProto(a.t, options.readExternal);
      }
    }
  }

  return { name: g.name ?? 'graph', opset, opsets, nodes, values, initializers, inputs, outputs };
}

function pendingAttr(a: P.IAttributeProto): AttributeValue {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return saturate(longToNumber(a.i as number));
    case T.STRING: return utf8.decode(a.s ?? new Uint8Array());
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => saturate(longToNumber(v as number)));
    case T.STRINGS: return (a.strings ?? []).map((s) => utf8.decode(s));
    case T.TENSOR: return { graph: null }; // replaced after async decode
    case T.GRAPH: return { graph: a.g };
    default:
      // Opset-1-era models may omit the type: infer from the populated field.
      if (a.ints && a.ints.length) return a.ints.map((v) => saturate(longToNumber(v as number)));
      if (a.floats && a.floats.length) return [...a.floats];
      if (a.s && a.s.length) return utf8.decode(a.s);
      if (a.i != null && longToNumber(a.i as number) !== 0) return saturate(longToNumber(a.i as number));
      return a.f ?? 0;
  }
}
