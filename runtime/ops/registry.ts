// The op registry: ONNX (domain, op type) -> OpDef. Op files are listed in runtime/ops/index.ts.
import type { OpDef } from './types.js';

const registry = new Map<string, OpDef>();

function key(domain: string, opType: string): string {
  const d = domain === 'ai.onnx' ? '' : domain;
  return `${d}::${opType}`;
}

export function registerOp(def: OpDef): void {
  const k = key(def.domain ?? '', def.opType);
  if (registry.has(k)) throw new Error(`op ${k} registered twice`);
  registry.set(k, def);
}

export function getOp(domain: string, opType: string): OpDef | undefined {
  return registry.get(key(domain, opType));
}

export function registeredOps(): string[] {
  return [...registry.keys()].map((k) => k.replace(/^::/, '')).sort();
}

/** Every kernel variant name some op declares (OpDef.variants), with the ops that declare it. */
export function registeredVariants(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, def] of registry) for (const v of def.variants ?? []) out.set(v, [...(out.get(v) ?? []), k.replace(/^::/, '')]);
  return out;
}
