// Shape inference over the whole graph, in topological order. Nodes whose inputs are all
// constant (or, like Shape, whose outputs follow from static shapes) are evaluated on the host
// here and become initializers: the Shape -> Gather -> Concat -> Reshape chains PyTorch exports
// must be known before the shapes after them can be. Nodes whose outputs all fold are dropped.
// Models are untrusted: every inferred shape is checked (valid dims, within maxMemoryBytes)
// before the host folds it or the planner allocates it.
import type { Graph, HostTensor, ValueInfo } from '../ir/types.js';
import { getOp } from '../ops/registry.js';
import { makeOpContext } from '../ops/context.js';
import type { TypeShape } from '../ops/types.js';
import { FoveaError, ShapeError } from '../errors.js';
import { checkStaticShape } from '../ir/verify.js';

export interface InferOptions {
  /** Values larger than this (bytes on the GPU) are refused before they are folded or allocated. */
  maxMemoryBytes?: number;
}

export function inferShapes(g: Graph, opts: InferOptions = {}): Graph {
  const values = new Map(g.values);
  const initializers = new Map(g.initializers);
  const nodes = [];
  for (const node of g.nodes) {
    const op = getOp(node.domain, node.opType);
    if (!op) {
      nodes.push(node); // reported by checkSupported before passes run
      continue;
    }
    const ctx = makeOpContext(node, g.opsets[node.domain] ?? g.opset, initializers);
    const inputs: (TypeShape | undefined)[] = node.inputs.map((name) => {
      if (!name) return undefined;
      const v = values.get(name);
      if (!v || !v.shape) throw new ShapeError(`input "${name}" has no known shape`, { op: node.opType, node: node.name });
      return { dtype: v.dtype, shape: v.shape };
    });
    let outs: TypeShape[];
    let folded: HostTensor[] | undefined;
    try {
      const attrs = op.parse(ctx);
      outs = op.infer(inputs, attrs, ctx);
      if (!Array.isArray(outs)) throw new ShapeError('op inferred no output types', { op: node.opType, node: node.name });
      node.outputs.forEach((name, i) => {
        const o = outs[i];
        if (!name || !o) return;
        checkStaticShape(`output "${name}"`, o.shape, opts.maxMemoryBytes, { op: node.opType, node: node.name });
      });
      const allConst = node.inputs.every((x) => !x || initializers.has(x));
      if (allConst && op.cpu) folded = op.cpu(node.inputs.map((x) => (x ? initializers.get(x) : undefined)), attrs, ctx);
      else if (op.foldFromShapes) folded = op.foldFromShapes(inputs, attrs, ctx);
      folded?.forEach((t, i) => {
        const o = outs[i];
        if (!t || !o || !node.outputs[i]) return;
        // The planner and later folds trust a constant's dims and data to agree with the inferred type.
        if (t.data.length !== t.dims.reduce((a, b) => a * b, 1) || t.dims.length !== o.shape.length || t.dims.some((d, k) => d !== o.shape[k])) {
          throw new ShapeError(`folded output ${i} has dims [${t.dims.join(',')}] and ${t.data.length} values, inferred shape [${o.shape.join(',')}]`, {
            op: node.opType,
            node: node.name,
          });
        }
      });
    } catch (e) {
      if (e instanceof FoveaError && (e.node || e.op)) throw e;
      throw new ShapeError((e as Error).message, {
        op: node.opType,
        node: node.name,
        shapes: Object.fromEntries(node.inputs.map((x, i) => [x || `input${i}`, x ? values.get(x)?.shape : undefined])),
        cause: e,
      });
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const o = outs[i];
      if (!o) throw new ShapeError(`op produced no type for output ${i}`, { op: node.opType, node: node.name });
      const v: ValueInfo = { ...(values.get(name) ?? { name }), name, dtype: o.dtype, shape: o.shape };
      values.set(name, v);
      if (folded?.[i]) initializers.set(name, folded[i]);
    });
    // A node whose every output folded is replaced by those constants.
    if (!node.outputs.every((o, i) => !o || folded?.[i])) nodes.push(node);
  }
  return { ...g, nodes, values, initializers };
}
