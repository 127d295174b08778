// Splits activations larger than one storage binding into channel slabs. WebGPU binds at most
// limits.maxStorageBufferBindingSize bytes of a buffer to one shader variable (128 MiB on lavapipe
// and on many phones; the spec's default): a U-Net's 64-channel 1024x1024 float32 map is 256 MiB.
// Such a value V [N, C, spatial...] becomes k values V_j [N, C_j, spatial...] holding channel
// ranges [c_j, c_j+1) (each within the limit), and every node around it is rewritten as plain ONNX
// on the slabs, so every kernel sees bindings it can take:
//   - Concat along the channel axis: its output's slabs are its inputs (no copy, no node);
//   - Conv / ConvTranspose (group 1, constant weights): output slab j is the sum over input slabs i
//     of a conv by the weight block W[j, i] (bias with i = 0 only), Adds that fuse-residual-add
//     then folds into the convs' epilogues (Conv(s1, W[j,1]) + Conv(s0, W[j,0]) is one Conv with
//     a residual input), so a split conv costs its MACs and no extra pass over memory;
//   - per-channel ops (unary activations, pools, BatchNormalization and InstanceNormalization
//     with their parameters sliced) run per slab, as do elementwise binary ops whose other operand
//     is split alike, constant (sliced) or channel-invariant (broadcast along the channels);
//   - a value within the limit made from slabs (a pool's output, a conv's) is Concat-ed or summed
//     back whole.
// It runs after fold-batch-norm (the BN is already in the conv) and before the fusions, so
// activations fuse into the slab convs as into any conv. A large value the rules do not cover (a
// graph input or output, a consumer such as Transpose or Gemm, a single channel above the
// limit) leaves the graph as it is, and the planner's LimitError names the binding.
import type { DType, Graph, HostTensor, Node, ValueInfo } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import { attrInt, attrInts } from '../ops/attributes.js';
import { storageBytes, type ElementContext } from '../gpu/elements.js';
import { externalNames, freshName, type RewriteOptions } from './graph-edit.js';

export interface BindingLimit {
  /** The device's maxStorageBufferBindingSize, in bytes. */
  maxBytes: number;
  /** How elements are stored (f16 takes 2 bytes where the device stores it so). */
  elements: ElementContext;
}

export interface SplitOptions extends RewriteOptions {
  /** Absent (no device: pass tests, `fovea info`): nothing is split. */
  bindingLimit?: BindingLimit;
}

/** A channel range [c0, c1) of a split value, held by the value `name`. */
interface Slab {
  name: string;
  c0: number;
  c1: number;
}

/** Thrown inside the rewrite where a large value cannot be split; the pass then changes nothing. */
class CannotSplit extends Error {}

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'HardSigmoid', 'HardSwish',
  'Clip', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Erf', 'Identity', 'Cast', 'Mish', 'Gelu', 'Dropout',
]);
const POOLS = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'PRelu']);
/** Per-channel parameter inputs ([C] tensors) of the normalisations. */
const PER_CHANNEL_PARAMS: Record<string, number[]> = { BatchNormalization: [1, 2, 3, 4], InstanceNormalization: [1, 2] };

/** Elements [start, end) of `t` along `axis`, as a new host tensor. */
function sliceHost(t: HostTensor, axis: number, start: number, end: number): HostTensor {
  const outer = sizeOf(t.dims.slice(0, axis));
  const inner = sizeOf(t.dims.slice(axis + 1));
  const n = t.dims[axis];
  const data = new (t.data.constructor as new (n: number) => HostTensor['data'])(outer * (end - start) * inner);
  for (let o = 0; o < outer; o++) data.set(t.data.subarray((o * n + start) * inner, (o * n + end) * inner), o * (end - start) * inner);
  const dims = [...t.dims];
  dims[axis] = end - start;
  return { dtype: t.dtype, dims, data };
}

export function splitLargeValues(g: Graph, o: SplitOptions = {}): Graph {
  const limit = o.bindingLimit;
  if (!limit) return g;
  const bytes = (v: ValueInfo) => (v.shape ? storageBytes(v.dtype, sizeOf(v.shape), limit.elements) : 0);
  const large = new Set([...g.values.values()].filter((v) => !g.initializers.has(v.name) && bytes(v) > limit.maxBytes).map((v) => v.name));
  if (!large.size) return g;
  const boundary = new Set([...externalNames(g, o), ...g.inputs]);
  if ([...large].some((n) => boundary.has(n) || (g.values.get(n)!.shape ?? []).length < 2)) return g;
  try {
    return rewrite(g, large, limit);
  } catch (e) {
    if (e instanceof CannotSplit) return g;
    throw e;
  }
}

function rewrite(g: Graph, large: Set<string>, limit: BindingLimit): Graph {
  const nodes: Node[] = [];
  const values = new Map(g.values);
  const initializers = new Map(g.initializers);
  const taken = new Set<string>();
  const slabs = new Map<string, Slab[]>();
  const info = (name: string) => values.get(name) ?? g.values.get(name)!;
  const shapeOf = (name: string) => info(name).shape!;

  /** A new value: `like`'s dims with `channels` channels. */
  const newValue = (base: string, like: string, channels: number, dtype: DType = info(like).dtype): string => {
    const name = freshName(g, base, taken);
    const shape = [...shapeOf(like)];
    shape[1] = channels;
    values.set(name, { name, dtype, shape });
    return name;
  };
  const newConstant = (base: string, t: HostTensor): string => {
    const name = freshName(g, base, taken);
    initializers.set(name, t);
    values.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
    return name;
  };
  /** A value's slabs: its split, or itself whole. */
  const slabsOf = (name: string): Slab[] => slabs.get(name) ?? [{ name, c0: 0, c1: shapeOf(name)[1] }];
  const fits = (name: string) => {
    const v = info(name);
    return storageBytes(v.dtype, sizeOf(v.shape!), limit.elements) <= limit.maxBytes;
  };
  /** Channel ranges for a value of C channels: as few as fit, equal, multiples of 4 where they fit. */
  const ranges = (name: string): [number, number][] => {
    const shape = shapeOf(name);
    const C = shape[1];
    const perChannel = storageBytes(info(name).dtype, sizeOf(shape) / C, limit.elements);
    const most = Math.floor(limit.maxBytes / perChannel);
    if (most < 1) throw new CannotSplit();
    const k = Math.ceil(C / most);
    let size = Math.ceil(C / k);
    if (Math.ceil(size / 4) * 4 <= most) size = Math.ceil(size / 4) * 4;
    const out: [number, number][] = [];
    for (let c = 0; c < C; c += size) out.push([c, Math.min(C, c + size)]);
    return out;
  };
  /** Records the pieces of output `name` (its slabs where it is large, else a Concat of them into it). */
  const finish = (node: Node, name: string, pieces: Slab[]) => {
    for (const p of pieces) if (!fits(p.name)) throw new CannotSplit();
    if (large.has(name)) {
      slabs.set(name, pieces);
    } else if (pieces.length > 1) {
      nodes.push({ name: `${node.name}/split/concat`, opType: 'Concat', domain: '', inputs: pieces.map((p) => p.name), outputs: [name], attributes: { axis: 1 } });
    }
  };

  for (const node of g.nodes) {
    const touches = node.inputs.some((x) => slabs.has(x)) || node.outputs.some((y) => large.has(y));
    if (!touches) {
      nodes.push(node);
      continue;
    }
    if (node.domain !== '' || node.outputs.filter(Boolean).length !== 1 || !node.outputs[0]) throw new CannotSplit();
    const out = node.outputs[0];
    const rank = shapeOf(out).length;
    const op = node.opType;
    if (op === 'Concat') {
      const axis = attrInt(node, 'axis', 1);
      if (axis !== 1 && axis !== 1 - rank) throw new CannotSplit();
      const pieces: Slab[] = [];
      let c = 0;
      for (const x of node.inputs) {
        for (const s of slabsOf(x)) pieces.push({ name: s.name, c0: c + s.c0, c1: c + s.c1 });
        c += shapeOf(x)[1];
      }
      finish(node, out, pieces);
    } else if (op === 'Conv' || op === 'ConvTranspose') {
      splitConv(node);
    } else if (UNARY.has(op) || POOLS.has(op) || PER_CHANNEL_PARAMS[op]) {
      if (slabs.has(out) || node.inputs.slice(1).some((x) => slabs.has(x)) || !slabs.has(node.inputs[0])) throw new CannotSplit();
      const params = PER_CHANNEL_PARAMS[op] ?? [];
      const pieces = slabsOf(node.inputs[0]).map((s, j) => {
        const inputs = node.inputs.map((x, i) => {
          if (i === 0) return s.name;
          if (!params.includes(i) || !x) return x;
          const t = g.initializers.get(x);
          if (!t || t.dims.length !== 1) throw new CannotSplit();
          return newConstant(`${x}/c${s.c0}`, sliceHost(t, 0, s.c0, s.c1));
        });
        const name = newValue(`${out}/c${s.c0}`, out, s.c1 - s.c0);
        nodes.push({ ...node, name: `${node.name}/split/${j}`, inputs, outputs: [name] });
        return { name, c0: s.c0, c1: s.c1 };
      });
      finish(node, out, pieces);
    } else if (BINARY.has(op)) {
      splitBinary(node);
    } else {
      throw new CannotSplit();
    }
  }

  /** Output slab j = Σ_i conv(input slab i, W[j, i]) (+ B[j] once). */
  function splitConv(node: Node) {
    const [x, w, b] = node.inputs;
    const out = node.outputs[0];
    const transposed = node.opType === 'ConvTranspose';
    const W = g.initializers.get(w);
    const B = b ? g.initializers.get(b) : undefined;
    const outputShape = attrInts(node, 'output_shape');
    if (attrInt(node, 'group', 1) !== 1 || !W || (b && !B) || node.inputs.length > 3 || (outputShape && outputShape.length !== shapeOf(out).length - 2)) throw new CannotSplit();
    // Conv W [M, C, k...]; ConvTranspose W [C, M, k...] (ONNX operator spec).
    const [oAxis, iAxis] = transposed ? [1, 0] : [0, 1];
    const outRanges = large.has(out) ? ranges(out) : [[0, shapeOf(out)[1]] as [number, number]];
    const inSlabs = slabsOf(x);
    const pieces = outRanges.map(([m0, m1], j) => {
      let acc = '';
      inSlabs.forEach((s, i) => {
        const last = i === inSlabs.length - 1;
        const wBlock = newConstant(`${w}/o${m0}i${s.c0}`, sliceHost(sliceHost(W, oAxis, m0, m1), iAxis, s.c0, s.c1));
        const bias = i === 0 && B ? newConstant(`${b}/o${m0}`, sliceHost(B, 0, m0, m1)) : '';
        const partial = last && !acc && outRanges.length === 1 ? out : newValue(`${out}/o${m0}i${s.c0}`, out, m1 - m0);
        nodes.push({ ...node, name: `${node.name}/split/o${j}i${i}`, inputs: bias ? [s.name, wBlock, bias] : [s.name, wBlock], outputs: [partial] });
        if (!acc) {
          acc = partial;
          return;
        }
        const sum = last && outRanges.length === 1 ? out : newValue(`${out}/o${m0}sum${i}`, out, m1 - m0);
        nodes.push({ name: `${node.name}/split/o${j}sum${i}`, opType: 'Add', domain: '', inputs: [partial, acc], outputs: [sum], attributes: {} });
        acc = sum;
      });
      return { name: acc, c0: m0, c1: m1 };
    });
    // One output range: the output fits, and the last Add (or the only conv) wrote it.
    if (outRanges.length > 1) finish(node, out, pieces);
  }

  /** An elementwise binary op per slab of its split operand(s). */
  function splitBinary(node: Node) {
    const out = node.outputs[0];
    const outShape = shapeOf(out);
    const split = node.inputs.filter((x) => slabs.has(x));
    if (!split.length || split.some((x) => shapeOf(x).join() !== outShape.join())) throw new CannotSplit();
    const ref = slabsOf(split[0]);
    const same = (a: Slab[]) => a.length === ref.length && a.every((s, i) => s.c0 === ref[i].c0 && s.c1 === ref[i].c1);
    if (!split.every((x) => same(slabsOf(x)))) throw new CannotSplit();
    const pieces = ref.map((s, j) => {
      const inputs = node.inputs.map((x) => {
        if (slabs.has(x)) return slabsOf(x)[j].name;
        const shape = shapeOf(x);
        const axis = shape.length - (outShape.length - 1);
        if (axis < 0 || shape[axis] === 1) return x; // broadcast along the channels
        const t = g.initializers.get(x);
        if (!t) throw new CannotSplit();
        return newConstant(`${x}/c${s.c0}`, sliceHost(t, axis, s.c0, s.c1));
      });
      const name = newValue(`${out}/c${s.c0}`, out, s.c1 - s.c0);
      nodes.push({ ...node, name: `${node.name}/split/${j}`, inputs, outputs: [name] });
      return { name, c0: s.c0, c1: s.c1 };
    });
    finish(node, out, pieces);
  }

  for (const name of large) values.delete(name);
  return { ...g, nodes, values, initializers };
}
