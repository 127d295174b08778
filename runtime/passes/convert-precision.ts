// The `precision` session option: run a model's float computation in another float type than
// the file's. 'float16' runs a float32 model with float16 values (f16 storage where the device
// has 'shader-f16': half the memory and bandwidth, the user's choice of speed over accuracy);
// 'float32' runs a float16 model in float32 (accuracy over memory). 'auto' (default) keeps the
// model's own types and this pass does nothing.
// The interface stays as the file declares it: a graph input of the old type is cast to the new
// one right after it, a graph output cast back right before it. Inside, initializers of the old
// type become the new type (rounded to float16 going down), except those read at an input that
// decides shapes or compile-time parameters (OpDef.shapeInputs: Resize's scales, Clip's bounds
// stay as the spec types them); Cast nodes to the old type cast to the new one; Constant nodes'
// values are converted like initializers. Shape inference, which runs next, gives every other
// value its new type from its op's infer.
import type { DType, Graph, HostTensor, Node } from '../ir/types.js';
import { makeHost } from '../ir/host-tensor.js';
import { getOp } from '../ops/registry.js';
import { freshName } from './graph-edit.js';

export type Precision = 'auto' | 'float32' | 'float16';
export const PRECISIONS: readonly Precision[] = ['auto', 'float32', 'float16'];

/** ONNX TensorProto.DataType codes of the two float types (Cast's `to`). */
const CODE: Record<'float32' | 'float16', number> = { float32: 1, float16: 10 };

export function convertPrecision(g: Graph, precision: Precision = 'auto'): Graph {
  if (precision === 'auto') return g;
  const to: 'float32' | 'float16' = precision;
  const from: DType = to === 'float16' ? 'float32' : 'float16';
  const convert = (t: HostTensor): HostTensor => makeHost(to, t.dims, t.data);

  // Initializers read at a shape-deciding input keep their type.
  const keep = new Set<string>();
  for (const n of g.nodes) {
    const op = getOp(n.domain, n.opType);
    for (const i of op?.shapeInputs ?? []) if (n.inputs[i]) keep.add(n.inputs[i]);
  }
  const values = new Map(g.values);
  const initializers = new Map(g.initializers);
  for (const [name, t] of g.initializers) {
    if (t.dtype !== from || keep.has(name)) continue;
    initializers.set(name, convert(t));
    values.set(name, { ...values.get(name)!, dtype: to });
  }

  const taken = new Set<string>();
  const rename = new Map<string, string>();
  const head: Node[] = [];
  for (const x of g.inputs) {
    if (values.get(x)?.dtype !== from) continue;
    const y = freshName(g, `${x}/${to}`, taken);
    rename.set(x, y);
    values.set(y, { name: y, dtype: to, shape: null });
    head.push({ name: y, opType: 'Cast', domain: '', inputs: [x], outputs: [y], attributes: { to: CODE[to] } });
  }
  // Graph outputs of the old type: their producer writes a new-typed value, cast back to the output.
  const tail: Node[] = [];
  const outputs = new Set(g.outputs.filter((o) => values.get(o)?.dtype === from && !g.inputs.includes(o) && !g.initializers.has(o)));
  const produced = new Map<string, string>();
  for (const o of outputs) {
    const y = freshName(g, `${o}/${to}`, taken);
    produced.set(o, y);
    values.set(y, { name: y, dtype: to, shape: null });
    tail.push({ name: `${o}/cast`, opType: 'Cast', domain: '', inputs: [y], outputs: [o], attributes: { to: CODE[from as 'float32' | 'float16'] } });
  }

  const nodes = g.nodes.map((n): Node => {
    const attributes = { ...n.attributes };
    if (n.opType === 'Cast' && !n.domain && attributes.to === CODE[from as 'float32' | 'float16']) attributes.to = CODE[to];
    if (n.opType === 'Constant' && !n.domain) {
      const v = attributes.value as HostTensor | undefined;
      if (v && typeof v === 'object' && 'dtype' in v && v.dtype === from) attributes.value = convert(v);
      // value_float(s) are float32 by definition: as a float16 tensor they join float16 values.
      const f = attributes.value_float ?? attributes.value_floats;
      if (to === 'float16' && f !== undefined) {
        const nums = typeof f === 'number' ? [f] : (f as number[]);
        attributes.value = makeHost('float16', typeof f === 'number' ? [] : [nums.length], nums);
        delete attributes.value_float;
        delete attributes.value_floats;
      }
    }
    return {
      ...n,
      attributes,
      inputs: n.inputs.map((x) => rename.get(x) ?? x),
      outputs: n.outputs.map((x) => produced.get(x) ?? x),
    };
  });
  return { ...g, nodes: [...head, ...nodes, ...tail], values, initializers };
}
