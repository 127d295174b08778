// Fuses an elementwise activation into the Conv, Gemm or MatMul that produces its input, as the
// producer's epilogue: the producer gets the attributes `fovea.activation` (the activation's ONNX
// op name) and `fovea.activation_params` (see runtime/ops/activation/epilogue.ts), writes the
// activation's output, and the activation node goes. One dispatch and one pass over the tensor
// fewer. Fused: Relu, Clip (constant min/max), LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh,
// Elu, Selu, Softplus, the SiLU pattern Mul(x, Sigmoid(x)) (either operand order) as 'Silu', and
// the HardSwish pattern Mul(x, HardSigmoid(x)) with HardSwish's alpha = 1/6 and beta = 0.5 (how
// PyTorch exports nn.Hardswish below opset 14: MobileNetV3, LR-ASPP) as 'HardSwish'.
// Conditions: the producer's output is float32 (or float16 for Conv, whose kernels compute the
// epilogue in f32 and round once on store: runtime/ops/nn/conv.ts), is read by the activation alone (for the Mul
// patterns: by the Sigmoid/HardSigmoid and the Mul alone, and the Sigmoid's output by the Mul
// alone), and is no graph
// output or kept value; the producer has no activation yet. A producer with a fused residual
// (fuse-residual-add runs first) takes the activation too: act(conv + bias + residual) is what
// Relu(Add(Conv, skip)) computes.
import type { Graph, Node } from '../ir/types.js';
import { getOp } from '../ops/registry.js';
import { makeOpContext } from '../ops/context.js';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR } from '../ir/fovea-attributes.js';
import { EPILOGUE_ACTIVATIONS, isEpilogueActivation } from '../ops/activation/epilogue.js';
import type { UnaryParams } from '../ops/activation/unary.js';
import { compact, externalNames, hasFovea, producerIndex, singleUse, useCounts, type RewriteOptions } from './graph-edit.js';

const PRODUCERS = new Set(['Conv', 'Gemm', 'MatMul']);

/** The activation's parameters in epilogue order, read by the op's own parse (its defaults and
 * older opset forms); undefined when it cannot be fused (e.g. parse fails). */
function activationParams(g: Graph, act: Node): number[] | undefined {
  const op = getOp('', act.opType);
  if (!op || !isEpilogueActivation(act.opType)) return undefined;
  let a: UnaryParams;
  try {
    a = op.parse(makeOpContext(act, g.opsets[act.domain] ?? g.opset, g.initializers));
  } catch {
    return undefined;
  }
  const params = EPILOGUE_ACTIVATIONS[act.opType].params.map((slot) => a[slot]);
  return params.every((v) => typeof v === 'number') ? (params as number[]) : undefined;
}

/** A HardSigmoid whose alpha and beta are HardSwish's (ONNX HardSwish: alpha = 1/6, beta = 0.5,
 * as float32 attributes), so that x * HardSigmoid(x) is HardSwish(x). */
function isHardSwishGate(g: Graph, hs: Node): boolean {
  const params = activationParams(g, hs);
  return !!params && params[0] === Math.fround(1 / 6) && params[1] === 0.5;
}

export function fuseActivations(g: Graph, o: RewriteOptions = {}): Graph {
  const external = externalNames(g, o);
  const uses = useCounts(g);
  const producer = producerIndex(g);
  const nodes: (Node | null)[] = [...g.nodes];
  const values = new Map(g.values);
  let changed = false;

  /** The producer (index) of `x` when it can take an epilogue activation. */
  const fusable = (x: string | undefined): number | undefined => {
    if (!x) return undefined;
    const pi = producer.get(x);
    const p = pi === undefined ? null : nodes[pi];
    if (!p || p.domain !== '' || !PRODUCERS.has(p.opType) || p.outputs[0] !== x || hasFovea(p, ACTIVATION_ATTR)) return undefined;
    const dtype = g.values.get(x)?.dtype;
    return dtype === 'float32' || (dtype === 'float16' && p.opType === 'Conv') ? pi : undefined;
  };
  const fuse = (pi: number, at: number, out: string, name: string, params: number[], removed: string[]) => {
    const p = nodes[pi]!;
    const attributes: Node['attributes'] = { ...p.attributes, [ACTIVATION_ATTR]: name };
    if (params.length) attributes[ACTIVATION_PARAMS_ATTR] = params;
    // The producer takes the activation's place (its inputs are all earlier) and writes its output.
    nodes[pi] = null;
    nodes[at] = { ...p, outputs: [out, ...p.outputs.slice(1)], attributes };
    producer.set(out, at);
    for (const r of removed) values.delete(r);
    changed = true;
  };

  g.nodes.forEach((n, i) => {
    if (n.domain !== '') return;
    if (n.opType === 'Mul' && n.inputs.length === 2) {
      // SiLU: Mul(x, Sigmoid(x)); HardSwish: Mul(x, HardSigmoid(x)); either operand order.
      for (const [xi, si] of [[0, 1], [1, 0]]) {
        const x = n.inputs[xi];
        const s = n.inputs[si];
        const gate = s ? nodes[producer.get(s) ?? -1] : null;
        if (!gate || gate.domain !== '' || gate.inputs[0] !== x) continue;
        const name = gate.opType === 'Sigmoid' ? 'Silu' : gate.opType === 'HardSigmoid' && isHardSwishGate(g, gate) ? 'HardSwish' : undefined;
        if (!name) continue;
        const pi = fusable(x);
        if (pi === undefined || uses.get(x) !== 2 || external.has(x) || !singleUse(s, uses, external)) continue;
        nodes[producer.get(s)!] = null;
        fuse(pi, i, n.outputs[0], name, [], [x, s]);
        return;
      }
      return;
    }
    if (!isEpilogueActivation(n.opType)) return;
    const x = n.inputs[0];
    const pi = fusable(x);
    if (pi === undefined || !singleUse(x, uses, external)) return;
    const params = activationParams(g, n);
    if (!params) return;
    fuse(pi, i, n.outputs[0], n.opType, params, [x]);
  });
  return changed ? { ...g, nodes: compact(nodes), values } : g;
}
