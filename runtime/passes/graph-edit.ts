// Helpers shared by the rewriting passes (remove-identities, fold-batch-norm, fuse-*): who
// produces and who reads each value, which values must survive under their own name, and fresh
// names for new initializers. Not a pass itself.
import type { Graph, HostTensor, Node } from '../ir/types.js';

export interface RewriteOptions {
  /** Intermediate values the caller reads after a run (SessionOptions.keepValues): a rewrite
   * never fuses them away, exactly as it never removes a graph output. */
  keepValues?: readonly string[];
}

/** The names a rewrite must keep: graph outputs and kept values. */
export function externalNames(g: Graph, o: RewriteOptions = {}): Set<string> {
  return new Set([...g.outputs, ...(o.keepValues ?? [])]);
}

/** How many node inputs read each value (a node reading a value twice counts twice). */
export function useCounts(g: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) uses.set(x, (uses.get(x) ?? 0) + 1);
  return uses;
}

/** The index in g.nodes of each value's producer. */
export function producerIndex(g: Graph): Map<string, number> {
  const p = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o) p.set(o, i);
  });
  return p;
}

/** Whether a value is read by exactly one node input and is neither a graph output nor kept:
 * then the node producing it may be merged into that one reader. */
export function singleUse(name: string, uses: Map<string, number>, external: Set<string>): boolean {
  return uses.get(name) === 1 && !external.has(name);
}

/** A value name not yet used in the graph, derived from `base`. */
export function freshName(g: Graph, base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; g.values.has(name) || g.initializers.has(name) || taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** Adds a new initializer (and its value info) to maps being built for the rewritten graph. */
export function addInitializer(values: Graph['values'], initializers: Graph['initializers'], name: string, t: HostTensor): void {
  initializers.set(name, t);
  values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
}

/** The node list after a rewrite: replaced entries in place, removed ones (null) dropped. */
export function compact(nodes: (Node | null)[]): Node[] {
  return nodes.filter((n): n is Node => n !== null);
}

/** Whether the node already carries a fused epilogue part (a fusion pass ran, or the file set one). */
export function hasFovea(node: Node, attr: string): boolean {
  return node.attributes[attr] !== undefined;
}
