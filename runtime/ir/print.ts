// Text form of the IR, for the debug dump after each pass and for `fovea info --passes`.
import type { AttributeValue, Graph } from './types.js';

function fmtAttr(v: AttributeValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'object' ? 'tensor' : String(x))).join(',')}]`;
  if (typeof v === 'object') return 'dims' in v ? `tensor<${v.dtype}[${v.dims.join(',')}]>` : 'graph';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function printGraph(g: Graph): string {
  const ty = (name: string) => {
    const v = g.values.get(name);
    return v ? `${v.dtype}[${v.shape ? v.shape.join(',') : '?'}]` : '?';
  };
  const lines = [`graph ${g.name} (opset ${g.opset}): ${g.nodes.length} nodes, ${g.initializers.size} initializers`];
  for (const i of g.inputs) lines.push(`  input %${i}: ${ty(i)}`);
  for (const n of g.nodes) {
    const attrs = Object.entries(n.attributes).map(([k, v]) => `${k}=${fmtAttr(v)}`).join(' ');
    const ins = n.inputs.map((x) => (x ? (g.initializers.has(x) ? `$${x}` : `%${x}`) : '_')).join(', ');
    lines.push(`  ${n.outputs.map((o) => `%${o}: ${ty(o)}`).join(', ')} = ${n.opType}(${ins})${attrs ? ` {${attrs}}` : ''}  # ${n.name}`);
  }
  for (const o of g.outputs) lines.push(`  output %${o}: ${ty(o)}`);
  return lines.join('\n');
}
