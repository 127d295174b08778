// The memory planner: activations with disjoint lifetimes share buffers; results are unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { checkAgainstReference } from './util/reference.js';
import { InferenceSession, Tensor, SessionError } from '../runtime/index.node.js';

function chain(n: number): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', [1, 1000]);
  let cur = 'x';
  for (let i = 0; i < n; i++) cur = b.node(i % 2 ? 'Relu' : 'Neg', [cur], {}, [i === n - 1 ? 'y' : `v${i}`])[0];
  b.output('y', [1, 1000]);
  return b.build();
}

test('a chain ping-pongs between two shared buffers', async () => {
  const model = chain(10);
  const x = new Tensor('float32', randomFloats(1000, 3), [1, 1000]);
  await checkAgainstReference(model, { x });
  const s = await InferenceSession.create(model);
  const st = await s.stats();
  assert.equal(st.activationBytesNoReuse, 11 * 4000);
  assert.equal(st.activationBytes, 4 * 4000, 'input, output and two ping-pong buffers');
  const off = await InferenceSession.create(model, { memoryReuse: false });
  assert.equal((await off.stats()).activationBytes, 11 * 4000);
  const [a, b] = [await s.run({ x }), await off.run({ x })];
  assert.deepEqual(a.y.data, b.y.data);
  await s.release();
  await off.release();
});

test('a branchy graph (values read long after they are made) stays correct', async () => {
  const b = new ModelBuilder();
  b.input('x', [2, 3, 4]);
  const [a] = b.node('Neg', ['x']);
  const [c] = b.node('Relu', [a]);
  const [d] = b.node('Exp', [c]);
  const [e] = b.node('Add', [a, d]); // a is still live here
  const [f] = b.node('Mul', [e, c]);
  const [g] = b.node('Sub', [f, 'x']);
  b.node('Relu', [g], {}, ['y']);
  b.output('y', [2, 3, 4]);
  await checkAgainstReference(b.build(), { x: new Tensor('float32', randomFloats(24, 5), [2, 3, 4]) });
});

test('fetchValue needs keepValues for a shared intermediate', async () => {
  const model = chain(6);
  const x = new Tensor('float32', randomFloats(1000, 4), [1, 1000]);
  const s = await InferenceSession.create(model);
  await s.run({ x });
  await assert.rejects(s.fetchValue('v2'), (e: Error) => e instanceof SessionError && /keepValues/.test(e.message));
  await s.release();
  const k = await InferenceSession.create(model, { keepValues: ['v2'] });
  await k.run({ x });
  const v2 = await k.fetchValue('v2');
  // v2 = Neg(Relu(Neg(x))) = -relu(-x) = min(x, 0)
  assert.deepEqual([...(v2.data as Float32Array)].map((v) => v + 0), [...(x.data as Float32Array)].map((v) => Math.min(v, 0) + 0)); // +0 folds -0
  await k.release();
});
