// Activation ops against onnxruntime-node: every unary activation with default and explicit
// attributes, extreme inputs (overflow-prone exp/tanh), Clip in its attribute (opset < 11) and
// constant-input (opset >= 11) forms and on integers, PRelu broadcasting (and its opset < 7
// per-channel slope), and Softmax/LogSoftmax in both axis semantics with both kernel variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput, type TensorSpec } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { checkAgainstReference, runReference, assertClose, type Tolerance } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { runPasses } from '../../runtime/passes/index.js';
import { planGraph } from '../../runtime/gpu/plan.js';
import '../../runtime/ops/index.js';
import { DEFAULT_LIMITS } from '../../runtime/gpu/device.js';

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(size(dims), seed, lo, hi), dims);
const spec = (dims: number[], seed: number, lo = -1, hi = 1): TensorSpec => ({ dtype: 'float32', dims, data: randomFloats(size(dims), seed, lo, hi) });

/** y = op(x) on a [dims] float input; checks against the reference. */
async function checkUnary(op: string, attrs: Record<string, AttrInput>, x: Tensor, opts: { opset?: number; tol?: Tolerance } = {}): Promise<void> {
  const b = new ModelBuilder(opts.opset ?? 13);
  b.input('x', [...x.dims], x.type as TensorSpec['dtype']);
  b.node(op, ['x'], attrs, ['y']);
  b.output('y', [...x.dims], x.type as TensorSpec['dtype']);
  await checkAgainstReference(b.build(), { x }, opts.tol);
}

// Values that overflow exp(x) or exp(-x) in f32, and the saturated regions of every activation.
const EXTREMES = [-1000, -100, -88.5, -50, -20, -16.5, -15.9, -10, -3.2, -1e-3, 0, 1e-3, 2.9, 3.1, 9.5, 15.9, 16.5, 20, 50, 88.5, 100, 1000];

const UNARY: [string, Record<string, AttrInput>, number][] = [
  // [op, attributes, opset]
  ['Relu', {}, 14],
  ['LeakyRelu', {}, 16],
  ['LeakyRelu', { alpha: 0.2 }, 16],
  ['Elu', {}, 6],
  ['Elu', { alpha: 0.5 }, 6],
  ['Selu', {}, 6],
  ['Selu', { alpha: 1.5, gamma: 2.5 }, 6],
  ['Sigmoid', {}, 13],
  ['Tanh', {}, 13],
  ['HardSigmoid', {}, 6],
  ['HardSigmoid', { alpha: 0.3, beta: 0.4 }, 6],
  ['HardSwish', {}, 14],
  ['Softplus', {}, 1],
];

for (const [op, attrs, opset] of UNARY) {
  const label = `${op}${Object.keys(attrs).length ? ` ${JSON.stringify(attrs)}` : ''}`;
  test(`${label}: [2,3,5,7] over [-6, 6]`, async () => {
    await checkUnary(op, attrs, f32([2, 3, 5, 7], 11, -6, 6), { opset });
  });
}

for (const [op, attrs, opset] of UNARY) {
  if (Object.keys(attrs).length) continue;
  test(`${op}: extreme inputs stay finite and exact`, async () => {
    const x = new Tensor('float32', Float32Array.from(EXTREMES), [EXTREMES.length]);
    await checkUnary(op, attrs, x, { opset, tol: { rtol: 1e-3, atol: 1e-6 } });
  });
}

test('unary ops on a 0-D scalar, a 1-D vector and more elements than one workgroup', async () => {
  await checkUnary('Sigmoid', {}, new Tensor('float32', Float32Array.of(-0.75), []));
  await checkUnary('Tanh', {}, f32([1], 3, -3, 3));
  await checkUnary('Elu', { alpha: { float: 2 } }, f32([1001], 4, -4, 4), { opset: 6 });
});

test('Relu on int32 (opset 14)', async () => {
  const r = rng(5);
  const data = Int32Array.from({ length: 30 }, () => Math.floor((r() - 0.5) * 2000));
  await checkUnary('Relu', {}, new Tensor('int32', data, [5, 6]), { opset: 14 });
});

test('Clip opset 6: min/max attributes, one of them, none', async () => {
  const x = f32([2, 3, 4, 5], 6, -3, 3);
  await checkUnary('Clip', { min: -0.5, max: 1.25 }, x, { opset: 6 });
  await checkUnary('Clip', { min: { float: 0 } }, x, { opset: 6 });
  await checkUnary('Clip', { max: 0.75 }, x, { opset: 6 });
  await checkUnary('Clip', {}, x, { opset: 6 });
});

/** Clip with optional min/max inputs (initializers); undefined: omitted. */
function clipModel(opset: number, min: number | undefined, max: number | undefined, dims: number[], dtype: 'float32' | 'int32' | 'int64' = 'float32'): Uint8Array {
  const b = new ModelBuilder(opset);
  b.input('x', dims, dtype);
  const inputs = ['x', '', ''];
  if (min !== undefined) inputs[1] = b.init('min', { dtype, dims: [], data: [min] });
  if (max !== undefined) inputs[2] = b.init('max', { dtype, dims: [], data: [max] });
  while (inputs[inputs.length - 1] === '') inputs.pop();
  b.node('Clip', inputs, {}, ['y']);
  b.output('y', dims, dtype);
  return b.build();
}

test('Clip opset 11/13: constant min/max inputs, each optional', async () => {
  const x = f32([3, 7, 5], 7, -2, 2);
  for (const opset of [11, 13]) {
    await checkAgainstReference(clipModel(opset, -0.3, 0.6, [3, 7, 5]), { x });
    await checkAgainstReference(clipModel(opset, -0.3, undefined, [3, 7, 5]), { x });
    await checkAgainstReference(clipModel(opset, undefined, 0.6, [3, 7, 5]), { x });
    await checkAgainstReference(clipModel(opset, undefined, undefined, [3, 7, 5]), { x });
  }
  // min > max: every element becomes max.
  await checkAgainstReference(clipModel(13, 0.5, -0.5, [3, 7, 5]), { x });
});

test('Clip on int32 and int64 (opset 13), bounds absent or given', async () => {
  const r = rng(8);
  const vals = Array.from({ length: 24 }, () => Math.floor((r() - 0.5) * 200));
  await checkAgainstReference(clipModel(13, -20, 35, [4, 6], 'int32'), { x: new Tensor('int32', Int32Array.from(vals), [4, 6]) });
  await checkAgainstReference(clipModel(13, undefined, 10, [4, 6], 'int64'), { x: new Tensor('int64', BigInt64Array.from(vals.map(BigInt)), [4, 6]) });
  await checkAgainstReference(clipModel(13, -7, undefined, [4, 6], 'int64'), { x: new Tensor('int64', BigInt64Array.from(vals.map(BigInt)), [4, 6]) });
});

test('Clip with a runtime min is bound from the feed and recompiled when it changes', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3]);
  b.input('lo', []);
  b.node('Clip', ['x', 'lo'], {}, ['y']);
  b.output('y', [2, 3]);
  const model = b.build();
  const x = f32([2, 3], 1);
  for (const lo of [0, 0.25, 0]) await checkAgainstReference(model, { x, lo: new Tensor('float32', Float32Array.of(lo), []) });
  const s = await InferenceSession.create(model);
  for (const lo of [0, 0.25]) {
    const out = await s.run({ x, lo: new Tensor('float32', Float32Array.of(lo), []) });
    assert.deepEqual([...out.y.data], [...(x.data as Float32Array)].map((v) => Math.max(v, lo)));
  }
  await s.release();
});

/** PRelu with the slope as an initializer (or a graph input). */
function preluModel(opset: number, xDims: number[], slopeDims: number[], slopeConst: boolean, seed = 9): { model: Uint8Array; slope: Tensor } {
  const b = new ModelBuilder(opset);
  b.input('x', xDims);
  const slope = f32(slopeDims, seed, -0.5, 0.5);
  if (slopeConst) b.init('slope', { dtype: 'float32', dims: slopeDims, data: slope.data as Float32Array });
  else b.input('slope', slopeDims);
  b.node('PRelu', ['x', 'slope'], {}, ['y']);
  b.output('y', xDims);
  return { model: b.build(), slope };
}

test('PRelu: per-channel, per-column, scalar and full slopes, constant or not', async () => {
  const xDims = [2, 3, 5, 7];
  const x = f32(xDims, 10);
  for (const [slopeDims, opset] of [[[3, 1, 1], 9], [[7], 9], [[1], 16], [[5, 7], 16], [[2, 3, 5, 7], 7]] as [number[], number][]) {
    await checkAgainstReference(preluModel(opset, xDims, slopeDims, true).model, { x });
    const { model, slope } = preluModel(opset, xDims, slopeDims, false);
    await checkAgainstReference(model, { x, slope });
  }
});

test('PRelu opset 6: a [C] slope is per channel (matches opset 9 with a [C,1,1] slope)', async () => {
  const xDims = [2, 4, 3, 5];
  const x = f32(xDims, 12);
  const legacy = preluModel(6, xDims, [4], true, 13).model;
  const modern = preluModel(9, xDims, [4, 1, 1], true, 13).model;
  const s = await InferenceSession.create(legacy);
  try {
    const got = await s.run({ x });
    const want = await runReference(modern, { x });
    assertClose(got.y.data as Float32Array, want.y.data as Float32Array);
  } finally {
    await s.release();
  }
});

test('PRelu rejects a slope that does not broadcast to X alone', async () => {
  const { model } = preluModel(9, [3, 1], [3, 4], true);
  await assert.rejects(InferenceSession.create(model), ShapeError);
});

interface SoftmaxCase {
  dims: number[];
  axis?: number;
  opset: number;
  scale?: number;
}

const SOFTMAX_CASES: SoftmaxCase[] = [
  { dims: [2, 3, 4, 5], opset: 13 }, // default axis -1, short rows
  { dims: [2, 3, 4, 5], axis: 1, opset: 13 }, // strided rows (inner = 20)
  { dims: [2, 3, 4, 5], axis: -3, opset: 13 },
  { dims: [3, 300], opset: 13 }, // rows longer than a workgroup
  { dims: [5, 70, 3], axis: 1, opset: 13 }, // long strided rows
  { dims: [2, 3, 4, 5], opset: 11 }, // default axis 1: coerced to [2, 60]
  { dims: [2, 3, 4, 5], axis: 2, opset: 11 }, // coerced to [6, 20]
  { dims: [2, 3, 4, 5], axis: -1, opset: 11 },
  { dims: [4, 10], axis: 0, opset: 11 }, // one row of 40
  { dims: [6, 9], opset: 1 },
  { dims: [17], axis: 0, opset: 13 }, // 1-D
  { dims: [3, 130], opset: 13, scale: 200 }, // large logits: needs the max subtraction
];

for (const op of ['Softmax', 'LogSoftmax']) {
  for (const c of SOFTMAX_CASES) {
    test(`${op} opset ${c.opset} [${c.dims}] axis ${c.axis ?? 'default'}${c.scale ? ` x${c.scale}` : ''}: both kernel variants`, async () => {
      const b = new ModelBuilder(c.opset);
      b.input('x', c.dims);
      b.node(op, ['x'], c.axis === undefined ? {} : { axis: c.axis }, ['y']);
      b.output('y', c.dims);
      const s = c.scale ?? 4;
      const feeds = { x: f32(c.dims, 14, -s, s) };
      // LogSoftmax of large logits is large in magnitude: relative tolerance covers it.
      for (const forceAlgorithm of ['softmax-workgroup', 'softmax-thread', undefined]) {
        await checkAgainstReference(b.build(), feeds, { rtol: 1e-4, atol: 1e-5 }, { forceAlgorithm });
      }
    });
  }
}

/** The planner's dispatch variants for a model (no device needed). */
export async function planVariants(model: Uint8Array): Promise<string[]> {
  const g = runPasses(await decodeModel(model), { verify: true });
  return planGraph(g, LIMITS).dispatches.map((d) => d.variant);
}

const LIMITS = DEFAULT_LIMITS;

test('Softmax picks a workgroup per row for long rows and a thread per row for short ones', async () => {
  for (const [dims, variant] of [[[2, 200], 'Softmax-workgroup'], [[50, 10], 'Softmax-thread']] as [number[], string][]) {
    const b = new ModelBuilder(13);
    b.input('x', dims);
    b.node('Softmax', ['x'], {}, ['y']);
    b.output('y', dims);
    assert.deepEqual(await planVariants(b.build()), [variant]);
  }
});

test('Softmax rejects an axis out of range', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3]);
  b.node('Softmax', ['x'], { axis: 2 }, ['y']);
  b.output('y', [2, 3]);
  await assert.rejects(InferenceSession.create(b.build()), ShapeError);
});

test('constant inputs fold on the host (no dispatch) and match the reference', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 4]);
  const c = b.init('c', spec([2, 4], 15, -3, 3));
  const [t] = b.node('Tanh', [c]);
  const [h] = b.node('HardSigmoid', [t], { alpha: 0.7 });
  const [l] = b.node('LeakyRelu', [h], { alpha: 0.1 });
  b.node('Add', ['x', l], {}, ['y']);
  b.output('y', [2, 4]);
  const model = b.build();
  await checkAgainstReference(model, { x: f32([2, 4], 16) });
  const s = await InferenceSession.create(model);
  assert.equal((await s.stats()).dispatches, 1);
  await s.release();
});
