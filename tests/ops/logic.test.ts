// Comparison, logic and selection ops against onnxruntime-node: Equal/Greater/Less/
// GreaterOrEqual/LessOrEqual on float, integer and bool tensors with broadcasting; And/Or/Xor/Not;
// Where (3-way broadcasting, every data type); the variadic Sum/Max/Min/Mean (1-4 inputs,
// broadcasting, integer Max/Min); Erf; ArgMax/ArgMin (axes, keepdims, select_last_index, both
// kernel variants); Tile (every repeat pattern, the peeled rank > 4 path); and the host folding of
// these ops on constant int64 tensors (shape chains).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput, type TensorSpec } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { checkAgainstReference, type Feeds } from '../util/reference.js';
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
/** Small integers as floats, so that comparisons meet ties. */
const f32Ints = (dims: number[], seed: number, lo = -3, hi = 3) => new Tensor('float32', Float32Array.from(ints(size(dims), seed, lo, hi)), dims);
const bools = (dims: number[], seed: number) => new Tensor('bool', Uint8Array.from(ints(size(dims), seed, 0, 1)), dims);
function tensorOf(dtype: DT, dims: number[], seed: number): Tensor {
  if (dtype === 'float32') return f32Ints(dims, seed);
  if (dtype === 'bool') return bools(dims, seed);
  const v = ints(size(dims), seed, -3, 3);
  return dtype === 'int32' ? new Tensor('int32', Int32Array.from(v), dims) : new Tensor('int64', BigInt64Array.from(v.map(BigInt)), dims);
}

/** One node over graph inputs x0, x1, … with one output y. */
function model(op: string, opset: number, ins: { dims: number[]; dtype: DT }[], out: { dims: number[]; dtype: DT }, attrs: Record<string, AttrInput> = {}): Uint8Array {
  const b = new ModelBuilder(opset);
  const names = ins.map((x, i) => b.input(`x${i}`, x.dims, x.dtype));
  b.node(op, names, attrs, ['y']);
  b.output('y', out.dims, out.dtype);
  return b.build();
}

const BROADCAST: [number[], number[], number[]][] = [
  [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [4], [2, 3, 4]],
  [[2, 1, 5], [3, 1], [2, 3, 5]],
  [[3, 4], [], [3, 4]], // 0-D
  [[1, 1, 333], [1, 1, 333], [1, 1, 333]], // several workgroups
];

const COMPARE: [string, number[]][] = [
  // [op, opsets]
  ['Equal', [11, 13, 19]],
  ['Greater', [9, 13]],
  ['Less', [9, 13]],
  ['GreaterOrEqual', [12, 16]],
  ['LessOrEqual', [12, 16]],
];

for (const [op, opsets] of COMPARE) {
  test(`${op}: float32 with broadcasting and ties, opsets ${opsets.join('/')}`, async () => {
    for (const opset of opsets) {
      for (const [a, b, out] of BROADCAST) {
        const m = model(op, opset, [{ dims: a, dtype: 'float32' }, { dims: b, dtype: 'float32' }], { dims: out, dtype: 'bool' });
        await checkAgainstReference(m, { x0: f32Ints(a, 1), x1: f32Ints(b, 2) });
      }
    }
  });

  test(`${op}: int32 and int64`, async () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const m = model(op, opsets[opsets.length - 1], [{ dims: [2, 3, 4], dtype }, { dims: [3, 1], dtype }], { dims: [2, 3, 4], dtype: 'bool' });
      await checkAgainstReference(m, { x0: tensorOf(dtype, [2, 3, 4], 3), x1: tensorOf(dtype, [3, 1], 4) });
    }
  });
}

test('Equal on bool tensors and at opset 7 (integers)', async () => {
  await checkAgainstReference(model('Equal', 13, [{ dims: [4, 5], dtype: 'bool' }, { dims: [5], dtype: 'bool' }], { dims: [4, 5], dtype: 'bool' }), { x0: bools([4, 5], 5), x1: bools([5], 6) });
  await checkAgainstReference(model('Equal', 7, [{ dims: [3, 4], dtype: 'int32' }, { dims: [4], dtype: 'int32' }], { dims: [3, 4], dtype: 'bool' }), { x0: tensorOf('int32', [3, 4], 7), x1: tensorOf('int32', [4], 8) });
});

test('Greater/Less on ±inf and a NaN-free mix of magnitudes', async () => {
  const a = new Tensor('float32', Float32Array.from([-Infinity, -1e30, -1, -0, 0, 1e-30, 1, Infinity]), [8]);
  const b = new Tensor('float32', Float32Array.from([-Infinity, -1e30, 0, 0, -0, 0, 1, 1e30]), [8]);
  for (const op of ['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual']) {
    await checkAgainstReference(model(op, 16, [{ dims: [8], dtype: 'float32' }, { dims: [8], dtype: 'float32' }], { dims: [8], dtype: 'bool' }), { x0: a, x1: b });
  }
});

for (const op of ['And', 'Or', 'Xor']) {
  test(`${op}: bool tensors with broadcasting`, async () => {
    for (const [a, b, out] of BROADCAST) {
      await checkAgainstReference(model(op, 7, [{ dims: a, dtype: 'bool' }, { dims: b, dtype: 'bool' }], { dims: out, dtype: 'bool' }), { x0: bools(a, 9), x1: bools(b, 10) });
    }
  });
}

test('Not: bool tensors, 0-D and odd sizes', async () => {
  for (const dims of [[3, 5, 7], [], [1000]]) {
    await checkAgainstReference(model('Not', 1, [{ dims, dtype: 'bool' }], { dims, dtype: 'bool' }), { x0: bools(dims, 11) });
  }
});

test('comparison and logic ops reject mismatched or unsupported types', async () => {
  await assert.rejects(InferenceSession.create(model('Greater', 13, [{ dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'int32' }], { dims: [3], dtype: 'bool' })), ShapeError);
  await assert.rejects(InferenceSession.create(model('And', 7, [{ dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'float32' }], { dims: [3], dtype: 'bool' })), ShapeError);
  await assert.rejects(InferenceSession.create(model('Not', 1, [{ dims: [3], dtype: 'float32' }], { dims: [3], dtype: 'bool' })), ShapeError);
  await assert.rejects(InferenceSession.create(model('Less', 13, [{ dims: [2, 3], dtype: 'float32' }, { dims: [4], dtype: 'float32' }], { dims: [2, 3], dtype: 'bool' })), ShapeError);
});

const WHERE: [number[], number[], number[], number[]][] = [
  // [cond, X, Y, out]
  [[2, 3, 4], [2, 3, 4], [2, 3, 4], [2, 3, 4]],
  [[2, 1, 4], [3, 1], [4], [2, 3, 4]],
  [[4], [2, 3, 4], [], [2, 3, 4]],
  [[], [5, 2], [1, 2], [5, 2]],
  [[1, 1, 300], [1, 1, 300], [1, 300], [1, 1, 300]],
];

test('Where: every broadcasting pattern, float32, opsets 9 and 16', async () => {
  for (const opset of [9, 16]) {
    for (const [c, x, y, out] of WHERE) {
      const m = model('Where', opset, [{ dims: c, dtype: 'bool' }, { dims: x, dtype: 'float32' }, { dims: y, dtype: 'float32' }], { dims: out, dtype: 'float32' });
      await checkAgainstReference(m, { x0: bools(c, 12), x1: f32(x, 13), x2: f32(y, 14) });
    }
  }
});

test('Where: int32, int64 and bool X/Y', async () => {
  for (const dtype of ['int32', 'int64'] as const) {
    const m = model('Where', 16, [{ dims: [3, 4], dtype: 'bool' }, { dims: [3, 4], dtype }, { dims: [4], dtype }], { dims: [3, 4], dtype });
    await checkAgainstReference(m, { x0: bools([3, 4], 15), x1: tensorOf(dtype, [3, 4], 16), x2: tensorOf(dtype, [4], 17) });
  }
  // onnxruntime has no bool Where kernel: the expected values are spelled out.
  const s = await InferenceSession.create(model('Where', 16, [{ dims: [2, 3], dtype: 'bool' }, { dims: [2, 3], dtype: 'bool' }, { dims: [3], dtype: 'bool' }], { dims: [2, 3], dtype: 'bool' }));
  try {
    const c = new Tensor('bool', Uint8Array.of(1, 0, 1, 0, 0, 1), [2, 3]);
    const x = new Tensor('bool', Uint8Array.of(1, 1, 0, 0, 1, 1), [2, 3]);
    const y = new Tensor('bool', Uint8Array.of(1, 0, 1), [3]);
    const out = await s.run({ x0: c, x1: x, x2: y });
    assert.equal(out.y.type, 'bool');
    assert.deepEqual([...out.y.data], [1, 0, 0, 1, 0, 1]);
  } finally {
    await s.release();
  }
});

test('Where rejects a non-bool condition and mixed X/Y types', async () => {
  await assert.rejects(InferenceSession.create(model('Where', 16, [{ dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'float32' }], { dims: [3], dtype: 'float32' })), ShapeError);
  await assert.rejects(InferenceSession.create(model('Where', 16, [{ dims: [3], dtype: 'bool' }, { dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'int32' }], { dims: [3], dtype: 'float32' })), ShapeError);
});

test('Equal, Not, Where, Greater, Max and Tile on int64 constants fold on the host', async () => {
  // A shape chain as tf2onnx writes it: dims where shape == 1 are replaced by -1.
  const b = new ModelBuilder(13);
  b.input('x', [2]);
  const shape = b.init('shape', { dtype: 'int64', dims: [4], data: [1, 3, 1, 5] });
  const one = b.init('one', { dtype: 'int64', dims: [], data: [1] });
  const minus = b.init('minus', { dtype: 'int64', dims: [1], data: [-1] });
  const [eq] = b.node('Equal', [shape, one]);
  const [ne] = b.node('Not', [eq]);
  b.node('Where', [eq, minus, shape], {}, ['where']);
  const [gt] = b.node('Greater', [shape, one]);
  b.node('Where', [gt, shape, one], {}, ['where2']);
  b.node('Cast', [ne], { to: 7 }, ['ne']);
  b.node('Max', [shape, one, minus], {}, ['max']);
  const reps = b.init('reps', { dtype: 'int64', dims: [1], data: [2] });
  b.node('Tile', [shape, reps], {}, ['tiled']);
  b.node('Relu', ['x'], {}, ['y']);
  for (const [o, d] of [['where', [4]], ['where2', [4]], ['ne', [4]], ['max', [4]], ['tiled', [8]]] as [string, number[]][]) b.output(o, d, 'int64');
  b.output('y', [2]);
  const m = b.build();
  await checkAgainstReference(m, { x: f32([2], 18) });
  const s = await InferenceSession.create(m);
  try {
    const out = await s.run({ x: f32([2], 18) });
    assert.deepEqual([...(out.where.data as BigInt64Array)], [-1n, 3n, -1n, 5n]);
    assert.equal((await s.stats()).dispatches, 1); // only the Relu
  } finally {
    await s.release();
  }
});

test('cpu() of ArgMax, Sum, Mean, Min and the opset 1 form of Tile', () => {
  const run = (op: string, ins: ReturnType<typeof makeHost>[], attrs: Record<string, number> = {}, opset = 13) => {
    const def = getOp('', op)!;
    const node = { name: op, opType: op, domain: '', inputs: ins.map((_, i) => `x${i}`), outputs: ['y'], attributes: attrs };
    const ctx = makeOpContext(node, opset, new Map(ins.map((t, i) => [`x${i}`, t])));
    const [y] = def.cpu!(ins, def.parse(ctx), ctx);
    return { dims: y.dims, data: [...y.data], dtype: y.dtype };
  };
  const m = makeHost('float32', [2, 3], [1, 5, 5, 7, 2, 7]);
  assert.deepEqual(run('ArgMax', [m], { axis: 1 }), { dims: [2, 1], data: [1, 0], dtype: 'int64' });
  assert.deepEqual(run('ArgMax', [m], { axis: -1, keepdims: 0, select_last_index: 1 }), { dims: [2], data: [2, 2], dtype: 'int64' });
  assert.deepEqual(run('ArgMin', [m], { axis: 0, keepdims: 0 }), { dims: [3], data: [0, 1, 0], dtype: 'int64' });
  const a = makeHost('float32', [2, 1], [1, 2]);
  const c = makeHost('float32', [3], [10, 20, 30]);
  assert.deepEqual(run('Sum', [a, c, a]).data, [12, 22, 32, 14, 24, 34]);
  assert.deepEqual(run('Mean', [a, c]).data, [5.5, 10.5, 15.5, 6, 11, 16]);
  assert.deepEqual(run('Min', [makeHost('int64', [3], [4, -2, 9]), makeHost('int64', [], [3])]), { dims: [3], data: [3, -2, 3], dtype: 'int64' });
  // Tile-1: inputs (input, tiles, axis).
  const t = run('Tile', [makeHost('int32', [2, 2], [1, 2, 3, 4]), makeHost('int64', [], [3]), makeHost('int64', [], [1])], {}, 1);
  assert.deepEqual(t, { dims: [2, 6], data: [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], dtype: 'int32' });
});

const VARIADIC: number[][][] = [
  // input shapes; the output is their broadcast
  [[2, 3, 4]],
  [[2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [4], [3, 1]],
  [[3, 1], [1, 5], [], [2, 1, 1]],
  [[5], [2, 1, 5], [2, 3, 5]],
];

function bshape(shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

for (const op of ['Sum', 'Max', 'Min', 'Mean']) {
  test(`${op}: 1 to 4 inputs with broadcasting (opset 8 and 13), same shapes at opset 6`, async () => {
    for (const opset of [8, 13]) {
      for (const shapes of VARIADIC) {
        const m = model(op, opset, shapes.map((dims) => ({ dims, dtype: 'float32' as const })), { dims: bshape(shapes), dtype: 'float32' });
        const feeds: Feeds = Object.fromEntries(shapes.map((d, i) => [`x${i}`, f32(d, 20 + i)]));
        await checkAgainstReference(m, feeds);
      }
    }
    const same = [[3, 5], [3, 5], [3, 5]];
    await checkAgainstReference(model(op, 6, same.map((dims) => ({ dims, dtype: 'float32' as const })), { dims: [3, 5], dtype: 'float32' }), { x0: f32([3, 5], 24), x1: f32([3, 5], 25), x2: f32([3, 5], 26) });
  });
}

test('Max and Min on int32 and int64 (opset 12)', async () => {
  for (const op of ['Max', 'Min']) {
    for (const dtype of ['int32', 'int64'] as const) {
      const shapes = [[2, 3], [3], [2, 1]];
      const m = model(op, 12, shapes.map((dims) => ({ dims, dtype })), { dims: [2, 3], dtype });
      await checkAgainstReference(m, Object.fromEntries(shapes.map((d, i) => [`x${i}`, tensorOf(dtype, d, 30 + i)])));
    }
  }
});

test('Sum and Mean reject integer inputs; variadic ops reject mixed types', async () => {
  await assert.rejects(InferenceSession.create(model('Sum', 13, [{ dims: [3], dtype: 'int32' }, { dims: [3], dtype: 'int32' }], { dims: [3], dtype: 'int32' })), ShapeError);
  await assert.rejects(InferenceSession.create(model('Max', 13, [{ dims: [3], dtype: 'float32' }, { dims: [3], dtype: 'int32' }], { dims: [3], dtype: 'float32' })), ShapeError);
});

test('Erf: wide range, small values near 0, opsets 9 and 13', async () => {
  const small = Float32Array.from({ length: 64 }, (_, i) => (i - 32) * 1e-3);
  for (const opset of [9, 13]) {
    await checkAgainstReference(model('Erf', opset, [{ dims: [3, 5, 7], dtype: 'float32' }], { dims: [3, 5, 7], dtype: 'float32' }), { x0: f32([3, 5, 7], 40, -4, 4) }, { rtol: 1e-5, atol: 3e-7 });
    await checkAgainstReference(model('Erf', opset, [{ dims: [64], dtype: 'float32' }], { dims: [64], dtype: 'float32' }), { x0: new Tensor('float32', small, [64]) }, { rtol: 1e-5, atol: 1e-9 });
  }
  const edges = Float32Array.from([-Infinity, -10, -0.5, 0, 0.49999997, 0.5, 3, 10, Infinity]);
  await checkAgainstReference(model('Erf', 13, [{ dims: [9], dtype: 'float32' }], { dims: [9], dtype: 'float32' }), { x0: new Tensor('float32', edges, [9]) }, { rtol: 1e-5, atol: 3e-7 });
});

interface ArgCase {
  dims: number[];
  axis?: number;
  keepdims?: number;
  last?: number;
  opset?: number;
}

const ARG_CASES: ArgCase[] = [
  { dims: [3, 4, 5] }, // axis 0 default
  { dims: [3, 4, 5], axis: 1 },
  { dims: [3, 4, 5], axis: 2, keepdims: 0 },
  { dims: [3, 4, 5], axis: -1 },
  { dims: [3, 4, 5], axis: -2, keepdims: 0, last: 1 },
  { dims: [2, 300], axis: 1 }, // long axis (workgroup variant by default)
  { dims: [2, 300], axis: 1, last: 1 },
  { dims: [7], axis: 0, keepdims: 0 }, // 1-D to 0-D
  { dims: [2, 3, 4], axis: 1, opset: 1 },
  { dims: [2, 3, 4], axis: -1, opset: 11 },
  { dims: [2, 3, 4], axis: 1, last: 1, opset: 12 },
];

function argDims(c: ArgCase): number[] {
  const axis = (c.axis ?? 0) < 0 ? (c.axis ?? 0) + c.dims.length : c.axis ?? 0;
  return (c.keepdims ?? 1) ? c.dims.map((d, i) => (i === axis ? 1 : d)) : c.dims.filter((_, i) => i !== axis);
}

for (const op of ['ArgMax', 'ArgMin']) {
  test(`${op}: axes, keepdims, select_last_index with ties, both kernel variants`, async () => {
    for (const c of ARG_CASES) {
      const attrs: Record<string, AttrInput> = {};
      if (c.axis !== undefined) attrs.axis = c.axis;
      if (c.keepdims !== undefined) attrs.keepdims = c.keepdims;
      if (c.last !== undefined) attrs.select_last_index = c.last;
      const m = model(op, c.opset ?? 13, [{ dims: c.dims, dtype: 'float32' }], { dims: argDims(c), dtype: 'int64' }, attrs);
      // Few distinct values: ties are everywhere.
      const feeds = { x0: f32Ints(c.dims, 50, -2, 2) };
      for (const forceAlgorithm of ['argreduce-thread', 'argreduce-workgroup', undefined]) {
        await checkAgainstReference(m, feeds, {}, { forceAlgorithm });
      }
    }
  });
}

test('ArgMax/ArgMin on distinct floats, int32 and int64', async () => {
  for (const op of ['ArgMax', 'ArgMin']) {
    await checkAgainstReference(model(op, 13, [{ dims: [4, 9, 3], dtype: 'float32' }], { dims: [4, 1, 3], dtype: 'int64' }, { axis: 1 }), { x0: f32([4, 9, 3], 51) });
    for (const dtype of ['int32', 'int64'] as const) {
      await checkAgainstReference(model(op, 13, [{ dims: [3, 6], dtype }], { dims: [3], dtype: 'int64' }, { axis: 1, keepdims: 0 }), { x0: tensorOf(dtype, [3, 6], 52) });
    }
  }
});

interface TileCase {
  dims: number[];
  reps: number[];
  dtype?: DT;
  opset?: number;
}

const TILE_CASES: TileCase[] = [
  { dims: [2, 3], reps: [1, 1] },
  { dims: [2, 3], reps: [2, 3] },
  { dims: [2, 3, 4], reps: [1, 1, 3] }, // contiguous rows repeated
  { dims: [2, 3, 4], reps: [3, 1, 1] }, // the whole tensor repeated
  { dims: [1, 3, 1, 5], reps: [2, 1, 4, 1] },
  { dims: [5], reps: [0] }, // empty output
  { dims: [2, 3, 2, 2, 3], reps: [2, 2, 2, 2, 2] }, // 10 unmergeable dims: copies split
  { dims: [3, 4], reps: [2, 2], dtype: 'int64' },
  { dims: [3, 4], reps: [1, 2], dtype: 'bool', opset: 6 },
];

test('Tile: repeat patterns, empty output, rank 5, int64/bool, opsets 6 and 13', async () => {
  for (const c of TILE_CASES) {
    const dtype = c.dtype ?? 'float32';
    const b = new ModelBuilder(c.opset ?? 13);
    b.input('x', c.dims, dtype);
    const r = b.init('r', { dtype: 'int64', dims: [c.reps.length], data: c.reps });
    b.node('Tile', ['x', r], {}, ['y']);
    b.output('y', c.dims.map((d, i) => d * c.reps[i]), dtype);
    await checkAgainstReference(b.build(), { x: dtype === 'float32' ? f32(c.dims, 60) : tensorOf(dtype, c.dims, 60) });
  }
});

test('Tile rejects repeats of the wrong length; runtime repeats are bound from the feed', async () => {
  const wrong = new ModelBuilder(13);
  wrong.input('x', [2, 3]);
  const r = wrong.init('r', { dtype: 'int64', dims: [1], data: [2] });
  wrong.node('Tile', ['x', r], {}, ['y']);
  wrong.output('y', [2, 6]);
  await assert.rejects(InferenceSession.create(wrong.build()), ShapeError);
  const dyn = new ModelBuilder(13);
  dyn.input('x', [2, 3]);
  dyn.input('r', [2], 'int64');
  dyn.node('Tile', ['x', 'r'], {}, ['y']);
  dyn.output('y', [4, 3]);
  const x = new Tensor('float32', Float32Array.from({ length: 6 }, (_, i) => i), [2, 3]);
  for (const reps of [[2, 1], [1, 2]]) {
    await checkAgainstReference(dyn.build(), { x, r: new Tensor('int64', BigInt64Array.from(reps.map(BigInt)), [2]) });
  }
});
