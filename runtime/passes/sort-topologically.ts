// Orders nodes so that every input is produced before it is read. ONNX requires this already;
// exporters occasionally violate it, and the verifier and executor rely on it.
import type { Graph, Node } from '../ir/types.js';
import { GraphError } from '../errors.js';

export function sortTopologically(g: Graph): Graph {
  const available = new Set<string>([...g.inputs, ...g.initializers.keys(), '']);
  const pending = [...g.nodes];
  const out: Node[] = [];
  while (pending.length) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      const n = pending[i];
      if (n.inputs.every((x) => available.has(x))) {
        out.push(n);
        for (const o of n.outputs) available.add(o);
        pending.splice(i, 1);
      } else i++;
    }
    if (pending.length === before) {
      const n = pending[0];
      const missing = n.inputs.filter((x) => !available.has(x));
      throw new GraphError(`input "${missing[0]}" is never produced (or the graph has a cycle)`, {
        op: n.opType,
        node: n.name,
        hint: `${pending.length} node(s) cannot be scheduled`,
      });
    }
  }
  return { ...g, nodes: out };
}
