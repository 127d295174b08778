// Orders nodes so that every input is produced before it is read. ONNX requires this already;
// exporters occasionally violate it, and the verifier and executor rely on it.
// Kahn's algorithm with the ready nodes taken in their original order (a min-heap on the node
// index): a graph that is already sorted comes out unchanged, and a hostile file with many
// nodes in reverse order costs O(n log n), not the O(n^2) of repeated scans.
import type { Graph, Node } from '../ir/types.js';
import { GraphError } from '../errors.js';

export function sortTopologically(g: Graph): Graph {
  const available = new Set<string>([...g.inputs, ...g.initializers.keys(), '']);
  const missing = new Array<number>(g.nodes.length).fill(0);
  const waiting = new Map<string, number[]>();
  const ready = new MinHeap();
  g.nodes.forEach((n, i) => {
    for (const x of new Set(n.inputs)) {
      if (available.has(x)) continue;
      missing[i]++;
      const w = waiting.get(x);
      if (w) w.push(i);
      else waiting.set(x, [i]);
    }
    if (missing[i] === 0) ready.push(i);
  });
  const out: Node[] = [];
  while (ready.size) {
    const i = ready.pop();
    const n = g.nodes[i];
    out.push(n);
    for (const o of n.outputs) {
      if (available.has(o)) continue;
      available.add(o);
      for (const j of waiting.get(o) ?? []) if (--missing[j] === 0) ready.push(j);
      waiting.delete(o);
    }
  }
  if (out.length < g.nodes.length) throw stuck(g, missing, available);
  return { ...g, nodes: out };
}

/** Explains why nodes cannot be scheduled: walks from a stuck node to the producer of one of its
 * absent inputs until it reaches a name nothing produces (dangling) or revisits a node (cycle). */
function stuck(g: Graph, missing: number[], available: Set<string>): GraphError {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o && !producer.has(o)) producer.set(o, i);
  });
  const pending = g.nodes.filter((_, i) => missing[i] > 0).length;
  const hint = `${pending} node(s) cannot be scheduled`;
  const visited = new Set<number>();
  let i = missing.findIndex((m) => m > 0);
  for (;;) {
    const n = g.nodes[i];
    const absent = n.inputs.filter((x) => !available.has(x));
    const dangling = absent.find((x) => !producer.has(x));
    if (dangling !== undefined) return new GraphError(`input "${dangling}" is never produced`, { op: n.opType, node: n.name, hint });
    visited.add(i);
    const next = producer.get(absent[0])!;
    if (visited.has(next)) return new GraphError(`input "${absent[0]}" is produced inside a cycle`, { op: n.opType, node: n.name, hint });
    i = next;
  }
}

/** A binary min-heap of node indices. */
class MinHeap {
  private a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
