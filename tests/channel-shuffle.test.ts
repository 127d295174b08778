// ShuffleNet's channel shuffle, Reshape -> Transpose -> Reshape, is one kernel: the Reshapes are
// views of their input buffer, so only the Transpose's strided copy dispatches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { checkAgainstReference } from './util/reference.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';

test('channel shuffle (groups 2 and 3) is a single dispatch and matches onnxruntime', async () => {
  for (const [c, groups] of [[12, 2], [12, 3]]) {
    const b = new ModelBuilder(13);
    b.input('x', [1, c, 5, 7]);
    b.init('s1', { dtype: 'int64', dims: [5], data: [1, groups, c / groups, 5, 7] });
    b.init('s2', { dtype: 'int64', dims: [4], data: [1, c, 5, 7] });
    b.node('Reshape', ['x', 's1'], {}, ['r']);
    b.node('Transpose', ['r'], { perm: [0, 2, 1, 3, 4] }, ['t']);
    b.node('Reshape', ['t', 's2'], {}, ['y']);
    b.output('y', [1, c, 5, 7]);
    const x = new Tensor('float32', randomFloats(c * 35, c + groups), [1, c, 5, 7]);
    await checkAgainstReference(b.build(), { x });
    const s = await InferenceSession.create(b.build());
    const p = (await s.run({ x }, { profile: true })).profile!;
    assert.deepEqual(p.dispatches.map((d) => d.op), ['Transpose']);
    await s.release();
  }
});
