// The model fuzzer shared by tests/fuzz.test.ts (a bounded run in `npm test`) and scripts/fuzz.ts
// (`npm run fuzz`, thousands of cases). Models come from the web, so every file is untrusted: each
// case takes a small valid seed model (built here with the ONNX builder, plus any
// demo/public/models/*.onnx), corrupts it — bytes (bit flips, inserts, deletes, truncation,
// splices, wrong wire types, huge varints, bad lengths, deep nesting) or structure (decoded with
// onnx-proto, edited, re-encoded: bad dims, short initializers, cycles, dangling and duplicate
// names, unknown domains and opsets, attributes of the wrong type or absurd values, hostile
// nodes) — then creates a session and, if that succeeds, runs it with feeds of the declared
// shapes. Every outcome must be a typed error (FoveaError) or a correct run (compared with
// onnxruntime-node where it accepts the model too), within a time bound, without GPU validation
// errors and without leaking GPU buffers. Everything is seeded (tests/util/rng.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { onnx } from '../../loaders/onnx/proto.js';
import type { onnx as P } from 'onnx-proto';
import { ModelBuilder } from './onnx-builder.js';
import { randomFloats, rng } from './rng.js';
import { trackBuffers, type BufferTracker } from './gpu-buffers.js';
import { acquireDevice, FoveaError, InferenceSession, registeredOps, Tensor, type TensorType } from '../../runtime/index.node.js';
import { halfBitsOf } from '../../runtime/tensor.js';
import { fromHalfBits } from '../../runtime/ir/half.js';
import { exactIntegerProducts } from './ort-exact.js';

type Rand = () => number;

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzCase {
  index: number;
  seed: string;
  mutations: string[];
  bytes: Uint8Array;
}

export interface CaseResult {
  case: FuzzCase;
  /** e.g. 'create: ShapeError', 'run: InputError', 'ran: matches onnxruntime', 'FAIL hang'. */
  outcome: string;
  failure?: string;
  /** The error message of a typed rejection. */
  detail?: string;
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// Seed models: small, valid, and together they cover the common CNN ops and the shape chains.

const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => ({ dtype: 'float32' as const, dims, data: randomFloats(count(dims), seed) });
const i64 = (data: number[]) => ({ dtype: 'int64' as const, dims: [data.length], data });

interface SeedRecipe {
  name: string;
  ops: string[];
  build(): Uint8Array;
}

const RECIPES: SeedRecipe[] = [
  {
    name: 'cnn',
    ops: ['Conv', 'Relu', 'MaxPool', 'BatchNormalization', 'Reshape', 'Gemm', 'Softmax'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', [1, 3, 8, 8]);
      b.init('w', f32([4, 3, 3, 3], 1));
      b.init('cb', f32([4], 2));
      const [c] = b.node('Conv', ['x', 'w', 'cb'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
      const [r] = b.node('Relu', [c]);
      const [p] = b.node('MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] });
      b.init('sc', f32([4], 3));
      b.init('bi', f32([4], 4));
      b.init('mu', f32([4], 5));
      b.init('va', { dtype: 'float32', dims: [4], data: randomFloats(4, 6, 0.5, 1.5) });
      const [n] = b.node('BatchNormalization', [p, 'sc', 'bi', 'mu', 'va'], { epsilon: 1e-5 });
      b.init('shape', i64([1, -1]));
      const [f] = b.node('Reshape', [n, 'shape']);
      b.init('fw', f32([10, 64], 7));
      b.init('fb', f32([10], 8));
      const [g] = b.node('Gemm', [f, 'fw', 'fb'], { transB: 1 });
      b.node('Softmax', [g], { axis: -1 }, ['y']);
      b.output('y', [1, 10]);
      return b.build();
    },
  },
  {
    name: 'mlp',
    ops: ['MatMul', 'Add', 'Relu', 'Sigmoid', 'Mul'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', ['batch', 6]);
      b.init('w1', f32([6, 5], 11));
      b.init('b1', f32([5], 12));
      const [m] = b.node('MatMul', ['x', 'w1']);
      const [a] = b.node('Add', [m, 'b1']);
      const [r] = b.node('Relu', [a]);
      const [s] = b.node('Sigmoid', [r]);
      b.node('Mul', [s, a], {}, ['y']);
      b.output('y', ['batch', 5]);
      return b.build();
    },
  },
  {
    name: 'shape-chain',
    ops: ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Transpose'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', [2, 3, 4]);
      const [sh] = b.node('Shape', ['x']);
      b.init('i0', { dtype: 'int64', dims: [], data: [0] });
      const [d0] = b.node('Gather', [sh, 'i0'], { axis: 0 });
      b.init('ax', i64([0]));
      const [u] = b.node('Unsqueeze', [d0, 'ax']);
      b.init('rest', i64([-1]));
      const [cat] = b.node('Concat', [u, 'rest'], { axis: 0 });
      const [rs] = b.node('Reshape', ['x', cat]);
      b.node('Transpose', [rs], { perm: [1, 0] }, ['y']);
      b.output('y', [12, 2]);
      return b.build();
    },
  },
  {
    name: 'concat-bn',
    ops: ['Concat', 'BatchNormalization', 'Tanh', 'Flatten'],
    build() {
      const b = new ModelBuilder(13);
      b.input('a', [1, 2, 3, 3]);
      b.input('b', [1, 3, 3, 3]);
      const [c] = b.node('Concat', ['a', 'b'], { axis: 1 });
      b.init('sc', f32([5], 21));
      b.init('bi', f32([5], 22));
      b.init('mu', f32([5], 23));
      b.init('va', { dtype: 'float32', dims: [5], data: randomFloats(5, 24, 0.5, 1.5) });
      const [n] = b.node('BatchNormalization', [c, 'sc', 'bi', 'mu', 'va']);
      const [t] = b.node('Tanh', [n]);
      b.node('Flatten', [t], { axis: 1 }, ['y']);
      b.output('y', [1, 45]);
      return b.build();
    },
  },
  {
    name: 'slice-pad-split',
    ops: ['Slice', 'Pad', 'Split', 'Add', 'Sub'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', [2, 6, 5]);
      b.init('st', i64([1, 0]));
      b.init('en', i64([6, 4]));
      b.init('ax', i64([1, 2]));
      const [s] = b.node('Slice', ['x', 'st', 'en', 'ax']);
      b.init('pads', i64([0, 1, 0, 0, 0, 1]));
      const [p] = b.node('Pad', [s, 'pads'], { mode: 'constant' });
      b.init('sp', i64([3, 3]));
      const [h1, h2] = b.node('Split', [p, 'sp'], { axis: 1 }, 2);
      b.node('Add', [h1, h2], {}, ['y']);
      b.node('Sub', [h1, h2], {}, ['z']);
      b.output('y', [2, 3, 5]);
      b.output('z', [2, 3, 5]);
      return b.build();
    },
  },
  {
    name: 'reduce-clip',
    ops: ['ReduceMean', 'Clip', 'Exp', 'ReduceSum', 'Div'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', [2, 3, 4]);
      const [m] = b.node('ReduceMean', ['x'], { axes: [1], keepdims: 1 });
      b.init('lo', { dtype: 'float32', dims: [], data: [-0.5] });
      b.init('hi', { dtype: 'float32', dims: [], data: [0.5] });
      const [c] = b.node('Clip', [m, 'lo', 'hi']);
      const [e] = b.node('Exp', [c]);
      b.init('axes', i64([2]));
      const [s] = b.node('ReduceSum', [e, 'axes'], { keepdims: 1 });
      b.node('Div', [e, s], {}, ['y']);
      b.output('y', [2, 1, 4]);
      return b.build();
    },
  },
  {
    name: 'const-fold',
    ops: ['ConstantOfShape', 'Range', 'Cast', 'Add', 'Expand', 'Mul'],
    build() {
      const b = new ModelBuilder(13);
      b.input('x', [3, 4]);
      b.init('cs', i64([3, 4]));
      const [k] = b.node('ConstantOfShape', ['cs'], { value: { tensor: { dtype: 'float32', dims: [1], data: [0.25] } } });
      b.init('r0', { dtype: 'int64', dims: [], data: [0] });
      b.init('r1', { dtype: 'int64', dims: [], data: [4] });
      b.init('r2', { dtype: 'int64', dims: [], data: [1] });
      const [r] = b.node('Range', ['r0', 'r1', 'r2']);
      const [rf] = b.node('Cast', [r], { to: 1 });
      const [ex] = b.node('Expand', [rf, 'cs']);
      const [a] = b.node('Add', ['x', k]);
      b.node('Mul', [a, ex], {}, ['y']);
      b.output('y', [3, 4]);
      return b.build();
    },
  },
  {
    name: 'avgpool-gap',
    ops: ['Conv', 'AveragePool', 'GlobalAveragePool', 'LeakyRelu'],
    build() {
      const b = new ModelBuilder(11);
      b.input('x', [2, 2, 7, 7]);
      b.init('w', f32([3, 1, 3, 3], 31));
      const [c] = b.node('Conv', ['x', 'w'], { group: 1, strides: [2, 2], auto_pad: 'SAME_UPPER' }).slice(0, 1);
      const [l] = b.node('LeakyRelu', [c], { alpha: 0.1 });
      const [p] = b.node('AveragePool', [l], { kernel_shape: [2, 2], pads: [0, 0, 1, 1] });
      b.node('GlobalAveragePool', [p], {}, ['y']);
      b.output('y', [2, 3, 1, 1]);
      return b.build();
    },
  },
  {
    name: 'fp16-keep-io',
    ops: ['Cast', 'Conv', 'Relu', 'MaxPool', 'Add'],
    build() {
      // onnxconverter-common's keep_io_types form: float16 inside, float32 at the boundary.
      const b = new ModelBuilder(13);
      b.input('x', [1, 2, 6, 6]);
      const [h] = b.node('Cast', ['x'], { to: 10 });
      b.init('w', { dtype: 'float16', dims: [3, 2, 3, 3], data: randomFloats(18 * 3, 41) });
      b.init('cb', { dtype: 'float16', dims: [3], data: randomFloats(3, 42) });
      const [c] = b.node('Conv', [h, 'w', 'cb'], { pads: [1, 1, 1, 1] });
      const [r] = b.node('Relu', [c]);
      const [p] = b.node('MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] });
      b.init('k', { dtype: 'float16', dims: [1], data: [0.5] });
      const [a] = b.node('Add', [p, 'k']);
      b.node('Cast', [a], { to: 1 }, ['y']);
      b.output('y', [1, 3, 3, 3]);
      return b.build();
    },
  },
  {
    name: 'int8-qdq',
    ops: ['QuantizeLinear', 'DequantizeLinear', 'Conv', 'Relu'],
    build() {
      // onnxruntime.quantization's QDQ form around one Conv (fuse-qdq makes it one integer conv).
      const b = new ModelBuilder(13);
      b.input('x', [1, 2, 5, 5]);
      b.init('xs', { dtype: 'float32', dims: [], data: [0.01] });
      b.init('xz', { dtype: 'uint8', dims: [], data: [128] });
      const [q] = b.node('QuantizeLinear', ['x', 'xs', 'xz']);
      const [dq] = b.node('DequantizeLinear', [q, 'xs', 'xz']);
      b.init('w', { dtype: 'int8', dims: [2, 2, 3, 3], data: Array.from({ length: 36 }, (_, i) => ((i * 37) % 255) - 127) });
      b.init('ws', { dtype: 'float32', dims: [2], data: [0.02, 0.03] });
      b.init('wz', { dtype: 'int8', dims: [2], data: [0, 0] });
      const [dw] = b.node('DequantizeLinear', ['w', 'ws', 'wz'], { axis: 0 });
      const [c] = b.node('Conv', [dq, dw], { pads: [1, 1, 1, 1] });
      const [r] = b.node('Relu', [c]);
      b.init('ys', { dtype: 'float32', dims: [], data: [0.05] });
      b.init('yz', { dtype: 'uint8', dims: [], data: [0] });
      const [qy] = b.node('QuantizeLinear', [r, 'ys', 'yz']);
      b.node('DequantizeLinear', [qy, 'ys', 'yz'], {}, ['y']);
      b.output('y', [1, 2, 5, 5]);
      return b.build();
    },
  },
  {
    name: 'int8-dynamic',
    ops: ['DynamicQuantizeLinear', 'ConvInteger', 'Cast', 'Mul'],
    build() {
      // onnxruntime.quantization's quantize_dynamic form of a Conv.
      const b = new ModelBuilder(13);
      b.input('x', [1, 3, 4, 4]);
      const [xq, xs, xz] = b.node('DynamicQuantizeLinear', ['x'], {}, 3);
      b.init('w', { dtype: 'uint8', dims: [2, 3, 2, 2], data: Array.from({ length: 24 }, (_, i) => (i * 53) % 256) });
      b.init('wz', { dtype: 'uint8', dims: [], data: [120] });
      const [ci] = b.node('ConvInteger', [xq, 'w', xz, 'wz']);
      const [cf] = b.node('Cast', [ci], { to: 1 });
      b.init('ws', { dtype: 'float32', dims: [], data: [0.004] });
      const [s] = b.node('Mul', [xs, 'ws']);
      b.node('Mul', [cf, s], {}, ['y']);
      b.output('y', [1, 2, 3, 3]);
      return b.build();
    },
  },
  {
    name: 'int8-qoperator',
    ops: ['QLinearConv', 'com.microsoft::QLinearAdd', 'com.microsoft::QLinearGlobalAveragePool', 'DequantizeLinear'],
    build() {
      // onnxruntime.quantization's QOperator form, with com.microsoft contrib ops.
      const b = new ModelBuilder(13);
      b.input('x', [1, 2, 4, 4], 'uint8');
      b.init('s', { dtype: 'float32', dims: [], data: [0.05] });
      b.init('z', { dtype: 'uint8', dims: [], data: [100] });
      b.init('w', { dtype: 'int8', dims: [2, 2, 1, 1], data: [5, -7, 11, 3] });
      b.init('ws', { dtype: 'float32', dims: [], data: [0.1] });
      b.init('wz', { dtype: 'int8', dims: [], data: [0] });
      const [c] = b.node('QLinearConv', ['x', 's', 'z', 'w', 'ws', 'wz', 's', 'z']);
      const [a] = b.node('QLinearAdd', [c, 's', 'z', 'x', 's', 'z', 's', 'z'], {}, 1, 'com.microsoft');
      const [g] = b.node('QLinearGlobalAveragePool', [a, 's', 'z', 's', 'z'], { channels_last: 0 }, 1, 'com.microsoft');
      b.node('DequantizeLinear', [g, 's', 'z'], {}, ['y']);
      b.output('y', [1, 2, 1, 1]);
      return b.build();
    },
  },
];

/** The seed models whose ops are all registered, plus demo/public/models/*.onnx (small ones) and
 * the LeNet-5 float16/int8 forms in demo/public/models/precision/ (scripts/convert-models.py). */
export function seedModels(modelDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'demo', 'public', 'models'), maxFileBytes = 8 << 20): Seed[] {
  const have = new Set(registeredOps());
  const seeds: Seed[] = RECIPES.filter((r) => r.ops.every((o) => have.has(o))).map((r) => ({ name: r.name, bytes: plain(r.build()) }));
  let files: string[] = [];
  try {
    files = readdirSync(modelDir).filter((f) => f.endsWith('.onnx'));
  } catch {
    // no demo models
  }
  for (const f of files.sort()) {
    const p = join(modelDir, f);
    if (statSync(p).size <= maxFileBytes) seeds.push({ name: f, bytes: plain(readFileSync(p)) });
  }
  let forms: string[] = [];
  try {
    forms = readdirSync(join(modelDir, 'precision')).filter((f) => f.startsWith('lenet5-fashion.') && f.endsWith('.onnx'));
  } catch {
    // no converted models
  }
  for (const f of forms.sort()) seeds.push({ name: `precision/${f}`, bytes: plain(readFileSync(join(modelDir, 'precision', f))) });
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Random helpers.

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
/** A copy as a plain Uint8Array: protobufjs and fs return Node Buffers, whose slice() is a view,
 * and mutations must never write into a seed. */
const plain = (b: Uint8Array) => new Uint8Array(b);
const randomBytes = (r: Rand, n: number) => Uint8Array.from({ length: n }, () => int(r, 256));

/** Values that break naive dimension and index arithmetic. */
const HOSTILE_INTS = [0, -1, -2, 1, 2, 3, 7, 1000, 65536, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 3, 2 ** 40, 2 ** 53, 2 ** 62, -(2 ** 31), -(2 ** 62)];
const HOSTILE_FLOATS = [0, -0, 1e-30, -1, 1e30, 3.4e38, NaN, Infinity, -Infinity];

// ---------------------------------------------------------------------------------------------
// Protobuf wire format: a walker that finds every field (recursing into length-delimited
// payloads that parse as messages) so byte-level mutations can target tags, lengths and varints.

interface WireField {
  tagStart: number;
  tagEnd: number;
  field: number;
  wire: number;
  /** Varint value bytes (wire 0) or length bytes (wire 2). */
  valStart: number;
  valEnd: number;
  payloadEnd: number;
}

function readVarint(b: Uint8Array, pos: number, end: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return undefined;
    const byte = b[pos + i];
    v += (byte & 0x7f) * mul;
    mul *= 128;
    if (!(byte & 0x80)) return [v, pos + i + 1];
  }
  return undefined;
}

function encodeVarint(v: number): Uint8Array {
  const out: number[] = [];
  let x = v;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    out.push(byte);
  } while (x > 0 && out.length < 10);
  return Uint8Array.from(out);
}

function walkMessage(b: Uint8Array, start: number, end: number, depth: number, out: WireField[]): boolean {
  const mine: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const t = readVarint(b, pos, end);
    if (!t) return false;
    const [tag, afterTag] = t;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) return false;
    const f: WireField = { tagStart: pos, tagEnd: afterTag, field, wire, valStart: afterTag, valEnd: afterTag, payloadEnd: afterTag };
    if (wire === 0) {
      const v = readVarint(b, afterTag, end);
      if (!v) return false;
      f.valEnd = f.payloadEnd = v[1];
    } else if (wire === 1) {
      f.payloadEnd = afterTag + 8;
    } else if (wire === 5) {
      f.payloadEnd = afterTag + 4;
    } else if (wire === 2) {
      const l = readVarint(b, afterTag, end);
      if (!l) return false;
      f.valEnd = l[1];
      f.payloadEnd = l[1] + l[0];
    } else {
      return false;
    }
    if (f.payloadEnd > end) return false;
    mine.push(f);
    if (wire === 2 && depth < 12 && f.payloadEnd > f.valEnd) {
      const nested: WireField[] = [];
      if (walkMessage(b, f.valEnd, f.payloadEnd, depth + 1, nested)) mine.push(...nested);
    }
    pos = f.payloadEnd;
  }
  out.push(...mine);
  return true;
}

function wireFields(b: Uint8Array): WireField[] {
  const out: WireField[] = [];
  walkMessage(b, 0, b.length, 0, out);
  return out;
}

const splice = (b: Uint8Array, start: number, end: number, insert: Uint8Array) => concat(b.subarray(0, start), insert, b.subarray(end));

// ---------------------------------------------------------------------------------------------
// Byte-level mutations. Each returns the new bytes, or undefined when it does not apply.

type ByteMutation = (b: Uint8Array, r: Rand, seeds: Seed[]) => Uint8Array | undefined;

const BYTE_MUTATIONS: Record<string, ByteMutation> = {
  'bit-flip': (b, r) => {
    if (!b.length) return undefined;
    const out = b.slice();
    for (let k = 1 + int(r, 8); k > 0; k--) out[int(r, out.length)] ^= 1 << int(r, 8);
    return out;
  },
  'byte-set': (b, r) => {
    if (!b.length) return undefined;
    const out = b.slice();
    for (let k = 1 + int(r, 4); k > 0; k--) out[int(r, out.length)] = pick(r, [0, 0xff, 0x7f, 0x80, int(r, 256)]);
    return out;
  },
  insert: (b, r) => {
    const at = int(r, b.length + 1);
    return splice(b, at, at, randomBytes(r, 1 + int(r, 16)));
  },
  delete: (b, r) => {
    if (!b.length) return undefined;
    const at = int(r, b.length);
    return splice(b, at, Math.min(b.length, at + 1 + int(r, 16)), new Uint8Array());
  },
  truncate: (b, r) => (b.length ? b.slice(0, int(r, b.length)) : undefined),
  'duplicate-chunk': (b, r) => {
    if (b.length < 2) return undefined;
    const s = int(r, b.length);
    const chunk = b.slice(s, Math.min(b.length, s + 1 + int(r, 64)));
    const at = int(r, b.length + 1);
    return splice(b, at, at, chunk);
  },
  splice: (b, r, seeds) => {
    const other = pick(r, seeds).bytes;
    return concat(b.subarray(0, int(r, b.length + 1)), other.subarray(int(r, other.length + 1)));
  },
  'wire-type': (b, r) => {
    const fields = wireFields(b);
    if (!fields.length) return undefined;
    const f = pick(r, fields);
    let wire = int(r, 8);
    if (wire === f.wire) wire = (wire + 1) % 8;
    return splice(b, f.tagStart, f.tagEnd, encodeVarint(f.field * 8 + wire));
  },
  'field-number': (b, r) => {
    const fields = wireFields(b);
    if (!fields.length) return undefined;
    const f = pick(r, fields);
    const field = pick(r, [1 + int(r, 20), 2 ** 29 - 1, 19000 + int(r, 1000)]);
    return splice(b, f.tagStart, f.tagEnd, encodeVarint(field * 8 + f.wire));
  },
  'length-field': (b, r) => {
    const fields = wireFields(b).filter((f) => f.wire === 2);
    if (!fields.length) return undefined;
    const f = pick(r, fields);
    const len = f.payloadEnd - f.valEnd;
    const v = pick(r, [0, Math.max(0, len - 1), len + 1, len + 1000, 2 ** 31 - 1, 2 ** 32 + 7, 2 ** 62]);
    return splice(b, f.valStart, f.valEnd, encodeVarint(v));
  },
  'huge-varint': (b, r) => {
    const fields = wireFields(b).filter((f) => f.wire === 0);
    if (!fields.length) return undefined;
    const f = pick(r, fields);
    const v = pick(r, [
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // 2^64 - 1 (-1 as int64)
      Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), // 2^63
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x07]), // 2^31 - 1
      Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x08]), // 2^31
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // 11 bytes: invalid
      Uint8Array.from([0x80, 0x80, 0x80, 0x00]), // over-long encoding of 0
    ]);
    return splice(b, f.valStart, f.valEnd, v);
  },
  'deep-nesting': (b, r) => {
    // A graph input whose TypeProto nests sequence types `depth` deep (ModelProto.graph = 7,
    // GraphProto.input = 11, ValueInfoProto.type = 2, TypeProto.sequence_type = 4,
    // TypeProto.Sequence.elem_type = 1). A repeated singular message field replaces the graph.
    const depth = pick(r, [64, 2000, 50000]);
    const ld = (field: number, payload: Uint8Array) => concat(encodeVarint(field * 8 + 2), encodeVarint(payload.length), payload);
    const inner = ld(1, Uint8Array.from([0x08, 0x01])); // TypeProto.tensor_type { elem_type: 1 }
    // Headers are computed inside out from the sizes alone and written once (no quadratic copying).
    const headers: Uint8Array[] = [];
    let size = inner.length;
    for (let i = 0; i < depth; i++) {
      const seq = concat(encodeVarint(1 * 8 + 2), encodeVarint(size));
      const seqSize = seq.length + size;
      const type = concat(encodeVarint(4 * 8 + 2), encodeVarint(seqSize));
      headers.push(concat(type, seq));
      size = type.length + seqSize;
    }
    const t = concat(...headers.reverse(), inner);
    const vi = concat(ld(1, new TextEncoder().encode('deep')), ld(2, t));
    return concat(b, ld(7, ld(11, vi)));
  },
};

// ---------------------------------------------------------------------------------------------
// Structured mutations on a decoded ModelProto. Each edits `m` in place; false when it does not apply.

type Model = P.ModelProto;
type StructMutation = (m: Model, r: Rand) => boolean;

const T = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

function valueInfos(m: Model): P.IValueInfoProto[] {
  const g = m.graph;
  return g ? [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])] : [];
}
function nodes(m: Model): P.INodeProto[] {
  return m.graph?.node ?? [];
}
function valueNames(m: Model): string[] {
  const g = m.graph;
  if (!g) return [];
  return [...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? ''), ...(g.node ?? []).flatMap((n) => n.output ?? [])];
}
function hostileDim(r: Rand, d?: number): number {
  const opts = [...HOSTILE_INTS];
  if (d !== undefined) opts.push(d + 1, Math.max(0, d - 1), d * 2, d * 1000);
  return pick(r, opts);
}
function randomAttr(r: Rand, name: string): P.IAttributeProto {
  const type = pick(r, [T.FLOAT, T.INT, T.STRING, T.TENSOR, T.GRAPH, T.FLOATS, T.INTS, T.STRINGS, T.UNDEFINED, 11, 13, 99]);
  const a: P.IAttributeProto = { name, type };
  switch (type) {
    case T.FLOAT: a.f = pick(r, HOSTILE_FLOATS); break;
    case T.INT: a.i = pick(r, HOSTILE_INTS); break;
    case T.STRING: a.s = pick(r, [utf8.encode('NOTSET'), utf8.encode('garbage'), Uint8Array.from([0xff, 0xfe, 0x00]), new Uint8Array()]); break;
    case T.TENSOR: a.t = { dims: [int(r, 3), 2], dataType: pick(r, [1, 7, 9, 8, 0]), rawData: randomBytes(r, int(r, 24)) }; break;
    case T.GRAPH: a.g = { name: 'sub', node: [{ opType: 'Relu', input: ['a'], output: ['b'] }] }; break;
    case T.FLOATS: a.floats = Array.from({ length: int(r, 6) }, () => pick(r, HOSTILE_FLOATS)); break;
    case T.INTS: a.ints = Array.from({ length: int(r, 6) }, () => pick(r, HOSTILE_INTS)); break;
    case T.STRINGS: a.strings = [utf8.encode('a'), utf8.encode('SAME_UPPER')]; break;
    default:
      // An unknown or missing type with a random field populated (the decoder guesses from the field).
      if (r() < 0.5) a.ints = [int(r, 5), -int(r, 5)];
      else a.i = pick(r, HOSTILE_INTS);
  }
  return a;
}
const ATTR_NAMES = ['axis', 'axes', 'perm', 'kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad', 'ceil_mode', 'alpha', 'beta', 'gamma',
  'transA', 'transB', 'epsilon', 'momentum', 'keepdims', 'split', 'to', 'value', 'mode', 'min', 'max', 'allowzero', 'num_outputs', 'seed', 'ratio',
  'count_include_pad', 'storage_order', 'noop_with_empty_axes', 'select_last_index', 'size', 'bias', 'fovea.activation'];

const STRUCT_MUTATIONS: Record<string, StructMutation> = {
  'dim-value': (m, r) => {
    const dims = valueInfos(m).flatMap((v) => v.type?.tensorType?.shape?.dim ?? []);
    if (!dims.length) return false;
    for (let k = 1 + int(r, 2); k > 0; k--) {
      const d = pick(r, dims) as P.TensorShapeProto.Dimension;
      const old = typeof d.dimValue === 'number' ? d.dimValue : Number(d.dimValue ?? 0);
      delete (d as { dimParam?: string }).dimParam;
      d.dimValue = hostileDim(r, old);
    }
    return true;
  },
  'dim-shape': (m, r) => {
    const vis = valueInfos(m).filter((v) => v.type?.tensorType);
    if (!vis.length) return false;
    const tt = pick(r, vis).type!.tensorType!;
    const dims = tt.shape?.dim ?? [];
    switch (int(r, 5)) {
      case 0: tt.shape = null; break; // no shape
      case 1: tt.shape = { dim: [...dims, { dimValue: hostileDim(r) }] }; break;
      case 2: tt.shape = { dim: dims.slice(0, Math.max(0, dims.length - 1)) }; break;
      case 3: tt.shape = { dim: dims.map((_, i) => (r() < 0.5 ? { dimParam: pick(r, ['N', 'batch', '', `d${i}`]) } : {})) }; break;
      default: tt.shape = { dim: Array.from({ length: pick(r, [0, 9, 40]) }, () => ({ dimValue: 1 })) };
    }
    return true;
  },
  'elem-type': (m, r) => {
    const vis = valueInfos(m).filter((v) => v.type?.tensorType);
    if (!vis.length) return false;
    pick(r, vis).type!.tensorType!.elemType = pick(r, [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 99, -3]);
    return true;
  },
  'no-type': (m, r) => {
    const vis = valueInfos(m);
    if (!vis.length) return false;
    const v = pick(r, vis);
    if (r() < 0.5) v.type = null;
    else v.type = { sequenceType: { elemType: { tensorType: { elemType: 1 } } } };
    return true;
  },
  'init-dims': (m, r) => {
    const inits = m.graph?.initializer ?? [];
    if (!inits.length) return false;
    const t = pick(r, inits);
    const dims = (t.dims ?? []).map(Number);
    switch (int(r, 3)) {
      case 0:
        if (dims.length) dims[int(r, dims.length)] = hostileDim(r, dims[0]);
        else dims.push(hostileDim(r));
        break;
      case 1: dims.push(pick(r, [1, 2, 0, 1000])); break;
      default: dims.pop();
    }
    t.dims = dims;
    return true;
  },
  'init-data': (m, r) => {
    const inits = m.graph?.initializer ?? [];
    if (!inits.length) return false;
    const t = pick(r, inits);
    const raw = t.rawData ?? new Uint8Array();
    switch (int(r, 5)) {
      case 0: t.rawData = raw.slice(0, int(r, raw.length + 1)); break;
      case 1: t.rawData = concat(raw, randomBytes(r, 1 + int(r, 9))); break;
      case 2: t.rawData = new Uint8Array(); t.floatData = [1, 2]; break;
      case 3: t.int64Data = [pick(r, HOSTILE_INTS), pick(r, HOSTILE_INTS)]; t.rawData = new Uint8Array(); break;
      default: {
        // Same length, hostile contents (NaN, Inf, huge indices).
        const out = raw.slice();
        const dv = new DataView(out.buffer);
        for (let i = 0; i + 4 <= out.length; i += 4) if (r() < 0.3) dv.setFloat32(i, pick(r, HOSTILE_FLOATS), true);
        t.rawData = out;
      }
    }
    return true;
  },
  'init-dtype': (m, r) => {
    const inits = m.graph?.initializer ?? [];
    if (!inits.length) return false;
    pick(r, inits).dataType = pick(r, [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 99, -3]);
    return true;
  },
  'init-external': (m, r) => {
    const inits = m.graph?.initializer ?? [];
    if (!inits.length) return false;
    const t = pick(r, inits);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: pick(r, ['../../etc/passwd', '/etc/passwd', 'file:///etc/passwd', 'http://example.com/w.bin', 'weights.bin', '']) },
      { key: 'offset', value: pick(r, ['0', '-5', '1e30', 'abc']) },
    ];
    return true;
  },
  cycle: (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    const i = int(r, ns.length);
    const j = i + int(r, ns.length - i);
    const outs = ns[j].output ?? [];
    if (!outs.length || !(ns[i].input ?? []).length) return false;
    ns[i].input![int(r, ns[i].input!.length)] = pick(r, outs);
    return true;
  },
  dangle: (m, r) => {
    const ns = nodes(m).filter((n) => (n.input ?? []).length);
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.input![int(r, n.input!.length)] = pick(r, ['ghost', '', ' ', 'x\u0000y']);
    return true;
  },
  'duplicate-output': (m, r) => {
    const ns = nodes(m);
    const names = valueNames(m);
    if (!ns.length || !names.length) return false;
    const n = pick(r, ns);
    if (!(n.output ?? []).length) return false;
    n.output![int(r, n.output!.length)] = pick(r, names);
    return true;
  },
  'duplicate-init': (m, r) => {
    const g = m.graph;
    if (!g) return false;
    const names = [...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? '')];
    if (!names.length) return false;
    const name = pick(r, names);
    g.initializer = [...(g.initializer ?? []), { name, dims: [int(r, 3) + 1], dataType: 1, floatData: [0.5, 0.25, 0.125].slice(0, 3) }];
    return true;
  },
  'node-domain': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    pick(r, ns).domain = pick(r, ['com.evil', 'ai.onnx.ml', 'com.microsoft', 'ai.onnx', '\u0000', 'ai.onnx.preview.training']);
    return true;
  },
  opset: (m, r) => {
    switch (int(r, 4)) {
      case 0: m.opsetImport = []; break;
      case 1: m.opsetImport = [{ domain: '', version: pick(r, [0, 1, 5, 6, 7, 9, 10, 11, 12, 17, 21, 9999, -1, 2 ** 40]) }]; break;
      case 2: m.opsetImport = [...(m.opsetImport ?? []), { domain: '', version: pick(r, [1, 7]) }]; break;
      default: m.opsetImport = [...(m.opsetImport ?? []), { domain: pick(r, ['com.evil', 'ai.onnx.ml']), version: pick(r, [1, 2 ** 40]) }];
    }
    return true;
  },
  'ir-version': (m, r) => {
    m.irVersion = pick(r, [0, 1, 3, 4, 10, 99, -1, 2 ** 40]);
    return true;
  },
  'attr-type': (m, r) => {
    const ns = nodes(m).filter((n) => (n.attribute ?? []).length);
    if (!ns.length) return false;
    const attrs = pick(r, ns).attribute!;
    const i = int(r, attrs.length);
    attrs[i] = randomAttr(r, attrs[i].name ?? '');
    return true;
  },
  'attr-value': (m, r) => {
    const ns = nodes(m).filter((n) => (n.attribute ?? []).length);
    if (!ns.length) return false;
    const a = pick(r, pick(r, ns).attribute!);
    if (a.type === T.INT) a.i = pick(r, HOSTILE_INTS);
    else if (a.type === T.INTS) {
      const ints = (a.ints ?? []).map(Number);
      if (ints.length && r() < 0.7) ints[int(r, ints.length)] = pick(r, HOSTILE_INTS);
      else if (r() < 0.5) ints.push(pick(r, HOSTILE_INTS));
      else ints.splice(0, 1);
      a.ints = ints;
    } else if (a.type === T.FLOAT) a.f = pick(r, HOSTILE_FLOATS);
    else if (a.type === T.FLOATS) a.floats = [...(a.floats ?? []), pick(r, HOSTILE_FLOATS)];
    else if (a.type === T.STRING) a.s = utf8.encode(pick(r, ['', 'SAME_LOWER', 'VALID', 'reflect', 'edge', 'wrap', 'garbage', 'max(v, 0.0)', '}; fn f() {']));
    else if (a.type === T.TENSOR && a.t) a.t.dims = [hostileDim(r)];
    else return false;
    return true;
  },
  'attr-drop': (m, r) => {
    const ns = nodes(m).filter((n) => (n.attribute ?? []).length);
    if (!ns.length) return false;
    const attrs = pick(r, ns).attribute!;
    attrs.splice(int(r, attrs.length), 1);
    return true;
  },
  'attr-add': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    const name = pick(r, ATTR_NAMES);
    const a = name === 'fovea.activation'
      ? { name, type: T.STRING, s: utf8.encode(pick(r, ['Relu', 'v; } fn evil() { loop {', 'Clip', 'max(v, 0.0)', 'Softmax'])) }
      : randomAttr(r, name);
    n.attribute = [...(n.attribute ?? []), a];
    return true;
  },
  'op-type': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    pick(r, ns).opType = pick(r, [...registeredOps(), 'NoSuchOp', '', 'If', 'Loop', 'Scan']);
    return true;
  },
  'node-inputs': (m, r) => {
    const ns = nodes(m);
    const names = valueNames(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    const ins = [...(n.input ?? [])];
    switch (int(r, 5)) {
      case 0: ins.reverse(); break;
      case 1: ins.pop(); break;
      case 2: ins.push(names.length ? pick(r, names) : 'x'); break;
      case 3: if (ins.length) ins[int(r, ins.length)] = ''; break;
      default: ins.push(...ins);
    }
    n.input = ins;
    return true;
  },
  'node-outputs': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    const outs = [...(n.output ?? [])];
    switch (int(r, 3)) {
      case 0: outs.push(`extra${int(r, 3)}`); break;
      case 1: outs.pop(); break;
      default: outs.unshift('');
    }
    n.output = outs;
    return true;
  },
  'graph-output': (m, r) => {
    const g = m.graph;
    if (!g) return false;
    const outs = g.output ?? [];
    switch (int(r, 4)) {
      case 0: g.output = []; break;
      case 1: if (outs.length) outs[0].name = pick(r, ['ghost', ...valueNames(m)]); break;
      case 2: g.output = [...outs, ...outs]; break;
      default: g.output = [...outs, ...(g.input ?? []).slice(0, 1)];
    }
    return true;
  },
  'graph-input': (m, r) => {
    const g = m.graph;
    if (!g) return false;
    const ins = g.input ?? [];
    switch (int(r, 3)) {
      case 0: g.input = ins.slice(1); break;
      case 1: g.input = [...ins, ...ins.slice(0, 1)]; break;
      default: g.input = [...ins, { name: 'extra', type: { tensorType: { elemType: pick(r, [1, 7, 9]), shape: { dim: [{ dimValue: 2 }] } } } }];
    }
    return true;
  },
  'node-drop': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    ns.splice(int(r, ns.length), 1);
    return true;
  },
  'node-dup': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    ns.splice(int(r, ns.length + 1), 0, onnx.NodeProto.fromObject(onnx.NodeProto.toObject(n as P.NodeProto)));
    return true;
  },
  'node-names': (m, r) => {
    const ns = nodes(m);
    if (!ns.length) return false;
    const name = pick(r, ['', 'same', '"quoted"', 'a'.repeat(5000)]);
    for (const n of ns) if (r() < 0.5) n.name = name;
    return true;
  },
  'shuffle-nodes': (m, r) => {
    const ns = nodes(m);
    if (ns.length < 2) return false;
    for (let i = ns.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [ns[i], ns[j]] = [ns[j], ns[i]];
    }
    return true;
  },
  /** Nodes whose constant-folded or inferred outputs are enormous: must be refused before allocation. */
  'huge-tensor': (m, r) => {
    const g = m.graph;
    const x = g?.input?.[0]?.name;
    if (!g || !x) return false;
    const have = new Set(registeredOps());
    const big = pick(r, [[100000, 100000], [2 ** 31 - 1], [65536, 65536, 64], [1 << 20, 1 << 12]]);
    const bigShape: P.ITensorProto = { name: 'big_shape', dims: [big.length], dataType: 7, int64Data: big };
    const kinds = ['ConstantOfShape', 'Expand', 'Range', 'Tile', 'Pad', 'Reshape'].filter((k) => have.has(k));
    if (!kinds.length) return false;
    const kind = pick(r, kinds);
    const add = (n: P.INodeProto) => g.node!.push(n);
    g.initializer = [...(g.initializer ?? []), bigShape];
    g.node = g.node ?? [];
    if (kind === 'ConstantOfShape') add({ opType: kind, input: ['big_shape'], output: ['huge'] });
    else if (kind === 'Expand') add({ opType: kind, input: [x, 'big_shape'], output: ['huge'] });
    else if (kind === 'Reshape') add({ opType: kind, input: [x, 'big_shape'], output: ['huge'] });
    else if (kind === 'Range') {
      g.initializer.push({ name: 'r0', dims: [], dataType: 7, int64Data: [0] }, { name: 'r1', dims: [], dataType: 7, int64Data: [2 ** 40] }, { name: 'r2', dims: [], dataType: 7, int64Data: [1] });
      add({ opType: kind, input: ['r0', 'r1', 'r2'], output: ['huge'] });
    } else if (kind === 'Tile') {
      g.initializer.push({ name: 'reps', dims: [4], dataType: 7, int64Data: [1000, 1000, 1000, 1000] });
      add({ opType: kind, input: [x, 'reps'], output: ['huge'] });
    } else {
      g.initializer.push({ name: 'hpads', dims: [8], dataType: 7, int64Data: [0, 0, 50000, 50000, 0, 0, 50000, 50000] });
      add({ opType: kind, input: [x, 'hpads'], output: ['huge'] });
    }
    g.output = [...(g.output ?? []), { name: 'huge', type: { tensorType: { elemType: 1 } } }];
    return true;
  },
  /** A long chain of nodes in reverse order: sorting must stay fast. */
  'many-nodes': (m, r) => {
    const g = m.graph;
    const out = g?.output?.[0]?.name;
    if (!g || !out || !g.node?.some((n) => n.output?.includes(out))) return false;
    const n = pick(r, [200, 1000, 3000]);
    const producer = g.node!.find((k) => k.output!.includes(out))!;
    producer.output = producer.output!.map((o) => (o === out ? 'chain0' : o));
    const chain: P.INodeProto[] = [];
    for (let i = 0; i < n; i++) chain.push({ opType: 'Identity', input: [`chain${i}`], output: [i === n - 1 ? out : `chain${i + 1}`] });
    g.node = [...chain.reverse(), ...g.node!];
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// Case generation.

export const BYTE_MUTATION_NAMES = Object.keys(BYTE_MUTATIONS);
export const STRUCT_MUTATION_NAMES = Object.keys(STRUCT_MUTATIONS);

function structured(bytes: Uint8Array, r: Rand): { bytes: Uint8Array; name: string } | undefined {
  let m: Model;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const name = pick(r, STRUCT_MUTATION_NAMES);
    try {
      if (!STRUCT_MUTATIONS[name](m, r)) continue;
      return { bytes: plain(onnx.ModelProto.encode(m).finish()), name };
    } catch {
      // the edit made something protobufjs cannot encode: try another
      m = onnx.ModelProto.decode(bytes);
    }
  }
  return undefined;
}

/** The case with this index: deterministic in (baseSeed, index). */
export function makeCase(seeds: Seed[], baseSeed: number, index: number): FuzzCase {
  const r = rng((Math.imul(baseSeed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const seed = pick(r, seeds);
  let bytes = seed.bytes;
  const mutations: string[] = [];
  const n = 1 + (r() < 0.3 ? 1 : 0) + (r() < 0.1 ? 1 : 0);
  for (let k = 0; k < n; k++) {
    const s = r() < 0.65 ? structured(bytes, r) : undefined;
    if (s) {
      bytes = s.bytes;
      mutations.push(s.name);
      continue;
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const name = pick(r, BYTE_MUTATION_NAMES);
      const out = BYTE_MUTATIONS[name](bytes, r, seeds);
      if (out) {
        bytes = out;
        mutations.push(name);
        break;
      }
    }
  }
  return { index, seed: seed.name, mutations, bytes };
}

// ---------------------------------------------------------------------------------------------
// Running a case.

export interface FuzzOptions {
  /** Per-case bound on create + run + reference (ms); past it the case is a hang. */
  timeoutMs?: number;
  /** maxMemoryBytes of the sessions (keeps valid-but-large mutants quick on lavapipe). */
  maxMemoryBytes?: number;
  /** Compare successful runs with onnxruntime-node (default true). */
  compare?: boolean;
}

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const FEED_TYPES: TensorType[] = ['float32', 'float16', 'int32', 'int64', 'bool', 'uint8', 'int8'];

function makeFeed(type: TensorType, dims: number[], r: Rand): Tensor {
  const n = count(dims);
  switch (type) {
    case 'float32': return new Tensor('float32', Float32Array.from({ length: n }, () => r() * 2 - 1), dims);
    case 'float16': return new Tensor('float16', Array.from({ length: n }, () => r() * 2 - 1), dims);
    case 'int32': return new Tensor('int32', Int32Array.from({ length: n }, () => int(r, 3)), dims);
    case 'int64': return new Tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(int(r, 3))), dims);
    case 'bool': return new Tensor('bool', Uint8Array.from({ length: n }, () => int(r, 2)), dims);
    case 'uint8': return new Tensor('uint8', Uint8Array.from({ length: n }, () => int(r, 3)), dims);
    default: return new Tensor('int8', Int8Array.from({ length: n }, () => int(r, 3)), dims);
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.constructor.name : typeof e;
}

/** Elementwise comparison with onnxruntime's output. Returns a message on mismatch. */
function compareOutput(name: string, got: Tensor, want: ort.Tensor, halfModel = false): string | undefined {
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) {
    return `${name}: dims [${got.dims.join(',')}], onnxruntime [${want.dims.join(',')}]`;
  }
  if (got.type !== want.type) return `${name}: type ${got.type}, onnxruntime ${want.type}`;
  // float16: both hold half bits; compare the values, one float16 rounding apart per op.
  const half = got.type === 'float16' || halfModel;
  const a = got.type === 'float16' ? fromHalfBits(halfBitsOf(got.data)) : (got.data as ArrayLike<number | bigint>);
  const b = got.type === 'float16' ? fromHalfBits(want.data as Uint16Array) : (want.data as ArrayLike<number | bigint>);
  const rtol = half ? 4e-3 : 1e-3;
  if (a.length !== b.length) return `${name}: ${a.length} values, onnxruntime ${b.length}`;
  // WGSL lets implementations assume that floats are never NaN or infinite (WGSL spec, "Floating
  // Point Evaluation"), so once a mutated model feeds NaN or Inf into the graph (in either
  // result), only the elements that are finite in both are compared.
  let scale = 0;
  let nonFinite = false;
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) nonFinite = true;
    if (Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
  }
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (typeof b[i] === 'bigint' && Math.abs(y) > 2147483647) continue; // int64 saturates to int32 in Fovea (documented)
    if (Object.is(x, y) || x === y) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (nonFinite) continue;
      return `${name}[${i}] = ${x}, onnxruntime ${y}`;
    }
    // Errors are judged against the tensor's scale too: mutated weights can be huge, and then the
    // GPU's and the CPU's summation orders legitimately differ by more than a per-element rtol.
    if (Math.abs(x - y) > 1e-5 + rtol * Math.abs(y) + (half ? 2e-3 : 1e-4) * scale) return `${name}[${i}] = ${x}, onnxruntime ${y} (scale ${scale})`;
  }
  return undefined;
}

/** Boolean (0/1) attributes of the ONNX ops: another value is out of spec, and onnxruntime reads it
 * per op (Reduce* keepdims: only 1 is true; Gemm transA: any non-zero is true). */
const BOOLEAN_ATTRS = new Set(['keepdims', 'noop_with_empty_axes', 'select_last_index', 'transA', 'transB', 'ceil_mode', 'count_include_pad',
  'allowzero', 'training_mode', 'exclude_outside', 'spatial', 'broadcast', 'storage_order', 'fovea.residual']);

/**
 * Why a mutant may legitimately compute something else than onnxruntime, or undefined:
 *  - an out-of-spec value of a boolean attribute (see BOOLEAN_ATTRS);
 *  - extreme weights (|w| > 1e6, NaN, Inf): kernels that transform weights (Winograd, folded
 *    BatchNorm) or reorder sums lose the exact zeros a direct convolution keeps, and the error is
 *    relative to the extreme value, not to the output.
 */
/** Whether the model computes in float16 anywhere (a float16 initializer, value or Cast target):
 * then even float32 outputs carry float16 rounding, compared at float16 tolerances. */
function computesInHalf(bytes: Uint8Array): boolean {
  let m: P.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch {
    return false;
  }
  const g = m.graph;
  if ((g?.initializer ?? []).some((t) => t.dataType === 10)) return true;
  if ([...(g?.input ?? []), ...(g?.output ?? []), ...(g?.valueInfo ?? [])].some((v) => v.type?.tensorType?.elemType === 10)) return true;
  return (g?.node ?? []).some((n) => n.opType === 'Cast' && (n.attribute ?? []).some((a) => a.name === 'to' && Number(a.i) === 10));
}

function mismatchExcuse(bytes: Uint8Array): string | undefined {
  let m: P.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch {
    return undefined;
  }
  for (const n of m.graph?.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (BOOLEAN_ATTRS.has(a.name ?? '') && a.type === T.INT && Number(a.i) !== 0 && Number(a.i) !== 1) return `out-of-spec boolean attribute ${a.name}=${Number(a.i)}`;
    }
  }
  const extreme = (v: number) => !(Math.abs(v) <= 1e6);
  for (const t of [...(m.graph?.initializer ?? []), ...(m.graph?.node ?? []).flatMap((n) => (n.attribute ?? []).map((a) => a.t).filter((x): x is P.TensorProto => !!x))]) {
    if (t.dataType !== 1) continue;
    const raw = t.rawData;
    if (raw && raw.length >= 4) {
      const f = new Float32Array(raw.slice().buffer, 0, raw.length >> 2);
      if (f.some(extreme)) return `extreme weights in "${t.name}"`;
    }
    if ((t.floatData ?? []).some(extreme)) return `extreme weights in "${t.name}"`;
  }
  return undefined;
}

export class Fuzzer {
  readonly seeds: Seed[];
  private gpuErrors: string[] = [];
  private unhandled: string[] = [];
  private detail: string | undefined;
  private readonly onUnhandled = (e: unknown) => {
    this.unhandled.push(`${errorName(e)}: ${(e as Error)?.message ?? String(e)}`);
  };
  private readonly onGpuError = (ev: Event) => {
    this.gpuErrors.push((ev as GPUUncapturedErrorEvent).error?.message ?? 'uncaptured GPU error');
  };

  private constructor(
    private readonly tracker: BufferTracker,
    private readonly device: GPUDevice,
    private readonly opts: Required<FuzzOptions>,
  ) {
    this.seeds = seedModels();
    // A GPU validation error means Fovea submitted something invalid for an input it accepted.
    device.addEventListener('uncapturederror', this.onGpuError);
    process.on('unhandledRejection', this.onUnhandled);
  }

  static async create(opts: FuzzOptions = {}): Promise<Fuzzer> {
    const tracker = await trackBuffers();
    const { device } = await acquireDevice();
    return new Fuzzer(tracker, device, { timeoutMs: 30000, maxMemoryBytes: 16 << 20, compare: true, ...opts });
  }

  dispose(): void {
    this.device.removeEventListener('uncapturederror', this.onGpuError);
    this.tracker.stop();
    process.off('unhandledRejection', this.onUnhandled);
  }

  makeCase(baseSeed: number, index: number): FuzzCase {
    return makeCase(this.seeds, baseSeed, index);
  }

  async runCase(c: FuzzCase): Promise<CaseResult> {
    const t0 = performance.now();
    const before = this.tracker.live.size;
    this.gpuErrors = [];
    this.unhandled = [];
    this.detail = undefined;
    let outcome: string;
    let failure: string | undefined;
    try {
      outcome = await withTimeout(this.exercise(c), this.opts.timeoutMs, 'create + run');
    } catch (e) {
      if (e instanceof Timeout) {
        outcome = 'FAIL hang';
        failure = e.message;
      } else if (e instanceof CaseFailure) {
        outcome = `FAIL ${e.kind}`;
        failure = e.message;
      } else {
        outcome = 'FAIL harness';
        failure = String((e as Error)?.stack ?? e);
      }
    }
    // Let dawn.node deliver pending device events (uncaptured errors) before judging.
    await new Promise((res) => setTimeout(res, 0));
    if (!failure && this.gpuErrors.length) {
      outcome = 'FAIL gpu-error';
      failure = this.gpuErrors.join('; ');
    }
    if (!failure && this.unhandled.length) {
      outcome = 'FAIL unhandled-rejection';
      failure = this.unhandled.join('; ');
    }
    if (!failure && outcome !== 'FAIL hang' && this.tracker.live.size !== before) {
      failure = `${this.tracker.live.size - before} GPU buffer(s) left alive: ${[...this.tracker.live].map((b) => b.label).slice(0, 5).join(', ')}`;
      outcome = 'FAIL leak';
      for (const b of this.tracker.live) b.destroy();
    }
    return { case: c, outcome, failure, detail: this.detail, ms: performance.now() - t0 };
  }

  private async exercise(c: FuzzCase): Promise<string> {
    let s: InferenceSession;
    try {
      // Every fourth case runs without the IR verifier: the passes and the planner must fail
      // typed on their own, since the verifier is optional (SessionOptions.verify).
      s = await InferenceSession.create(c.bytes, { maxMemoryBytes: this.opts.maxMemoryBytes, verify: c.index % 4 !== 3 });
    } catch (e) {
      if (e instanceof FoveaError) {
        this.detail = e.message;
        return `create: ${errorName(e)}`;
      }
      throw new CaseFailure('crash', `create threw ${errorName(e)}: ${(e as Error)?.stack ?? String(e)}`);
    }
    try {
      return await this.runSession(c, s);
    } finally {
      try {
        await s.release();
      } catch (e) {
        // eslint-disable-next-line no-unsafe-finally
        throw new CaseFailure('crash', `release threw ${errorName(e)}: ${(e as Error)?.message}`);
      }
    }
  }

  private async runSession(c: FuzzCase, s: InferenceSession): Promise<string> {
    const r = rng(c.index * 7919 + 17);
    const free = new Map<string, number>();
    const feeds: Record<string, Tensor> = {};
    let typed = true;
    for (const meta of s.inputMetadata) {
      const dims = meta.dims.map((d) => {
        if (typeof d === 'number') return d;
        if (!free.has(d)) free.set(d, 1 + int(r, 3));
        return free.get(d)!;
      });
      const type = FEED_TYPES.includes(meta.type as TensorType) ? (meta.type as TensorType) : 'float32';
      if (type !== meta.type) typed = false;
      if (count(dims) > this.opts.maxMemoryBytes / 4) return 'ran: feeds too large to make';
      feeds[meta.name] = makeFeed(type, dims, r);
    }
    let got: Record<string, Tensor>;
    try {
      got = await s.run(feeds);
    } catch (e) {
      if (e instanceof FoveaError) {
        this.detail = e.message;
        return `run: ${errorName(e)}`;
      }
      throw new CaseFailure('crash', `run threw ${errorName(e)}: ${(e as Error)?.stack ?? String(e)}`);
    }
    if (!typed) throw new CaseFailure('accepted-bad-feed', 'run accepted a feed of a type the model does not declare');
    for (const [name, t] of Object.entries(got)) {
      if (!(t instanceof Tensor) || t.data.length !== count([...t.dims])) throw new CaseFailure('bad-output', `output ${name} is not a consistent Tensor`);
    }
    if (!this.opts.compare) return 'ran: not compared';
    let ref: ort.InferenceSession;
    try {
      ref = await ort.InferenceSession.create(exactIntegerProducts(c.bytes), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', logSeverityLevel: 4 });
    } catch (e) {
      this.detail = (e as Error)?.message;
      return 'ran: onnxruntime rejects the model';
    }
    let want: ort.InferenceSession.OnnxValueMapType;
    try {
      want = await ref.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.type === 'float16' ? new ort.Tensor('float16', halfBitsOf(v.data), [...v.dims]) : new ort.Tensor(v.type as 'float32', v.data as Float32Array, [...v.dims])])));
    } catch (e) {
      this.detail = (e as Error)?.message;
      return 'ran: onnxruntime rejects the run';
    } finally {
      await ref.release();
    }
    for (const [name, t] of Object.entries(got)) {
      const w = want[name] as ort.Tensor | undefined;
      if (!w) continue;
      const msg = compareOutput(name, t, w, computesInHalf(c.bytes));
      if (!msg) continue;
      const excuse = mismatchExcuse(c.bytes);
      if (excuse) {
        this.detail = `${msg} (${excuse})`;
        return `ran: differs from onnxruntime, ${excuse}`;
      }
      throw new CaseFailure('mismatch', msg);
    }
    return 'ran: matches onnxruntime';
  }
}

class CaseFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Counts outcomes, most frequent first. */
export function tally(results: CaseResult[]): [string, number][] {
  const m = new Map<string, number>();
  for (const r of results) m.set(r.outcome, (m.get(r.outcome) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Counts by mutation name (each case counts once per mutation it applied). */
export function tallyMutations(results: CaseResult[]): [string, number][] {
  const m = new Map<string, number>();
  for (const r of results) for (const k of new Set(r.case.mutations)) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
