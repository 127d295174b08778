// Device loss: when the session's GPUDevice is destroyed (or lost: driver reset, GPU removed),
// the next run — and a run already in flight — rejects with a typed SessionError instead of
// hanging or throwing a DOMException, release() still works, and a new session on a new device
// runs normally. Also for the shared device Fovea acquires itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { nodeGpuProvider } from '../runtime/gpu/node-gpu.js';
import { acquireDevice, InferenceSession, SessionError, Tensor } from '../runtime/index.node.js';

function model(): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', [1, 4]);
  b.node('Relu', ['x'], {}, ['r']);
  b.node('Neg', ['r'], {}, ['y']);
  b.output('y', [1, 4]);
  return b.build();
}
const x = new Tensor('float32', new Float32Array([1, -2, 3, -4]), [1, 4]);
const expected = [-1, -0, -3, -0];

/** A device of our own, requested the navigator.gpu way (requestAdapter -> requestDevice). */
async function newDevice(): Promise<GPUDevice> {
  const { gpu, adapterOptions } = await nodeGpuProvider.gpu();
  const adapter = await gpu.requestAdapter(adapterOptions);
  assert.ok(adapter, 'an adapter');
  return adapter.requestDevice();
}

/** Rejects if `p` does not settle within `ms`: a hang is a failure, not a slow test. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function assertSessionError(p: Promise<unknown>, what: string): Promise<SessionError> {
  const err = await within(p.then(() => undefined, (e: unknown) => e), 10000, what);
  assert.ok(err instanceof SessionError, `${what}: expected SessionError, got ${err === undefined ? 'success' : `${(err as Error).constructor.name}: ${(err as Error).message}`}`);
  return err;
}

test('after device.destroy() the next run rejects with SessionError; a new device works', async () => {
  const device = await newDevice();
  const s = await InferenceSession.create(model(), { device });
  assert.deepEqual([...((await s.run({ x })).y.data as Float32Array)], expected);
  device.destroy();
  const err = await assertSessionError(s.run({ x }), 'run after destroy');
  assert.match(err.message, /device was lost/);
  await assertSessionError(s.run({ x }), 'second run after destroy');
  await within(s.release(), 10000, 'release after loss');
  // Creating a session on the lost device is refused too.
  await assertSessionError(InferenceSession.create(model(), { device }), 'create on a lost device');

  const fresh = await newDevice();
  const s2 = await InferenceSession.create(model(), { device: fresh });
  assert.deepEqual([...((await s2.run({ x })).y.data as Float32Array)], expected);
  await s2.release();
  fresh.destroy();
});

test('runs in flight when the device is destroyed reject with SessionError (no hang, no DOMException)', async () => {
  const device = await newDevice();
  const s = await InferenceSession.create(model(), { device });
  const runs = [s.run({ x }), s.run({ x }), s.run({ x })];
  device.destroy();
  for (const [i, r] of runs.entries()) {
    // The first may have finished before the loss; none may fail any other way.
    const outcome = await within(r.then(() => 'ok', (e: unknown) => e), 10000, `run ${i}`);
    if (outcome !== 'ok') assert.ok(outcome instanceof SessionError, `run ${i}: ${(outcome as Error).constructor.name}: ${(outcome as Error).message}`);
  }
  await assertSessionError(s.run({ x }), 'run after the in-flight ones');
  await s.release();
});

test('a GPU-resident output read after the device is lost rejects with SessionError', async () => {
  const device = await newDevice();
  const s = await InferenceSession.create(model(), { device });
  const y = (await s.run({ x }, { outputLocation: 'gpu-buffer' })).y;
  device.destroy();
  await assertSessionError(y.getData(), 'getData after loss');
  y.dispose();
  await s.release();
});

test('losing the shared device: sessions on it fail typed, the next session acquires a new one', async () => {
  const s = await InferenceSession.create(model());
  const { device } = await acquireDevice();
  device.destroy();
  await assertSessionError(s.run({ x }), 'run on the lost shared device');
  await s.release();
  // acquireDevice() forgets a lost device once its `lost` promise settles.
  await device.lost;
  const s2 = await InferenceSession.create(model());
  assert.deepEqual([...((await s2.run({ x })).y.data as Float32Array)], expected);
  const { device: again } = await acquireDevice();
  assert.notEqual(again, device, 'a new shared device');
  await s2.release();
});
