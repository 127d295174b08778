// GPU resources: every buffer a session makes is destroyed on release() and on every failure
// path, runs allocate nothing that outlives them, and outputs kept on the GPU belong to the
// caller until dispose(). Buffers are counted by wrapping GPUDevice.prototype.createBuffer and
// GPUBuffer.prototype.destroy (tests/util/gpu-buffers.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { trackBuffers, type BufferTracker } from './util/gpu-buffers.js';
import { nodeGpuProvider } from '../runtime/gpu/node-gpu.js';
import { acquireDevice, FoveaError, InferenceSession, InputError, LimitError, SessionError, ShapeError, Tensor } from '../runtime/index.node.js';

let tracker: BufferTracker;
before(async () => {
  tracker = await trackBuffers();
});
after(() => tracker.stop());

const f32 = (dims: number[], seed: number) => ({ dtype: 'float32' as const, dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed) });
const input = (dims: number[], seed: number) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed), dims);

/** Conv -> Relu -> MaxPool -> Reshape -> Gemm -> Softmax: activations, weights, shared buffers. */
function smallCnn(): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 6, 6]);
  b.init('w', f32([4, 2, 3, 3], 1));
  b.init('cb', f32([4], 2));
  const [c] = b.node('Conv', ['x', 'w', 'cb'], { pads: [1, 1, 1, 1] });
  const [r] = b.node('Relu', [c]);
  const [p] = b.node('MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] });
  b.init('shape', { dtype: 'int64', dims: [2], data: [1, -1] });
  const [f] = b.node('Reshape', [p, 'shape']);
  b.init('fw', f32([5, 36], 3));
  const [g] = b.node('Gemm', [f, 'fw'], { transB: 1 });
  b.node('Softmax', [g], {}, ['y']);
  b.output('y', [1, 5]);
  return b.build();
}

function relu(dims: number[]): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', dims);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', dims);
  return b.build();
}

/** Live buffers that were made after `since` (a snapshot of the live set). */
function madeSince(since: Set<GPUBuffer>): GPUBuffer[] {
  return [...tracker.live].filter((b) => !since.has(b));
}
const labels = (bs: GPUBuffer[]) => bs.map((b) => b.label).join(', ');

test('release() destroys every buffer the session made (weights, activations, uniforms, staging, reads)', async () => {
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(smallCnn(), { keepValues: ['relu1_0'] });
  const made = madeSince(base);
  assert.ok(made.length >= 4, `the session made its buffers at create (${labels(made)})`);
  await s.run({ x: input([1, 2, 6, 6], 4) });
  await s.fetchValue('relu1_0'); // a temporary read-back buffer
  assert.equal(madeSince(base).length, made.length, `run and fetchValue leave nothing behind: ${labels(madeSince(base))}`);
  await s.release();
  assert.deepEqual(labels(madeSince(base)), '', 'after release() no buffer of the session is alive');
});

test('1000 consecutive runs keep the live buffer count and bytes flat', async () => {
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(smallCnn());
  const x = input([1, 2, 6, 6], 5);
  const first = await s.run({ x });
  const count = tracker.live.size;
  const bytes = tracker.liveBytes();
  const created = tracker.created();
  let last = first;
  for (let i = 0; i < 1000; i++) last = await s.run({ x });
  assert.equal(tracker.live.size, count, 'live buffers after 1000 runs');
  assert.equal(tracker.liveBytes(), bytes, 'live bytes after 1000 runs');
  assert.equal(tracker.created() - created, 0, 'a run creates no buffer (one staging buffer is reused)');
  assert.deepEqual([...(last.y.data as Float32Array)], [...(first.y.data as Float32Array)]);
  await s.release();
  assert.equal(madeSince(base).length, 0);
});

test('outputs kept on the GPU are the caller\'s: one buffer per output per run, destroyed by dispose()', async () => {
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(relu([2, 8]));
  const afterCreate = tracker.live.size;
  const outs: Tensor[] = [];
  for (let i = 0; i < 10; i++) outs.push((await s.run({ x: input([2, 8], i) }, { outputLocation: 'gpu-buffer' })).y);
  assert.equal(tracker.live.size, afterCreate + 10);
  await outs[0].getData(); // its download buffer is temporary
  assert.equal(tracker.live.size, afterCreate + 10);
  for (const t of outs) t.dispose();
  assert.equal(tracker.live.size, afterCreate);
  await s.release();
  assert.equal(madeSince(base).length, 0);
});

test('profiled runs destroy their query and read-back buffers', async () => {
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(smallCnn());
  const afterCreate = tracker.live.size;
  for (let i = 0; i < 3; i++) await s.run({ x: input([1, 2, 6, 6], 6) }, { profile: true });
  assert.equal(tracker.live.size, afterCreate);
  await s.release();
  assert.equal(madeSince(base).length, 0);
});

test('a session recompiled for new shape-deciding values frees the previous compilation', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 6]);
  b.input('shape', [2], 'int64');
  b.node('Reshape', ['x', 'shape'], {}, ['r']);
  b.node('Relu', ['r'], {}, ['y']);
  b.output('y');
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(b.build());
  const x = input([2, 6], 7);
  const live: number[] = [];
  for (const shape of [[3, 4], [4, 3], [6, 2], [3, 4]]) {
    const out = await s.run({ x, shape: new Tensor('int64', shape, [2]) });
    assert.deepEqual(out.y.dims, shape);
    live.push(madeSince(base).length);
  }
  assert.ok(live.every((n) => n === live[0]), `live buffers after each recompilation: ${live.join(', ')}`);
  await s.release();
  assert.equal(madeSince(base).length, 0);
});

test('release() while runs are queued: they settle, then everything is destroyed', async () => {
  const base = new Set(tracker.live);
  const s = await InferenceSession.create(smallCnn());
  const runs = Array.from({ length: 4 }, (_, i) => s.run({ x: input([1, 2, 6, 6], 10 + i) }).then(
    () => 'ok',
    (e) => (e instanceof SessionError ? 'released' : `untyped ${e}`),
  ));
  const released = s.release();
  const outcomes = await Promise.all(runs);
  await released;
  assert.ok(outcomes.every((o) => o === 'ok' || o === 'released'), outcomes.join(', '));
  assert.equal(madeSince(base).length, 0, labels(madeSince(base)));
  await assert.rejects(s.run({ x: input([1, 2, 6, 6], 1) }), SessionError);
});

test('a failure after buffers were allocated destroys them (pipeline creation, bind groups, allocation)', async () => {
  // A device of our own: its pipeline cache is empty, so pipelines are really created on it.
  const { gpu } = await nodeGpuProvider.gpu();
  const adapter = await gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  try {
    const base = new Set(tracker.live);
    const own = device as unknown as Record<string, unknown>;
    own.createComputePipelineAsync = () => Promise.reject(new Error('injected pipeline failure'));
    const e1 = await InferenceSession.create(smallCnn(), { device }).catch((e) => e);
    assert.ok(e1 instanceof FoveaError, `typed: ${e1}`);
    assert.equal(madeSince(base).length, 0, `pipeline failure leaves nothing alive: ${labels(madeSince(base))}`);
    delete own.createComputePipelineAsync;

    own.createBindGroup = () => {
      throw new TypeError('injected bind group failure');
    };
    const e2 = await InferenceSession.create(smallCnn(), { device }).catch((e) => e);
    assert.ok(e2 instanceof FoveaError, `typed: ${e2}`);
    assert.equal(madeSince(base).length, 0, `bind group failure leaves nothing alive: ${labels(madeSince(base))}`);
    delete own.createBindGroup;

    // An allocation the device refuses is reported through error scopes, not thrown.
    const createBuffer = device.createBuffer;
    let calls = 0;
    own.createBuffer = (d: GPUBufferDescriptor) => createBuffer.call(device, calls++ === 1 ? { ...d, size: device.limits.maxBufferSize + 4, mappedAtCreation: false } : d);
    const e3 = await InferenceSession.create(smallCnn(), { device }).catch((e) => e);
    assert.ok(e3 instanceof LimitError, `typed: ${e3}`);
    assert.match(e3.message, /could not allocate/);
    assert.equal(madeSince(base).length, 0, `allocation failure leaves nothing alive: ${labels(madeSince(base))}`);
    delete own.createBuffer;

    const s = await InferenceSession.create(smallCnn(), { device });
    await s.run({ x: input([1, 2, 6, 6], 3) });
    await s.release();
    assert.equal(madeSince(base).length, 0);
  } finally {
    device.destroy();
  }
});

test('a model rejected while compiling makes no buffers', async () => {
  const base = new Set(tracker.live);
  const b = new ModelBuilder();
  b.input('x', [2, 3]);
  b.init('w', f32([4, 5], 1));
  b.node('MatMul', ['x', 'w'], {}, ['y']);
  b.output('y');
  await assert.rejects(InferenceSession.create(b.build()), ShapeError);
  assert.equal(madeSince(base).length, 0);
});

test('a GPU buffer feed that cannot be copied from is refused with InputError, not a silent validation error', async () => {
  const s = await InferenceSession.create(relu([4]));
  const { device } = await acquireDevice();
  const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  await assert.rejects(s.run({ x: Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: [4] }) }), InputError);
  buf.destroy();
  await s.release();
});
