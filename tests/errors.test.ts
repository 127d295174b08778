// Bad input gives typed errors that say what was expected; nothing crashes or hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { InferenceSession, Tensor, ModelLoadError, UnsupportedOpError, InputError, SessionError } from '../runtime/index.node.js';

function reluModel(): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', [1, 4]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [1, 4]);
  return b.build();
}

test('a malformed file gives ModelLoadError', async () => {
  await assert.rejects(InferenceSession.create(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])), ModelLoadError);
  await assert.rejects(InferenceSession.create(new TextEncoder().encode('this is not a model')), ModelLoadError);
});

test('every truncation of a valid model gives a typed error or a valid model', async () => {
  const bytes = reluModel();
  for (let n = 0; n < bytes.length; n++) {
    try {
      const s = await InferenceSession.create(bytes.subarray(0, n));
      await s.release();
    } catch (e) {
      assert.ok(e instanceof Error && e.name.endsWith('Error') && 'hint' in e, `cut at ${n}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
});

test('a missing model file gives ModelLoadError', async () => {
  await assert.rejects(InferenceSession.create('/nonexistent/model.onnx'), ModelLoadError);
});

test('unknown ops are reported all at once, with node names, before GPU work', async () => {
  const b = new ModelBuilder();
  b.input('x', [1, 4]);
  b.node('FancyOp', ['x'], {}, ['a']);
  b.node('OtherOp', ['a'], {}, ['b']);
  b.node('FancyOp', ['b'], {}, ['y']);
  b.output('y', [1, 4]);
  const err = await InferenceSession.create(b.build()).catch((e) => e);
  assert.ok(err instanceof UnsupportedOpError, String(err));
  assert.equal(err.unsupported.length, 2);
  const fancy = err.unsupported.find((u: { op: string }) => u.op === 'FancyOp');
  assert.equal(fancy?.nodes.length, 2);
  assert.match(err.message, /FancyOp/);
  assert.match(err.message, /OtherOp/);
});

test('feeds with the wrong name, dtype or shape give InputError naming what was expected', async () => {
  const s = await InferenceSession.create(reluModel());
  const x = new Tensor('float32', new Float32Array(4), [1, 4]);
  await assert.rejects(s.run({ nope: x }), (e: Error) => e instanceof InputError && /unknown input "nope"/.test(e.message) && /x/.test(e.message));
  await assert.rejects(s.run({}), (e: Error) => e instanceof InputError && /missing input "x"/.test(e.message));
  await assert.rejects(s.run({ x: new Tensor('int32', new Int32Array(4), [1, 4]) }), (e: Error) => e instanceof InputError && /float32/.test(e.message));
  await assert.rejects(s.run({ x: new Tensor('float32', new Float32Array(8), [2, 4]) }), (e: Error) => e instanceof InputError && /\[1,4\]/.test(e.message));
  // The session still works after rejected feeds.
  const out = await s.run({ x: new Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 4]) });
  assert.deepEqual([...out.y.data], [0, 2, 0, 4]);
  await s.release();
  await assert.rejects(s.run({ x }), SessionError);
});

test('Tensor validates its data and dims', () => {
  assert.throws(() => new Tensor('float32', new Float32Array(3), [2, 2]), InputError);
  assert.throws(() => new Tensor('float32', new Int32Array(4) as unknown as Float32Array, [2, 2]), InputError);
  assert.deepEqual(new Tensor('int64', [1, 2, 3]).data, BigInt64Array.from([1n, 2n, 3n]));
});

test('concurrent runs on one session are queued and each result is correct', async () => {
  const s = await InferenceSession.create(reluModel());
  const runs = Array.from({ length: 8 }, (_, i) =>
    s.run({ x: new Tensor('float32', new Float32Array([i, -i, i + 1, -(i + 1)]), [1, 4]) }),
  );
  const outs = await Promise.all(runs);
  outs.forEach((o, i) => assert.deepEqual([...o.y.data], [i, 0, i + 1, 0]));
  await s.release();
});
