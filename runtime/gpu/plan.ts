// Lowers a shape-inferred graph to a Plan: the GPU buffers a session needs and the ordered list
// of dispatches, each with its WGSL text (the pipeline cache key), bindings and uniforms.
// No GPU objects are made here, so plans are testable without a device.
import type { DType, Graph, HostData, HostTensor, Node } from '../ir/types.js';
import { sizeOf } from '../ir/types.js';
import { getOp } from '../ops/registry.js';
import { makeOpContext } from '../ops/context.js';
import type { BufferRef, DispatchSpec, KernelBuilder, KernelLimits, KernelOptions, TypeShape } from '../ops/types.js';
import { buildShader } from './shader.js';
import { elementBytes, isByteStorage, isHalfStorage, storageBytes, storageOf, type ElementContext, type StorageType } from './elements.js';
import { toHalfBits } from '../ir/half.js';
import { FoveaError, GraphError, LimitError, UnsupportedOpError } from '../errors.js';

export type InitData = HostData | Uint32Array | Uint16Array | Uint8Array;

export interface PlanBuffer {
  id: number;
  bytes: number;
  label: string;
  /** Uploaded once at create (constants and weights). */
  init?: InitData;
}

export interface PlanDispatch extends DispatchSpec {
  node: string;
  op: string;
  /** Final WGSL text: the pipeline cache key. */
  code: string;
}

export interface PlanTensor {
  name: string;
  dtype: TypeShape['dtype'];
  shape: number[];
  /** How its elements are stored on the GPU (runtime/gpu/elements.ts). */
  storage: StorageType;
  /** Its bytes on the GPU (4-byte granularity). */
  bytes: number;
  /** GPU buffer id, or the host value of an output that folded to a constant. */
  buffer?: number;
  constant?: HostTensor;
}

export interface Plan {
  buffers: PlanBuffer[];
  dispatches: PlanDispatch[];
  inputs: PlanTensor[];
  outputs: PlanTensor[];
  /** Where every GPU-resident value lives (for fetching intermediates by name): a buffer, or a
   * region of one (a Concat input written in place into the Concat's output). */
  values: Map<string, BufferRef>;
  /** Concat inputs written straight into their slice of the Concat output: value -> Concat output. */
  elidedConcatInputs: Map<string, string>;
}

/** Bytes of an f32 / i32 / u32 element: scratch buffers and the 4-byte types. Values' sizes
 * depend on their dtype and the device (runtime/gpu/elements.ts). */
export const BYTES_PER_ELEMENT = 4;

export function planGraph(g: Graph, limits: KernelLimits, options: KernelOptions = {}): Plan {
  const buffers: PlanBuffer[] = [];
  const dispatches: PlanDispatch[] = [];
  const values = new Map<string, BufferRef>();
  const { homes: elided, inPlace: concatInPlace } = elideConcats(g, limits);
  const alloc = (bytes: number, label: string, init?: InitData, node?: Node, shape?: readonly number[]): number => {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    if (!(size <= limits.maxBufferSize)) {
      throw new LimitError(`buffer "${label}" needs ${size} bytes, above the device's maxBufferSize ${limits.maxBufferSize}`, {
        op: node?.opType,
        node: node?.name,
        shapes: shape ? { [label]: shape } : undefined,
        hint: 'use a smaller input size or a device with larger limits',
      });
    }
    buffers.push({ id: buffers.length, bytes: size, label, init });
    return buffers.length - 1;
  };
  const shapeOf = (name: string): TypeShape => {
    const v = g.values.get(name);
    // The verifier guarantees this; without it (verify: false) a hostile graph must still fail typed.
    if (!v?.shape) throw new GraphError(`value "${name}" has no static shape`, { hint: 'the graph is invalid (run with verify: true for details)' });
    return { dtype: v.dtype, shape: v.shape };
  };
  const valueRef = (name: string, node?: Node): BufferRef => {
    let ref = values.get(name);
    if (ref) return ref;
    const c = g.initializers.get(name);
    const slot = elided.get(name);
    if (c) ref = { id: alloc(storageBytes(c.dtype, sizeOf(c.dims), limits), `const ${name}`, toGpuData(c, limits), node, c.dims) };
    else if (slot) {
      // Written in place: the region of the Concat output that this input would be copied to.
      const whole = valueRef(slot.concatOutput, node);
      const v = shapeOf(name);
      ref = { id: whole.id, offset: (whole.offset ?? 0) + slot.byteOffset, size: storageBytes(v.dtype, sizeOf(v.shape), limits) };
    } else {
      const v = shapeOf(name);
      ref = { id: alloc(storageBytes(v.dtype, sizeOf(v.shape), limits), name, undefined, node, v.shape) };
    }
    values.set(name, ref);
    return ref;
  };
  const valueBuffer = (name: string, node?: Node): number => valueRef(name, node).id;

  const tensor = (name: string, dtype: TypeShape['dtype'], shape: number[]) =>
    ({ name, dtype, shape, storage: storageOf(dtype, limits), bytes: storageBytes(dtype, sizeOf(shape), limits) });
  const inputs = g.inputs.map((name) => ({ ...tensor(name, shapeOf(name).dtype, shapeOf(name).shape), buffer: valueBuffer(name) }));

  const unsupported: Node[] = [];
  for (const node of g.nodes) {
    const op = getOp(node.domain, node.opType);
    if (!op || (!op.gpu && !op.view)) unsupported.push(node);
  }
  if (unsupported.length) {
    const by = new Map<string, string[]>();
    for (const n of unsupported) by.set(n.opType, [...(by.get(n.opType) ?? []), n.name]);
    throw new UnsupportedOpError([...by].map(([op, nodes]) => ({ op, domain: '', nodes })), 'these ops run only on constant inputs in Fovea');
  }

  for (const node of g.nodes) {
    const op = getOp(node.domain, node.opType)!;
    const ctx = makeOpContext(node, g.opsets[node.domain] ?? g.opset, g.initializers);
    if (op.view) {
      values.set(node.outputs[0], valueRef(node.inputs[0], node));
      // A view may still write its other outputs by dispatch (Dropout's optional mask).
      if (!op.gpu || !node.outputs.slice(1).some(Boolean)) continue;
    }
    const attrs = op.parse(ctx);
    const stored = (s: StorageType) => [...node.inputs, ...node.outputs].find((x) => x && storageOf(shapeOf(x).dtype, limits) === s);
    const half = !op.float16 ? stored('f16') : !op.packedF16 ? stored('p16') : undefined;
    const byte = op.packedInt8 ? undefined : stored('i8') ?? stored('u8');
    if (byte) {
      throw new UnsupportedOpError(
        [{ op: node.opType, domain: node.domain, nodes: [node.name] }],
        `${node.opType} has no packed 8-bit kernel ("${byte}" is ${shapeOf(byte).dtype}); run with packedInt8: false (8-bit values widened to i32)`,
      );
    }
    if (half) {
      throw new UnsupportedOpError(
        [{ op: node.opType, domain: node.domain, nodes: [node.name] }],
        `${node.opType} has no ${op.float16 ? 'packed ' : ''}float16 kernel yet ("${half}" is float16); run with shaderF16: false and packedF16: false (float16 values stored as f32) or precision: 'float32'`,
      );
    }
    const k = kernelBuilder(node, g, limits, options, valueRef, alloc, dispatches, shapeOf, (id) => buffers[id].bytes, concatInPlace.get(node.name) ?? new Set());
    try {
      op.gpu!(k, attrs);
    } catch (e) {
      if (e instanceof FoveaError) throw e;
      throw new FoveaError(`could not build kernels: ${(e as Error).message}`, { op: node.opType, node: node.name, cause: e });
    }
  }

  const outputs: PlanTensor[] = g.outputs.map((name) => {
    const c = g.initializers.get(name);
    if (c) return { ...tensor(name, c.dtype, [...c.dims]), constant: c };
    return { ...tensor(name, shapeOf(name).dtype, shapeOf(name).shape), buffer: valueBuffer(name) };
  });
  const elidedConcatInputs = new Map([...elided].filter(([v]) => values.has(v)).map(([v, slot]) => [v, slot.concatOutput]));
  return { buffers, dispatches, inputs, outputs, values, elidedConcatInputs };
}

/** The op types of nodes that touch values of the given dtypes and whose op lacks `flag`: where
 * there are any, the session stores those values widened instead (runtime/gpu/elements.ts). */
function packedBlockers(g: Graph, dtypes: readonly DType[], flag: 'packedF16' | 'packedInt8'): string[] {
  const out = new Set<string>();
  const typed = (x: string) => !!x && dtypes.includes((g.values.get(x)?.dtype ?? g.initializers.get(x)?.dtype)!);
  for (const node of g.nodes) {
    const op = getOp(node.domain, node.opType);
    if (!op?.gpu || op[flag]) continue;
    // A view dispatches only for its further outputs (Dropout's mask).
    const touched = op.view ? node.outputs.slice(1) : [...node.inputs, ...node.outputs];
    if (touched.some(typed)) out.add(node.opType);
  }
  return [...out].sort();
}

/** The op types of nodes that touch float16 values and have no packed (p16) kernels. */
export function packedF16Blockers(g: Graph): string[] {
  return packedBlockers(g, ['float16'], 'packedF16');
}

/** The op types of nodes that touch int8 / uint8 values and have no packed (i8 / u8) kernels. */
export function packedInt8Blockers(g: Graph): string[] {
  return packedBlockers(g, ['int8', 'uint8'], 'packedInt8');
}

/** The limits a graph is planned with: float16 packed (p16) and 8-bit integers packed (i8 / u8)
 * only where no op touching such values lacks packed kernels, else widened to f32 / i32 (the same
 * object when nothing changes). */
export function valueStorage(limits: KernelLimits, g: Graph): KernelLimits {
  const packedF16 = limits.packedF16 && !packedF16Blockers(g).length;
  const packedInt8 = limits.packedInt8 && !packedInt8Blockers(g).length;
  return packedF16 === limits.packedF16 && packedInt8 === limits.packedInt8 ? limits : { ...limits, packedF16, packedInt8 };
}

/** A constant in its GPU storage form (runtime/gpu/elements.ts). */
export function toGpuData(t: HostTensor, ctx: ElementContext): InitData {
  const s = storageOf(t.dtype, ctx);
  if (isHalfStorage(s)) return toHalfBits(t.data);
  if (isByteStorage(s)) return toBytes(t.data);
  return t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
}

/** 8-bit integers (held as i32 on the host) as packed bytes, padded to a whole word. */
export function toBytes(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 4) * 4);
  for (let i = 0; i < data.length; i++) out[i] = data[i] & 0xff;
  return out;
}

function kernelBuilder(
  node: Node,
  g: Graph,
  limits: KernelLimits,
  options: KernelOptions,
  valueRef: (name: string, node?: Node) => BufferRef,
  alloc: (bytes: number, label: string, init?: InitData, node?: Node) => number,
  dispatches: PlanDispatch[],
  shapeOf: (name: string) => TypeShape,
  bufferBytes: (id: number) => number,
  inPlace: ReadonlySet<number>,
): KernelBuilder {
  const where = `${node.opType} "${node.name}"`;
  const checkBinding = (ref: BufferRef, what: string) => {
    const size = ref.size ?? bufferBytes(ref.id) - (ref.offset ?? 0);
    if (size > limits.maxStorageBufferBindingSize) {
      throw new LimitError(`${what} binds ${size} bytes, above maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`, {
        op: node.opType,
        node: node.name,
        hint: 'this op does not split operands of this size; use a smaller input or a device with larger limits',
      });
    }
  };
  const wrap = (name: string): BufferRef => valueRef(name, node);
  return {
    node,
    inputs: node.inputs.map((x) => (x ? shapeOf(x) : undefined)),
    // An omitted optional output ('') has no value: an empty placeholder; output(i) refuses it.
    outputs: node.outputs.map((x) => (x ? shapeOf(x) : { dtype: 'float32', shape: [0] })),
    limits,
    options,
    input: (i) => {
      if (!node.inputs[i]) throw new FoveaError(`input ${i} is absent`, { op: node.opType, node: node.name });
      return wrap(node.inputs[i]);
    },
    output: (i) => {
      if (!node.outputs[i]) throw new FoveaError(`output ${i} is not requested`, { op: node.opType, node: node.name });
      return wrap(node.outputs[i]);
    },
    constant: (i) => (node.inputs[i] ? g.initializers.get(node.inputs[i]) : undefined),
    inPlace: (i) => inPlace.has(i),
    weight: (key, data, as) => {
      const init = as && isHalfStorage(storageOf(as, limits)) ? toHalfBits(data) : data;
      return { id: alloc(init.byteLength, `${node.name}/${key}`, init, node) };
    },
    scratch: (bytes) => ({ id: alloc(bytes, `${node.name}/scratch`, undefined, node) }),
    dispatch: (d) => {
      const code = buildShader(d.shader, d.defines);
      for (const [name, ref] of Object.entries(d.bindings)) checkBinding(ref, `binding "${name}" of ${where}`);
      const wg = d.workgroups;
      for (const n of wg) {
        if (n !== undefined && (n > limits.maxComputeWorkgroupsPerDimension || !Number.isInteger(n) || n < 0)) {
          throw new LimitError(`dispatch of ${where} has ${n} workgroups in one dimension (max ${limits.maxComputeWorkgroupsPerDimension})`, { op: node.opType, node: node.name });
        }
      }
      dispatches.push({ ...d, node: node.name, op: node.opType, code });
    },
  };
}

/** Splits `count` workgroups into a 2D grid within the per-dimension limit (see flat_index in the prelude). */
export function grid(count: number, limits: KernelLimits): [number, number, number] {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [Math.max(1, count), 1, 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y, 1];
}

/** WebGPU lets a device require storage-binding offsets to be multiples of up to 256 bytes. */
const BINDING_OFFSET_ALIGNMENT = 256;

/**
 * Concat elision: a Concat whose inputs are contiguous slices of its output (every dim before the
 * axis is 1, e.g. channel concat at batch 1 — Inception, DenseNet, SqueezeNet's fire modules,
 * U-Net skips) needs no copy when each input's producer writes straight into its slice.
 * Families: when a Concat's input list is a prefix of another's (DenseNet: every layer of a dense
 * block concatenates all earlier features, and the block output concatenates them all), the
 * whole family lives in the longest one's buffer (its root): each member's output is the root's
 * prefix, and each shared input has the same offset in all of them.
 * An input is placed when a dispatching node produces it (not a graph input, constant, view or
 * Concat), it is not a graph output, every Concat that reads it is in one family, and its slice
 * starts at a binding-aligned offset (its readers bind the same region). Inputs that do not
 * qualify are still copied by their Concats.
 */
function elideConcats(g: Graph, ctx: ElementContext): { homes: Map<string, { concatOutput: string; byteOffset: number }>; inPlace: Map<string, Set<number>> } {
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const outputs = new Set(g.outputs);
  interface Cat { node: Node; axis: number; offsets: number[]; root?: Cat }
  const cats: Cat[] = [];
  const claimedBy = new Map<string, Cat[]>();
  for (const n of g.nodes) {
    if (n.opType !== 'Concat' || n.domain) continue;
    const y = g.values.get(n.outputs[0]);
    if (!y?.shape) continue;
    const rank = y.shape.length;
    const raw = typeof n.attributes.axis === 'number' ? n.attributes.axis : 1;
    const axis = raw < 0 ? raw + rank : raw;
    if (axis < 0 || axis >= rank || y.shape.slice(0, axis).some((d) => d !== 1)) continue;
    const inner = sizeOf(y.shape.slice(axis + 1));
    const bytes = elementBytes(g.values.get(n.outputs[0])!.dtype, ctx);
    const offsets: number[] = [];
    let at = 0;
    for (const x of n.inputs) {
      offsets.push(at * inner * bytes);
      at += g.values.get(x)?.shape?.[axis] ?? NaN;
    }
    if (Number.isNaN(at)) continue;
    cats.push({ node: n, axis, offsets });
  }
  // Every Concat that reads a value, eligible or not (an ineligible one, rootless, blocks placement).
  for (const n of g.nodes) {
    if (n.opType !== 'Concat' || n.domain) continue;
    const cat = cats.find((c) => c.node === n) ?? { node: n, axis: -1, offsets: [] };
    for (const x of n.inputs) claimedBy.set(x, [...(claimedBy.get(x) ?? []), cat]);
  }
  const isPrefix = (a: Cat, b: Cat) => a.axis === b.axis && a.node.inputs.length <= b.node.inputs.length && a.node.inputs.every((x, i) => b.node.inputs[i] === x);
  for (const c of cats) {
    c.root = c;
    for (const d of cats) if (isPrefix(c, d) && d.node.inputs.length > c.root.node.inputs.length) c.root = d;
  }

  const homes = new Map<string, { concatOutput: string; byteOffset: number }>();
  for (const c of cats) {
    if (c.root !== c) continue;
    c.node.inputs.forEach((x, i) => {
      const p = producer.get(x);
      const op = p ? getOp(p.domain, p.opType) : undefined;
      const readers = claimedBy.get(x) ?? [];
      const ok = p && op?.gpu && !op.view && p.opType !== 'Concat' && !outputs.has(x) && !g.initializers.has(x) &&
        readers.every((r) => r.root === c) && c.offsets[i] % BINDING_OFFSET_ALIGNMENT === 0 && sizeOf(g.values.get(x)!.shape!) > 0;
      if (ok) homes.set(x, { concatOutput: c.node.outputs[0], byteOffset: c.offsets[i] });
    });
  }
  // A family member's output is its root's prefix (unless it is a graph output or another Concat reads it).
  for (const c of cats) {
    const y = c.node.outputs[0];
    if (c.root !== c && !outputs.has(y) && !claimedBy.has(y) && sizeOf(g.values.get(y)!.shape!) > 0) {
      homes.set(y, { concatOutput: c.root!.node.outputs[0], byteOffset: 0 });
    }
  }
  const inPlace = new Map<string, Set<number>>();
  for (const c of cats) {
    const rootOut = c.root!.node.outputs[0];
    const outHome = c.root === c ? rootOut : homes.get(c.node.outputs[0])?.concatOutput;
    if (outHome !== rootOut) continue;
    inPlace.set(c.node.name, new Set(c.node.inputs.map((x, i) => (homes.get(x)?.concatOutput === rootOut ? i : -1)).filter((i) => i >= 0)));
  }
  return { homes, inPlace };
}
