// GPU-resident tensors: outputs kept on the GPU and fed to another session without a readback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { InferenceSession, Tensor, InputError } from '../runtime/index.node.js';

function unary(op: string, dims: number[]): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', dims);
  b.node(op, ['x'], {}, ['y']);
  b.output('y', dims);
  return b.build();
}

test('outputs stay on the GPU and chain into another session', async () => {
  const a = await InferenceSession.create(unary('Relu', [2, 5]));
  const b = await InferenceSession.create(unary('Neg', [2, 5]));
  const x = new Tensor('float32', randomFloats(10, 8), [2, 5]);
  const mid = (await a.run({ x }, { outputLocation: 'gpu-buffer' })).y;
  assert.equal(mid.location, 'gpu-buffer');
  assert.throws(() => mid.data, InputError);
  assert.deepEqual([...(await mid.getData())], [...(x.data as Float32Array)].map((v) => Math.max(v, 0)));
  const y = (await b.run({ x: mid })).y;
  assert.equal(y.location, 'cpu');
  assert.deepEqual([...(y.data as Float32Array)].map((v) => v + 0), [...(x.data as Float32Array)].map((v) => -Math.max(v, 0) + 0));
  // The output buffer belongs to the caller: a later run of `a` does not overwrite it.
  await a.run({ x: new Tensor('float32', new Float32Array(10), [2, 5]) }, { outputLocation: 'gpu-buffer' });
  assert.deepEqual([...(await mid.getData())], [...(x.data as Float32Array)].map((v) => Math.max(v, 0)));
  mid.dispose();
  await a.release();
  await b.release();
});

test('a feed can be a GPUBuffer the caller made on the session device', async () => {
  const s = await InferenceSession.create(unary('Relu', [4]));
  const { acquireDevice } = await import('../runtime/index.node.js');
  const { device } = await acquireDevice();
  const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, new Float32Array([-1, 2, -3, 4]));
  const t = Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: [4] });
  const out = await s.run({ x: t });
  assert.deepEqual([...out.y.data], [0, 2, 0, 4]);
  assert.throws(() => Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: [8] }), InputError);
  buf.destroy();
  await s.release();
});
