// Math ops against onnxruntime-node: Add/Sub/Mul/Div/Pow with numpy broadcasting (either side,
// 0-D, rank 6) on float and integer tensors, their host folding on int64 constants (PyTorch shape
// arithmetic), the unary math ops, BatchNormalization (constant parameters folded on the host,
// non-constant ones, legacy attributes, spatial = 0), and the Reduce* ops in their attribute and
// input axes forms with both kernel variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput, type TensorSpec } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { assertClose, checkAgainstReference, runReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';
import { getOp } from '../../runtime/ops/registry.js';
import { makeOpContext } from '../../runtime/ops/context.js';
import { makeHost } from '../../runtime/ir/host-tensor.js';
import '../../runtime/ops/index.js';

type DT = TensorSpec['dtype'];
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(size(dims), seed, lo, hi), dims);
const ints = (n: number, seed: number, lo: number, hi: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
};
/** Integers in [lo, hi] without zero (divisors). */
const nonZeroInts = (n: number, seed: number, lo: number, hi: number) => ints(n, seed, lo, hi).map((v) => (v === 0 ? hi : v));
const intTensor = (dtype: 'int32' | 'int64', dims: number[], vals: number[]) =>
  dtype === 'int32' ? new Tensor('int32', Int32Array.from(vals), dims) : new Tensor('int64', BigInt64Array.from(vals.map(BigInt)), dims);

/** y = op(a, b) with a and b as graph inputs. */
function binaryModel(op: string, aDims: number[], bDims: number[], outDims: number[], opset = 14, dtype: DT = 'float32', bType: DT = dtype): Uint8Array {
  const b = new ModelBuilder(opset);
  b.input('a', aDims, dtype);
  b.input('b', bDims, bType);
  b.node(op, ['a', 'b'], {}, ['y']);
  b.output('y', outDims, dtype);
  return b.build();
}

const BROADCAST: [number[], number[], number[]][] = [
  // [a, b, out]
  [[2, 3, 4, 5], [2, 3, 4, 5], [2, 3, 4, 5]],
  [[2, 3, 4, 5], [5], [2, 3, 4, 5]],
  [[2, 1, 4, 1], [3, 1, 5], [2, 3, 4, 5]],
  [[2, 3, 4, 5], [], [2, 3, 4, 5]], // 0-D B
  [[], [3, 4], [3, 4]], // 0-D A
  [[5], [2, 3, 4, 5], [2, 3, 4, 5]], // A broadcasts
  [[1], [7, 3], [7, 3]],
  [[3, 1, 1], [1, 4, 6], [3, 4, 6]],
  [[2, 3, 1, 5, 1, 2], [3, 4, 1, 6, 1], [2, 3, 4, 5, 6, 2]], // rank 6, nothing merges
  [[1, 1, 517], [1, 1, 517], [1, 1, 517]], // odd size, several workgroups
];

for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
  for (const [aDims, bDims, out] of BROADCAST) {
    test(`${op} f32 [${aDims}] with [${bDims}] -> [${out}]`, async () => {
      // Divisors stay away from zero.
      const feeds = { a: f32(aDims, 21), b: op === 'Div' ? f32(bDims, 22, 0.5, 2) : f32(bDims, 22) };
      await checkAgainstReference(binaryModel(op, aDims, bDims, out), feeds);
    });
  }
}

for (const dtype of ['int32', 'int64'] as const) {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    test(`${op} ${dtype} with broadcasting (Div truncates toward zero)`, async () => {
      for (const [aDims, bDims, out] of [[[2, 3, 4], [4], [2, 3, 4]], [[3, 1], [1, 5], [3, 5]], [[6], [6], [6]]] as [number[], number[], number[]][]) {
        const a = intTensor(dtype, aDims, ints(size(aDims), 23, -100, 100));
        const b = intTensor(dtype, bDims, op === 'Div' ? nonZeroInts(size(bDims), 24, -9, 9) : ints(size(bDims), 24, -100, 100));
        await checkAgainstReference(binaryModel(op, aDims, bDims, out, 14, dtype), { a, b });
      }
    });
  }
}

test('binary op with a constant operand (initializer) and opset 7', async () => {
  const b = new ModelBuilder(7);
  b.input('x', [2, 3, 4, 4]);
  const c = b.init('c', { dtype: 'float32', dims: [3, 1, 1], data: randomFloats(3, 25) });
  const [t] = b.node('Mul', ['x', c]);
  b.node('Add', [t, c], {}, ['y']);
  b.output('y', [2, 3, 4, 4]);
  await checkAgainstReference(b.build(), { x: f32([2, 3, 4, 4], 26) });
});

test('binary ops reject shapes that do not broadcast, and mixed types', async () => {
  await assert.rejects(InferenceSession.create(binaryModel('Add', [2, 3], [4, 3], [2, 3])), ShapeError);
  await assert.rejects(InferenceSession.create(binaryModel('Add', [2, 3], [3], [2, 3], 14, 'float32', 'int32')), ShapeError);
});

test('int64 Add/Mul/Div/Sub on constants fold on the host: PyTorch shape arithmetic', async () => {
  // shape = [2, 3 * 4 * 5] computed from int64 initializers, as PyTorch's view(x.size(0), -1) does.
  const b = new ModelBuilder(13);
  b.input('x', [1]);
  const dims = b.init('dims', { dtype: 'int64', dims: [4], data: [2, 3, 4, 5] });
  const three = b.init('three', { dtype: 'int64', dims: [], data: [3] });
  const two = b.init('two', { dtype: 'int64', dims: [1], data: [2] });
  const [m] = b.node('Mul', [dims, three]); // [6, 9, 12, 15]
  const [d] = b.node('Div', [m, two]); // [3, 4, 6, 7] (truncated)
  const [s] = b.node('Sub', [d, dims]); // [1, 1, 2, 2]
  b.node('Add', [s, two], {}, ['shape']); // [3, 3, 4, 4]
  b.node('Relu', ['x'], {}, ['y']);
  b.output('shape', [4], 'int64');
  b.output('y', [1]);
  const model = b.build();
  await checkAgainstReference(model, { x: f32([1], 27) });
  const sess = await InferenceSession.create(model);
  try {
    const out = await sess.run({ x: f32([1], 27) });
    assert.equal(out.shape.type, 'int64');
    assert.deepEqual([...(out.shape.data as BigInt64Array)], [3n, 3n, 4n, 4n]);
    // Only the Relu runs on the GPU: the integer chain was folded.
    assert.equal((await sess.stats()).dispatches, 1);
  } finally {
    await sess.release();
  }
});

test('cpu() of Add/Mul/Div on int64 host tensors with broadcasting and saturation', () => {
  const host = (dims: number[], vals: number[]) => makeHost('int64', dims, vals);
  const run = (op: string, a: ReturnType<typeof host>, b: ReturnType<typeof host>) => {
    const def = getOp('', op)!;
    const node = { name: op, opType: op, domain: '', inputs: ['a', 'b'], outputs: ['y'], attributes: {} };
    const ctx = makeOpContext(node, 13, new Map());
    const [y] = def.cpu!([a, b], def.parse(ctx), ctx);
    return { dims: y.dims, data: [...y.data], dtype: y.dtype };
  };
  assert.deepEqual(run('Add', host([2, 1], [10, 20]), host([3], [1, 2, 3])), { dims: [2, 3], data: [11, 12, 13, 21, 22, 23], dtype: 'int64' });
  assert.deepEqual(run('Mul', host([3], [4, -5, 6]), host([], [7])), { dims: [3], data: [28, -35, 42], dtype: 'int64' });
  assert.deepEqual(run('Div', host([4], [7, -7, 9, 1]), host([4], [2, 2, -4, 3])), { dims: [4], data: [3, -3, -2, 0], dtype: 'int64' });
  // int64 values are held saturated to ±(2^31 - 1): products saturate instead of wrapping.
  assert.deepEqual(run('Mul', host([1], [2147483647]), host([1], [2])).data, [2147483647]);
});

test('Pow: negative bases with integral exponents, fractional exponents, broadcasting', async () => {
  const b = new ModelBuilder(15);
  b.input('x', [3, 5, 4]);
  b.input('p', [3, 5, 4]);
  const two = b.init('two', { dtype: 'float32', dims: [], data: [2] });
  const three = b.init('three', { dtype: 'float32', dims: [1], data: [3] });
  const half = b.init('half', { dtype: 'float32', dims: [], data: [0.5] });
  const e = b.init('e', { dtype: 'float32', dims: [4], data: [0, 1, -2, 1.7] });
  b.node('Pow', ['x', two], {}, ['sq']);
  b.node('Pow', ['x', three], {}, ['cube']);
  b.node('Pow', ['p', half], {}, ['root']);
  b.node('Pow', ['p', e], {}, ['mixed']);
  b.node('Pow', ['p', 'x'], {}, ['full']);
  for (const o of ['sq', 'cube', 'root', 'mixed', 'full']) b.output(o, [3, 5, 4]);
  await checkAgainstReference(b.build(), { x: f32([3, 5, 4], 28, -3, 3), p: f32([3, 5, 4], 29, 0.2, 3) }, { rtol: 1e-4, atol: 1e-5 });
});

test('Pow: float base with an int64 exponent, and int32 ** int32', async () => {
  const b = new ModelBuilder(15);
  b.input('x', [2, 7]);
  const k = b.init('k', { dtype: 'int64', dims: [7], data: [0, 1, 2, 3, -1, 4, 5] });
  b.node('Pow', ['x', k], {}, ['y']);
  b.output('y', [2, 7]);
  await checkAgainstReference(b.build(), { x: f32([2, 7], 30, -2, 2) }, { rtol: 1e-4 });
  const base = intTensor('int32', [3, 4], ints(12, 31, -6, 6));
  const exp = intTensor('int32', [4], [0, 1, 2, 5]);
  await checkAgainstReference(binaryModel('Pow', [3, 4], [4], [3, 4], 15, 'int32'), { a: base, b: exp });
});

test('Pow: integer bases with a float exponent (the output is the base type, truncated)', async () => {
  // Fractional exponents whose real powers are not integers (or take the exact sqrt path), so
  // that the truncation is well defined: the reference computes them in double precision.
  const exp = new Tensor('float32', Float32Array.from([0, 1, 3, 0.5]), [4]);
  const base32 = intTensor('int32', [3, 4], ints(12, 32, 0, 9));
  await checkAgainstReference(binaryModel('Pow', [3, 4], [4], [3, 4], 15, 'int32', 'float32'), { a: base32, b: exp });
  const exp2 = new Tensor('float32', Float32Array.from([1.3, -2, 2, 0.7, 4, -1]), [2, 3]);
  const base64 = intTensor('int64', [2, 3], ints(6, 33, 1, 9));
  await checkAgainstReference(binaryModel('Pow', [2, 3], [2, 3], [2, 3], 12, 'int64', 'float32'), { a: base64, b: exp2 });
  // 0-D float exponent broadcast over negative bases (integral: exact).
  const base = intTensor('int32', [5], [-3, -2, 0, 2, 7]);
  await checkAgainstReference(binaryModel('Pow', [5], [], [5], 15, 'int32', 'float32'), { a: base, b: new Tensor('float32', Float32Array.from([3]), []) });
});

const UNARY_MATH: [string, number, number][] = [
  // [op, input range]
  ['Neg', -5, 5],
  ['Abs', -5, 5],
  ['Sqrt', 0, 9],
  ['Exp', -10, 10],
  ['Log', 0.01, 100],
  ['Reciprocal', 0.1, 4],
  ['Floor', -5, 5],
  ['Ceil', -5, 5],
];

for (const [op, lo, hi] of UNARY_MATH) {
  test(`${op}: [3,5,7] f32`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [3, 5, 7]);
    b.node(op, ['x'], {}, ['y']);
    b.output('y', [3, 5, 7]);
    await checkAgainstReference(b.build(), { x: f32([3, 5, 7], 32, lo, hi) });
  });
}

test('Neg and Abs on int32 and int64', async () => {
  for (const op of ['Neg', 'Abs']) {
    for (const dtype of ['int32', 'int64'] as const) {
      const b = new ModelBuilder(13);
      b.input('x', [4, 5], dtype);
      b.node(op, ['x'], {}, ['y']);
      b.output('y', [4, 5], dtype);
      await checkAgainstReference(b.build(), { x: intTensor(dtype, [4, 5], ints(20, 33, -1000, 1000)) });
    }
  }
});

interface BnCase {
  dims: number[];
  opset: number;
  attrs?: Record<string, AttrInput>;
  /** Parameters are graph inputs (the generic kernel) instead of initializers. */
  inputs?: boolean;
  /** Parameter shape (default [C]). */
  pdims?: number[];
}

function bnModel(c: BnCase, seed: number): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(c.opset);
  const C = c.dims[1];
  const pdims = c.pdims ?? [C];
  const n = size(pdims);
  const params: [string, Float32Array][] = [
    ['scale', randomFloats(n, seed, 0.5, 1.5)],
    ['bias', randomFloats(n, seed + 1, -1, 1)],
    ['mean', randomFloats(n, seed + 2, -0.5, 0.5)],
    ['var', randomFloats(n, seed + 3, 0.05, 2)], // positive
  ];
  b.input('x', c.dims);
  const feeds: Feeds = { x: f32(c.dims, seed + 4, -2, 2) };
  for (const [name, data] of params) {
    if (c.inputs) {
      b.input(name, pdims);
      feeds[name] = new Tensor('float32', data, pdims);
    } else b.init(name, { dtype: 'float32', dims: pdims, data });
  }
  b.node('BatchNormalization', ['x', ...params.map(([p]) => p)], c.attrs ?? {}, ['y']);
  b.output('y', c.dims);
  return { model: b.build(), feeds };
}

const BN_CASES: BnCase[] = [
  { dims: [2, 3, 5, 7], opset: 15 },
  { dims: [2, 3, 5, 7], opset: 15, inputs: true },
  { dims: [1, 5, 3, 3], opset: 14, attrs: { epsilon: 1e-3, training_mode: 0 } },
  { dims: [3, 4], opset: 9 }, // [N, C]
  { dims: [2, 4, 3, 2, 2], opset: 9, inputs: true }, // 3-D spatial
  { dims: [1, 6, 7, 9], opset: 7, attrs: { spatial: 1 } },
  { dims: [2, 3, 2, 2], opset: 7, attrs: { spatial: 0 }, pdims: [3, 2, 2] }, // per-element parameters
  { dims: [2, 3, 2, 2], opset: 7, attrs: { spatial: 0 }, pdims: [3, 2, 2], inputs: true },
];

for (const c of BN_CASES) {
  test(`BatchNormalization opset ${c.opset} [${c.dims}]${c.attrs ? ` ${JSON.stringify(c.attrs)}` : ''}${c.inputs ? ' (parameters as inputs)' : ''}`, async () => {
    const { model, feeds } = bnModel(c, 40);
    await checkAgainstReference(model, feeds);
  });
}

test('BatchNormalization opset 6 (is_test, spatial, consumed_inputs) matches the opset 9 reference', async () => {
  const dims = [2, 4, 3, 5];
  const legacy = bnModel({ dims, opset: 6, attrs: { is_test: 1, spatial: 1, epsilon: { float: 1e-4 } } }, 41);
  const modern = bnModel({ dims, opset: 9, attrs: { epsilon: { float: 1e-4 } } }, 41);
  const s = await InferenceSession.create(legacy.model);
  try {
    const got = await s.run(legacy.feeds);
    const want = await runReference(modern.model, modern.feeds);
    assertClose(got.y.data as Float32Array, want.y.data as Float32Array);
  } finally {
    await s.release();
  }
  const withConsumed = bnModel({ dims, opset: 5, attrs: { is_test: 1, consumed_inputs: [0, 0, 0, 1, 1] } }, 41);
  const s5 = await InferenceSession.create(withConsumed.model);
  const got5 = await s5.run(withConsumed.feeds);
  const want5 = await runReference(bnModel({ dims, opset: 9 }, 41).model, withConsumed.feeds);
  assertClose(got5.y.data as Float32Array, want5.y.data as Float32Array);
  await s5.release();
});

test('BatchNormalization with constant parameters uploads folded per-channel weights', async () => {
  const { model } = bnModel({ dims: [1, 8, 4, 4], opset: 15 }, 42);
  const s = await InferenceSession.create(model);
  const stats = await s.stats();
  // x, y and the [a | b] weight: the four parameter tensors themselves are not uploaded.
  assert.equal(stats.buffers, 3);
  assert.equal(stats.dispatches, 1);
  await s.release();
});

test('BatchNormalization rejects training mode', async () => {
  const b = new ModelBuilder(9);
  b.input('x', [1, 2, 3, 3]);
  for (const p of ['s', 'b', 'm', 'v']) b.init(p, { dtype: 'float32', dims: [2], data: [1, 1] });
  b.node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], {}, ['y', 'mean_out', 'var_out']);
  b.output('y', [1, 2, 3, 3]);
  await assert.rejects(InferenceSession.create(b.build()), (e: unknown) => e instanceof ShapeError && /training/.test((e as Error).message));
  const t = bnModel({ dims: [1, 2, 3, 3], opset: 15, attrs: { training_mode: 1 } }, 43);
  await assert.rejects(InferenceSession.create(t.model), ShapeError);
});

interface ReduceCase {
  dims: number[];
  axes?: number[];
  keepdims?: number;
  noop?: number;
  /** Use the axes input (opset 18; 13 for ReduceSum) instead of the attribute. */
  axesInput?: boolean;
}

/** Output shape for the model's declared output. */
function reducedDims(c: ReduceCase): number[] {
  const rank = c.dims.length;
  const axes = c.axes === undefined || !c.axes.length ? (c.noop ? [] : c.dims.map((_, i) => i)) : c.axes.map((a) => (a < 0 ? a + rank : a));
  const keep = c.keepdims ?? 1;
  return c.dims.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
}

function reduceModel(op: string, c: ReduceCase, dtype: DT = 'float32'): Uint8Array {
  const inputSince = op === 'ReduceSum' ? 13 : 18;
  const b = new ModelBuilder(c.axesInput ? inputSince : 13 - (op === 'ReduceSum' ? 2 : 0));
  b.input('x', c.dims, dtype);
  const attrs: Record<string, AttrInput> = {};
  if (c.keepdims !== undefined) attrs.keepdims = c.keepdims;
  if (c.noop !== undefined) attrs.noop_with_empty_axes = c.noop;
  const inputs = ['x'];
  if (c.axesInput) {
    if (c.axes) inputs.push(b.init('axes', { dtype: 'int64', dims: [c.axes.length], data: c.axes }));
  } else if (c.axes) attrs.axes = c.axes;
  b.node(op, inputs, attrs, ['y']);
  b.output('y', reducedDims(c), dtype);
  return b.build();
}

const REDUCE_CASES: ReduceCase[] = [
  { dims: [2, 3, 5, 7], axes: [2, 3] }, // global average pool
  { dims: [2, 3, 5, 7], axes: [2, 3], keepdims: 0 },
  { dims: [2, 3, 5, 7], axes: [1] }, // strided
  { dims: [2, 3, 5, 7], axes: [0, 2], keepdims: 0 }, // non-adjacent
  { dims: [2, 3, 5, 7], axes: [-1, -3] },
  { dims: [2, 3, 5, 7] }, // every axis
  { dims: [4, 1, 90], axes: [1, 2] }, // size-1 dims merge away
  { dims: [3, 200], axes: [1], keepdims: 0 }, // long rows
  { dims: [17], axes: [0], keepdims: 0 }, // 1-D to 0-D
  { dims: [2, 3, 5, 7], axes: [2, 3], axesInput: true },
  { dims: [2, 3, 5, 7], axes: [0, -1], axesInput: true, keepdims: 0 },
  { dims: [2, 3, 5, 7], axesInput: true }, // no axes: every axis
];

const REDUCE_OPS: [string, number, number][] = [
  // [op, input range]
  ['ReduceMean', -1, 1],
  ['ReduceSum', -1, 1],
  ['ReduceMax', -1, 1],
  ['ReduceMin', -1, 1],
  ['ReduceProd', 0.8, 1.25],
  ['ReduceSumSquare', -1, 1],
  ['ReduceL1', -1, 1],
  ['ReduceL2', -1, 1],
  ['ReduceLogSum', 0.1, 1],
];

for (const [op, lo, hi] of REDUCE_OPS) {
  test(`${op}: axes attribute and input forms, keepdims, both kernel variants`, async () => {
    for (const c of REDUCE_CASES) {
      const feeds = { x: f32(c.dims, 50, lo, hi) };
      for (const forceAlgorithm of ['reduce-workgroup', 'reduce-thread']) {
        await checkAgainstReference(reduceModel(op, c), feeds, { rtol: 1e-4, atol: 1e-5 }, { forceAlgorithm });
      }
    }
  });
}

test('ReduceMean / ReduceSum with noop_with_empty_axes = 1 and no axes return the input', async () => {
  const c: ReduceCase = { dims: [2, 3, 4], axesInput: true, noop: 1 };
  for (const op of ['ReduceMean', 'ReduceSum']) await checkAgainstReference(reduceModel(op, c), { x: f32([2, 3, 4], 51) });
});

test('ReduceSum/Max/Min/Prod on int32 and int64', async () => {
  for (const op of ['ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd']) {
    for (const dtype of ['int32', 'int64'] as const) {
      for (const c of [{ dims: [3, 4, 5], axes: [1] }, { dims: [3, 4, 5], axes: [0, 2], keepdims: 0 }] as ReduceCase[]) {
        const x = intTensor(dtype, c.dims, op === 'ReduceProd' ? ints(60, 52, -3, 3) : ints(60, 52, -1000, 1000));
        await checkAgainstReference(reduceModel(op, c, dtype), { x });
      }
    }
  }
});

test('ReduceMax/ReduceMin keep -inf and +inf inputs exact', async () => {
  const data = Float32Array.from([-Infinity, -Infinity, -Infinity, 1, Infinity, 2, -3, -Infinity, 5]);
  const x = new Tensor('float32', data, [3, 3]);
  for (const op of ['ReduceMax', 'ReduceMin']) {
    for (const forceAlgorithm of ['reduce-workgroup', 'reduce-thread']) {
      await checkAgainstReference(reduceModel(op, { dims: [3, 3], axes: [1] }), { x }, {}, { forceAlgorithm });
    }
  }
});

test('Reduce binds a runtime axes input from the feed, and rejects repeated axes', async () => {
  const b = new ModelBuilder(18);
  b.input('x', [2, 3]);
  b.input('axes', [1], 'int64');
  b.node('ReduceMean', ['x', 'axes'], {}, ['y']);
  b.output('y', [2, 1]);
  const model = b.build();
  for (const axis of [1n, 0n]) await checkAgainstReference(model, { x: f32([2, 3], 1), axes: new Tensor('int64', BigInt64Array.of(axis), [1]) });
  await assert.rejects(InferenceSession.create(reduceModel('ReduceMean', { dims: [2, 3], axes: [1, -1] })), ShapeError);
});

test('ReduceProd on int64 constants folds on the host (numel of a shape)', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1]);
  const shape = b.init('shape', { dtype: 'int64', dims: [4], data: [2, 3, 5, 7] });
  b.node('ReduceProd', [shape], { keepdims: 0 }, ['numel']);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('numel', [], 'int64');
  b.output('y', [1]);
  const model = b.build();
  await checkAgainstReference(model, { x: f32([1], 53) });
  const s = await InferenceSession.create(model);
  assert.equal((await s.stats()).dispatches, 1);
  await s.release();
});

