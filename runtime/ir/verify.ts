// The IR verifier: every value has one producer, nodes are in topological order, every op is
// registered, and (after shape inference) every value read or written has a static shape.
import type { Graph } from './types.js';
import { GraphError } from '../errors.js';

export interface VerifyOptions {
  /** Require static shapes on every value (true after infer-shapes). */
  shapes?: boolean;
}

export function verifyGraph(g: Graph, opts: VerifyOptions = {}): void {
  const produced = new Set<string>();
  const available = new Set<string>(['']);
  for (const name of g.inputs) {
    if (produced.has(name)) throw new GraphError(`graph input "${name}" is listed twice`);
    produced.add(name);
    available.add(name);
  }
  for (const name of g.initializers.keys()) {
    if (produced.has(name)) throw new GraphError(`value "${name}" is both a graph input and an initializer`);
    produced.add(name);
    available.add(name);
  }
  for (const n of g.nodes) {
    for (const x of n.inputs) {
      if (!available.has(x)) {
        throw new GraphError(`input "${x}" is read before it is produced`, { op: n.opType, node: n.name, hint: 'the graph is not in topological order or has a dangling name' });
      }
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (produced.has(o)) throw new GraphError(`value "${o}" has more than one producer`, { op: n.opType, node: n.name });
      produced.add(o);
      available.add(o);
    }
    if (opts.shapes) {
      for (const x of [...n.inputs, ...n.outputs]) {
        if (x && !g.values.get(x)?.shape) throw new GraphError(`value "${x}" has no static shape`, { op: n.opType, node: n.name });
      }
    }
  }
  for (const o of g.outputs) {
    if (!available.has(o)) throw new GraphError(`graph output "${o}" is never produced`);
  }
}
