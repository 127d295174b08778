// Reports every unregistered op of a model at once, with node names, before any GPU work.
import type { Graph } from '../ir/types.js';
import { getOp } from './registry.js';
import { UnsupportedOpError } from '../errors.js';

export function checkSupported(g: Graph): void {
  const missing = new Map<string, { op: string; domain: string; nodes: string[] }>();
  for (const n of g.nodes) {
    if (getOp(n.domain, n.opType)) continue;
    const k = `${n.domain}::${n.opType}`;
    if (!missing.has(k)) missing.set(k, { op: n.opType, domain: n.domain, nodes: [] });
    missing.get(k)!.nodes.push(n.name);
  }
  if (missing.size) throw new UnsupportedOpError([...missing.values()]);
}
