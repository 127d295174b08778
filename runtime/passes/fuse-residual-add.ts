// Fuses Add(Conv(...), skip) into the Conv: the skip connection of a residual block becomes the
// Conv's residual input (input 3, marked by `fovea.residual` = 1), added in the epilogue before
// any activation: y = act(conv(x) + bias + skip). An activation after the Add (the block's Relu)
// is then fused by fuse-activations, which runs after this pass, so Conv -> Add -> Relu becomes
// one Conv. See runtime/ops/nn/conv.ts.
// Conditions: the Add's operands and output have one shape (no broadcasting) and one type,
// float32 or float16 (the Conv's epilogue adds in f32 and rounds once: runtime/ops/nn/conv.ts);
// the Conv's output is read by the Add alone and is no graph output or kept value; the Conv has
// no residual and no activation yet (Add(act(conv), skip) is not act(conv + skip)). When both
// operands qualify (a ResNet block with a 1x1 downsample conv on the skip path), operand 0's Conv
// takes the other as its residual. The fused Conv takes the Add's place in the node order, where
// both the Conv's inputs and the skip are already computed.
import type { Graph, Node } from '../ir/types.js';
import { ACTIVATION_ATTR, RESIDUAL_ATTR } from '../ir/fovea-attributes.js';
import { CONV_RESIDUAL_INPUT } from '../ops/nn/conv.js';
import { compact, externalNames, hasFovea, producerIndex, singleUse, useCounts, type RewriteOptions } from './graph-edit.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fuseResidualAdd(g: Graph, o: RewriteOptions = {}): Graph {
  const external = externalNames(g, o);
  const uses = useCounts(g);
  const producer = producerIndex(g);
  const nodes: (Node | null)[] = [...g.nodes];
  const values = new Map(g.values);
  let changed = false;

  g.nodes.forEach((add, i) => {
    if (add.opType !== 'Add' || add.domain !== '' || add.inputs.length !== 2 || !add.outputs[0]) return;
    const types = [...add.inputs, add.outputs[0]].map((x) => (x ? g.values.get(x) : undefined));
    if (types.some((t) => !t?.shape || (t.dtype !== 'float32' && t.dtype !== 'float16') || t.dtype !== types[2]?.dtype) || !sameShape(types[0]!.shape!, types[2]!.shape!) || !sameShape(types[1]!.shape!, types[2]!.shape!)) return;
    for (const [ci, ri] of [[0, 1], [1, 0]]) {
      const c = add.inputs[ci];
      const skip = add.inputs[ri];
      const pi = producer.get(c);
      const p = pi === undefined ? null : nodes[pi];
      if (!p || p.opType !== 'Conv' || p.domain !== '' || p.outputs[0] !== c || c === skip) continue;
      if (!singleUse(c, uses, external) || hasFovea(p, ACTIVATION_ATTR) || hasFovea(p, RESIDUAL_ATTR)) continue;
      const inputs = [p.inputs[0], p.inputs[1], p.inputs[2] ?? ''];
      inputs[CONV_RESIDUAL_INPUT] = skip;
      nodes[pi!] = null;
      nodes[i] = { ...p, inputs, outputs: [add.outputs[0]], attributes: { ...p.attributes, [RESIDUAL_ATTR]: 1 } };
      producer.set(add.outputs[0], i);
      values.delete(c);
      changed = true;
      return;
    }
  });
  return changed ? { ...g, nodes: compact(nodes), values } : g;
}
