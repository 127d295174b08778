// Drops nodes whose outputs were all folded to constants or that nothing reads, and the
// initializers no remaining node (or graph output) uses.
import type { Graph } from '../ir/types.js';

export function removeDeadNodes(g: Graph): Graph {
  const needed = new Set<string>(g.outputs);
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    const live = n.outputs.some((o) => o && needed.has(o) && !g.initializers.has(o));
    if (!live) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  kept.reverse();
  const initializers = new Map([...g.initializers].filter(([k]) => needed.has(k)));
  return { ...g, nodes: kept, initializers };
}
