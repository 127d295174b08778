// After every pass that keeps shapes known (in tests, and whenever `verify` is set), re-runs each
// node's shape inference on its inputs' recorded types and checks that it gives the recorded
// output types and shapes: a rewrite that leaves a stale value type (a fused node whose infer
// now says otherwise) fails here, at the pass that made it, not in a kernel. Also checks the
// Fovea-internal `fovea.*` attributes the fusion passes set: known names, on ops that read them.
import type { Graph } from '../ir/types.js';
import { getOp } from '../ops/registry.js';
import { makeOpContext } from '../ops/context.js';
import type { TypeShape } from '../ops/types.js';
import { GraphError } from '../errors.js';
import { FOVEA_ATTRIBUTES } from '../ir/fovea-attributes.js';


export function checkInferredTypes(g: Graph, pass: string): void {
  for (const node of g.nodes) {
    for (const a of Object.keys(node.attributes)) {
      if (!a.startsWith('fovea.')) continue;
      const on = FOVEA_ATTRIBUTES[a];
      if (!on) throw new GraphError(`unknown internal attribute "${a}" after pass ${pass}`, { op: node.opType, node: node.name });
      if (!on.includes(node.opType)) throw new GraphError(`attribute "${a}" is not read by ${node.opType} (after pass ${pass})`, { op: node.opType, node: node.name });
    }
    const op = getOp(node.domain, node.opType);
    if (!op) continue; // reported by checkSupported
    const ctx = makeOpContext(node, g.opsets[node.domain] ?? g.opset, g.initializers);
    const inputs: (TypeShape | undefined)[] = node.inputs.map((x) => {
      const v = x ? g.values.get(x) : undefined;
      return v?.shape ? { dtype: v.dtype, shape: v.shape } : undefined;
    });
    const outs = op.infer(inputs, op.parse(ctx), ctx);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const v = g.values.get(name);
      const o = outs[i];
      const same = v?.shape && o && v.dtype === o.dtype && v.shape.length === o.shape.length && v.shape.every((d, k) => d === o.shape[k]);
      if (!same) {
        throw new GraphError(
          `after pass ${pass}, output "${name}" is recorded as ${v?.dtype} [${v?.shape?.join(',')}] but its op infers ${o?.dtype} [${o?.shape.join(',')}]`,
          { op: node.opType, node: node.name, hint: 'a pass left a stale value type' },
        );
      }
    });
  }
}
