// float16 models against onnxruntime-node (CPU): float16 feeds and outputs, Casts at the
// boundaries (onnxconverter-common's keep_io_types form), float16 initializers, and both storage
// paths on one adapter: f16 storage where the device has 'shader-f16' (lavapipe here), float16
// packed two per word (p16: `shaderF16: false`, the path of SwiftShader and devices without it),
// and float16 values widened to f32 (`shaderF16: false, packedF16: false`).
// Tolerances: onnxruntime computes float16 ops in float32 and rounds each result to float16
// (it casts around ops that lack f16 kernels), as Fovea's f16 path does; Fovea's f32-storage
// path rounds only at Casts. One float16 rounding is 2^-11 relative (4.9e-4), so elementwise
// chains are compared at rtol 2e-3 (a few roundings), atol 1e-3 near zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../util/onnx-builder.js';
import { randomFloats } from '../util/rng.js';
import { assertClose, checkAgainstReference, runReference, valuesOf } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { InputError, UnsupportedOpError } from '../../runtime/errors.js';
import { floatToHalf, roundToHalf } from '../../runtime/ir/half.js';
import { getOp, registerOp, registeredOps } from '../../runtime/ops/registry.js';
import '../../runtime/ops/index.js';

const F16_TOL = { rtol: 2e-3, atol: 1e-3 };
/** The storage paths: session options, the test-name tag, the variant-label tag (none: f32). */
const STORAGE = [
  { opts: { shaderF16: true }, tag: 'f16 storage', half: 'f16' },
  { opts: { shaderF16: false }, tag: 'p16 storage', half: 'p16' },
  { opts: { shaderF16: false, packedF16: false }, tag: 'f32 storage', half: undefined },
] as const;
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f16 = (dims: number[], seed: number, lo = -2, hi = 2) => new Tensor('float16', Array.from(randomFloats(size(dims), seed, lo, hi)), dims);
const f32 = (dims: number[], seed: number, lo = -2, hi = 2) => new Tensor('float32', randomFloats(size(dims), seed, lo, hi), dims);

test('Tensor float16: numbers are values (rounded), typed data is bits', () => {
  const t = new Tensor('float16', [1, 0.1, -65504, 1e6], [4]);
  assert.ok(t.data instanceof Uint16Array || t.data.constructor.name === 'Float16Array');
  assert.deepEqual(Array.from(valuesOf('float16', t.data)), [1, roundToHalf(0.1), -65504, Infinity]);
  const bits = new Uint16Array([0x3c00, 0xc000]);
  assert.deepEqual(Array.from(valuesOf('float16', new Tensor('float16', bits, [2]).data)), [1, -2]);
  assert.throws(() => new Tensor('float16', new Float32Array(2), [2]), InputError);
});

for (const { opts, tag, half } of STORAGE) {
  test(`float16 I/O: elementwise chain with a float16 initializer (${tag})`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [2, 3, 8], 'float16');
    b.init('w', { dtype: 'float16', dims: [3, 1], data: [0.5, -1.25, 3] });
    b.node('Mul', ['x', 'w'], {}, ['m']);
    b.node('Relu', ['m'], {}, ['r']);
    b.node('Sigmoid', ['r'], {}, ['s']);
    b.node('Add', ['s', 'x'], {}, ['y']);
    b.output('y', [2, 3, 8], 'float16');
    const kernels = await checkAgainstReference(b.build(), { x: f16([2, 3, 8], 1) }, F16_TOL, opts);
    assert.ok(kernels.every((k) => (half ? k.includes(half) : !/[fp]16/.test(k))), kernels.join());
  });

  test(`keep_io_types: Cast f32->f16 after the input, Cast f16->f32 before the output (${tag})`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [4, 16]);
    b.node('Cast', ['x'], { to: 10 }, ['xh']);
    b.init('c', { dtype: 'float16', dims: [16], data: Array.from(randomFloats(16, 3, -1, 1)) });
    b.node('Sub', ['xh', 'c'], {}, ['d']);
    b.node('Tanh', ['d'], {}, ['t']);
    b.node('Cast', ['t'], { to: 1 }, ['y']);
    b.output('y', [4, 16]);
    const model = b.build();
    const kernels = await checkAgainstReference(model, { x: f32([4, 16], 2) }, F16_TOL, opts);
    // The boundary Casts are part of the upload and the readback (absorb-boundary-casts).
    assert.deepEqual(kernels, half ? [`Sub-${half}-broadcast`, `Tanh-${half}`] : ['Sub-broadcast', 'Tanh']);
    // GPU-resident feeds and outputs keep the declared float32 type too.
    const s = await InferenceSession.create(model, opts);
    const x = f32([4, 16], 2);
    const host = await s.run({ x });
    const dev = (s as unknown as { device: GPUDevice }).device;
    const buf = dev.createBuffer({ size: 4 * 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    dev.queue.writeBuffer(buf, 0, (x.data as Float32Array).buffer);
    const gpu = await s.run({ x: Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: [4, 16] }) }, { outputLocation: 'gpu-buffer' });
    assert.equal(gpu.y.type, 'float32');
    assert.deepEqual(Array.from((await gpu.y.getData()) as Float32Array), Array.from(host.y.data as Float32Array));
    gpu.y.dispose();
    buf.destroy();
    await s.release();
  });

  test(`Cast to float16 rounds to nearest even and overflows to Infinity; back to int and bool (${tag})`, async () => {
    const vals = [0, -0, 1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, 65504, 65519, 65520, -70000, 1e30, 2 ** -24, 2 ** -26, 3.7, -3.7, 1e-8];
    const b = new ModelBuilder(13);
    b.input('x', [vals.length]);
    b.node('Cast', ['x'], { to: 10 }, ['h']);
    b.node('Cast', ['h'], { to: 1 }, ['y']);
    b.node('Cast', ['h'], { to: 6 }, ['i']);
    b.node('Cast', ['h'], { to: 9 }, ['z']);
    b.output('y', [vals.length]);
    b.output('h', [vals.length], 'float16');
    b.output('i', [vals.length], 'int32');
    b.output('z', [vals.length], 'bool');
    const model = b.build();
    const x = new Tensor('float32', Float32Array.from(vals), [vals.length]);
    const s = await InferenceSession.create(model, opts);
    const got = await s.run({ x });
    await s.release();
    const want = await runReference(model, { x });
    assert.deepEqual(Array.from(got.y.data as Float32Array), Array.from(want.y.data as Float32Array));
    assert.deepEqual(Array.from(valuesOf('float16', got.h.data as Uint16Array)), Array.from(valuesOf('float16', want.h.data as Uint16Array)));
    assert.deepEqual(Array.from(got.h.data as Uint16Array).slice(0, 3), vals.slice(0, 3).map(floatToHalf));
    // ±Infinity -> int32 is out of range (C leaves it undefined); compare the finite ones.
    const finite = vals.map((v, i) => [v, i] as const).filter(([v]) => Math.abs(v) < 65520).map(([, i]) => i);
    assert.deepEqual(finite.map((i) => (got.i.data as Int32Array)[i]), finite.map((i) => Number((want.i.data as Int32Array)[i])));
    assert.deepEqual(Array.from(got.z.data as Uint8Array), Array.from(want.z.data as Uint8Array).map(Number));
  });
}

for (const { opts, tag, half } of STORAGE) {
  test(`float16 data movement (Transpose, Slice, Concat copy, Pad, Gather, Where, Expand, Split, Tile) and Softmax (${tag})`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [2, 3, 5], 'float16');
    const [t] = b.node('Transpose', ['x'], { perm: [0, 2, 1] }); // [2, 5, 3]
    b.init('st', { dtype: 'int64', dims: [1], data: [1] });
    b.init('en', { dtype: 'int64', dims: [1], data: [4] });
    b.init('ax', { dtype: 'int64', dims: [1], data: [1] });
    const [sl] = b.node('Slice', [t, 'st', 'en', 'ax']); // [2, 3, 3]
    const [c] = b.node('Concat', [sl, sl], { axis: 2 }); // [2, 3, 6], batch 2: copied, not elided
    b.init('pads', { dtype: 'int64', dims: [6], data: [0, 1, 0, 0, 0, 1] });
    b.init('pv', { dtype: 'float16', dims: [], data: [0.75] });
    const [p] = b.node('Pad', [c, 'pads', 'pv']); // [2, 4, 7]
    b.init('gi', { dtype: 'int64', dims: [3], data: [3, 0, -1] });
    const [g] = b.node('Gather', [p, 'gi'], { axis: 2 }); // [2, 4, 3]
    b.init('cond', { dtype: 'bool', dims: [1, 4, 1], data: [1, 0, 1, 0] });
    b.init('other', { dtype: 'float16', dims: [1], data: [-2] });
    const [w] = b.node('Where', ['cond', g, 'other']);
    b.init('shape', { dtype: 'int64', dims: [3], data: [2, 4, 6] });
    const [e] = b.node('Expand', [w, 'shape'].map((v, i) => (i === 1 ? 'shape2' : v)));
    b.init('shape2', { dtype: 'int64', dims: [3], data: [2, 4, 3] });
    b.init('reps', { dtype: 'int64', dims: [3], data: [1, 1, 2] });
    const [tl] = b.node('Tile', [e, 'reps']); // [2, 4, 6]
    b.init('sp', { dtype: 'int64', dims: [2], data: [2, 4] });
    const [s0, s1] = b.node('Split', [tl, 'sp'], { axis: 2 }, 2);
    const [m] = b.node('Softmax', [s1], { axis: -1 });
    b.node('Concat', [s0, m], { axis: 2 }, ['y']);
    b.output('y', [2, 4, 6], 'float16');
    const kernels = await checkAgainstReference(b.build(), { x: f16([2, 3, 5], 11) }, F16_TOL, opts);
    if (half) assert.ok(kernels.filter((k) => k.endsWith(half)).length >= 8, kernels.join());

    // float16 GPU-resident feeds and outputs: f16 and p16 storage hold the same bits, so the
    // buffer is bound as it is; f32 storage cannot take one (a typed error).
    const s = await InferenceSession.create(b.build(), opts);
    const x = f16([2, 3, 5], 11);
    const host = await s.run({ x });
    const dev = (s as unknown as { device: GPUDevice }).device;
    const bits = x.data as Uint16Array;
    const buf = dev.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    dev.queue.writeBuffer(buf, 0, bits.buffer, bits.byteOffset, 60);
    const feed = { x: Tensor.fromGpuBuffer(buf, { dataType: 'float16', dims: [2, 3, 5] }) };
    if (half) {
      const gpu = await s.run(feed, { outputLocation: 'gpu-buffer' });
      assert.equal(gpu.y.type, 'float16');
      assert.deepEqual(Array.from((await gpu.y.getData()) as Uint16Array), Array.from(host.y.data as Uint16Array));
      gpu.y.dispose();
    } else {
      await assert.rejects(s.run(feed), InputError);
    }
    buf.destroy();
    await s.release();
  });
}

test('a float32 feed for a float16 input is an InputError naming both types', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [4], 'float16');
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [4], 'float16');
  const s = await InferenceSession.create(b.build());
  await assert.rejects(s.run({ x: f32([4], 1) }), (e: Error) => e instanceof InputError && /float16/.test(e.message) && /float32/.test(e.message));
  await s.release();
});

test("precision 'float16' runs a float32 model in float16 (f16 kernels, half the weight bytes); 'float32' runs a float16 model in float32", async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 64]);
  b.init('w', { dtype: 'float32', dims: [64], data: randomFloats(64, 9, -1, 1) });
  b.node('Mul', ['x', 'w'], {}, ['m']);
  b.node('Constant', [], { value_float: { float: 0.25 } }, ['q']);
  b.node('Add', ['m', 'q'], {}, ['a']);
  b.node('Sigmoid', ['a'], {}, ['y']);
  b.output('y', [2, 64]);
  const model = b.build();
  const x = f32([2, 64], 4);
  const want = await runReference(model, { x });
  const stats = [];
  for (const precision of ['float32', 'float16'] as const) {
    const s = await InferenceSession.create(model, { precision });
    const got = await s.run({ x });
    assert.equal(got.y.type, 'float32', 'outputs keep the declared type');
    stats.push(await s.stats());
    await s.release();
    const tol = precision === 'float16' ? F16_TOL : { rtol: 1e-6, atol: 1e-7 };
    assertClose(got.y.data as Float32Array, want.y.data as Float32Array, tol, `y (${precision})`);
  }
  assert.ok(stats[1].kernels.some((k) => k.variant.endsWith('-f16')), stats[1].kernels.map((k) => k.variant).join());
  assert.ok(stats[1].weightBytes < stats[0].weightBytes, `${stats[1].weightBytes} < ${stats[0].weightBytes}`);

  // A float16 model in float32: the interface stays float16, the math is float32's.
  const h = new ModelBuilder(13);
  h.input('x', [2, 64], 'float16');
  h.init('w', { dtype: 'float16', dims: [64], data: randomFloats(64, 9, -1, 1) });
  h.node('Mul', ['x', 'w'], {}, ['m']);
  h.node('Sigmoid', ['m'], {}, ['y']);
  h.output('y', [2, 64], 'float16');
  const xh = f16([2, 64], 4);
  const s = await InferenceSession.create(h.build(), { precision: 'float32' });
  const got = await s.run({ x: xh });
  assert.ok((await s.stats()).kernels.every((k) => !k.variant.endsWith('-f16') || k.op === 'Cast'));
  await s.release();
  assert.equal(got.y.type, 'float16');
  const wantH = await runReference(h.build(), { x: xh });
  assertClose(valuesOf('float16', got.y.data as Uint16Array), valuesOf('float16', wantH.y.data as Uint16Array), F16_TOL, 'y');
  await assert.rejects(InferenceSession.create(model, { precision: 'int4' as 'auto' }), InputError);
});

test('every op that takes float values has an f16 kernel; an op without one refuses f16-stored values with a typed error naming it, and runs on the f32-storage path', async () => {
  // The ops left without a float16 kernel are exactly those whose data is never float16 (integer
  // and bool ops, float32-only scales): a new float op without one fails here.
  const missing = registeredOps().filter((k) => {
    const [d, t] = k.includes('::') ? k.split('::') : ['', k];
    const op = getOp(d, t);
    return op?.gpu && !op.float16;
  });
  const int8 = ['QGemm', 'QLinearAdd', 'QLinearAveragePool', 'QLinearConcat', 'QLinearGlobalAveragePool', 'QLinearLeakyRelu', 'QLinearMul', 'QLinearSigmoid'];
  assert.deepEqual(missing, ['ConvInteger', 'DynamicQuantizeLinear', 'MatMulInteger', 'Not', 'QLinearConv', 'QLinearMatMul', ...int8.map((o) => `com.microsoft::${o}`)].sort());
  // The planner's refusal, on a test-only float op registered without one.
  if (!getOp('test.fovea', 'NoHalfNeg')) registerOp({ ...getOp('', 'Neg')!, opType: 'NoHalfNeg', domain: 'test.fovea', float16: false });
  const b = new ModelBuilder(13);
  b.input('x', [2, 8], 'float16');
  b.node('NoHalfNeg', ['x'], {}, ['y'], 'test.fovea');
  b.output('y', [2, 8], 'float16');
  const model = b.build();
  await assert.rejects(InferenceSession.create(model, { shaderF16: true }), (e: Error) => e instanceof UnsupportedOpError && /NoHalfNeg/.test(e.message) && /float16/.test((e as UnsupportedOpError).hint ?? ''));
  const s = await InferenceSession.create(model, { shaderF16: false });
  const x = f16([2, 8], 5);
  const y = (await s.run({ x })).y;
  await s.release();
  assert.deepEqual(Array.from(valuesOf('float16', y.data as Uint16Array)), Array.from(valuesOf('float16', x.data as Uint16Array)).map((v) => -v));
});
