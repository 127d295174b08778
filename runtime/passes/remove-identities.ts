// Removes nodes whose output is their input unchanged, rewiring their readers to the input:
//   Identity; Dropout at inference (when its mask output is not used); Reshape, Flatten, Squeeze
//   and Unsqueeze whose output shape is the input's; Transpose with the identity permutation;
//   Cast to the type the input already has.
// Views (Identity, Dropout, Reshape…) cost no dispatch, but each still hides its input from the
// fusion passes that follow (a Relu behind an Identity is not seen as the Conv's only reader),
// and Transpose and Cast cost a copy.
// Graph outputs (and kept values) keep their names: when a removed node's output is one, the
// node producing its input is renamed to write it directly; if that is not possible (the input is
// a graph input, an initializer, or itself a graph output), the node stays.
// Runs after infer-shapes: every value has a static shape and dtype.
import type { Graph, Node } from '../ir/types.js';
import { attrInts } from '../ops/attributes.js';
import { externalNames, useCounts, type RewriteOptions } from './graph-edit.js';

/** Ops that are the identity when their output has their input's shape (and dtype). */
const SHAPE_OPS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

function sameType(g: Graph, a: string, b: string): boolean {
  const x = g.values.get(a);
  const y = g.values.get(b);
  if (!x?.shape || !y?.shape || x.dtype !== y.dtype || x.shape.length !== y.shape.length) return false;
  return x.shape.every((d, i) => d === y.shape![i]);
}

/** Whether output 0 of the node is input 0 unchanged (same dtype, shape and element order). */
function isIdentity(g: Graph, n: Node, uses: Map<string, number>, external: Set<string>): boolean {
  if (n.domain !== '' || !n.inputs[0] || !n.outputs[0] || !sameType(g, n.inputs[0], n.outputs[0])) return false;
  const extraOutputs = n.outputs.slice(1).filter(Boolean);
  switch (n.opType) {
    case 'Identity':
      return true;
    case 'Dropout':
      // The optional mask output must not be needed by anything.
      return extraOutputs.every((m) => !uses.get(m) && !external.has(m));
    case 'Transpose': {
      const rank = g.values.get(n.inputs[0])!.shape!.length;
      // No perm: the dims reversed, which is the identity only for rank <= 1.
      const perm = attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return perm.length === rank && perm.every((p, i) => p === i);
    }
    case 'Cast':
      return true; // sameType: `to` is the input's type
    default:
      return SHAPE_OPS.has(n.opType);
  }
}

export function removeIdentities(g: Graph, o: RewriteOptions = {}): Graph {
  const external = externalNames(g, o);
  const uses = useCounts(g);
  const producer = new Map<string, Node>();
  const sources = new Set<string>([...g.inputs, ...g.initializers.keys()]);
  /** A removed node's output -> the value its readers read instead. */
  const alias = new Map<string, string>();
  /** A kept node's output -> the graph output (or kept value) it is renamed to. */
  const renamed = new Map<string, string>();
  const resolve = (x: string): string => alias.get(x) ?? x;
  const kept: Node[] = [];
  for (const n of g.nodes) {
    if (!isIdentity(g, n, uses, external)) {
      kept.push(n);
      for (const out of n.outputs) if (out) producer.set(out, n);
      continue;
    }
    const x = resolve(n.inputs[0]);
    const y = n.outputs[0];
    if (!external.has(y)) {
      alias.set(y, x);
      continue;
    }
    // y must keep its name: let x's producer write y instead, when x itself is free to vanish.
    if (producer.has(x) && !sources.has(x) && !external.has(x) && !renamed.has(x)) {
      renamed.set(x, y);
      continue;
    }
    kept.push(n);
    for (const out of n.outputs) if (out) producer.set(out, n);
  }
  if (alias.size === 0 && renamed.size === 0) return g;

  const final = (x: string): string => {
    const r = resolve(x);
    return renamed.get(r) ?? r;
  };
  const nodes = kept.map((n) => ({ ...n, inputs: n.inputs.map((x) => (x ? final(x) : x)), outputs: n.outputs.map((x) => (x ? final(x) : x)) }));
  const values = new Map(g.values);
  for (const name of [...alias.keys(), ...renamed.keys()]) values.delete(name);
  return { ...g, nodes, values };
}
