import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { checkAgainstReference } from './util/reference.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';

test('Relu model matches onnxruntime-node', async () => {
  const b = new ModelBuilder();
  const x = b.input('x', [2, 3, 5, 7]);
  const [y] = b.node('Relu', [x], {}, ['y']);
  b.output(y, [2, 3, 5, 7]);
  await checkAgainstReference(b.build(), { x: new Tensor('float32', randomFloats(210, 1), [2, 3, 5, 7]) });
});

test('session exposes names and metadata, binds free dims from the first feed', async () => {
  const b = new ModelBuilder();
  b.input('x', ['batch', 4]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', ['batch', 4]);
  const s = await InferenceSession.create(b.build());
  assert.deepEqual(s.inputNames, ['x']);
  assert.deepEqual(s.outputNames, ['y']);
  assert.deepEqual(s.inputMetadata[0].dims, ['batch', 4]);
  const out = await s.run({ x: new Tensor('float32', new Float32Array([-1, 2, -3, 4, 5, -6, 7, -8]), [2, 4]) });
  assert.deepEqual([...out.y.data], [0, 2, 0, 4, 5, 0, 7, 0]);
  assert.deepEqual(out.y.dims, [2, 4]);
  await s.release();
});
