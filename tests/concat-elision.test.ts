// Concat elision: producers write straight into their slice of a channel Concat's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { checkAgainstReference } from './util/reference.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';

/** Two conv branches (c1, c2 output channels) concatenated on channels, then a Relu. */
function fire(batch: number, hw: number, c1: number, c2: number, extraConsumer = false): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [batch, 3, hw, hw]);
  b.init('w1', { dtype: 'float32', dims: [c1, 3, 1, 1], data: randomFloats(c1 * 3, 1) });
  b.init('w2', { dtype: 'float32', dims: [c2, 3, 3, 3], data: randomFloats(c2 * 27, 2) });
  b.node('Conv', ['x', 'w1'], {}, ['a']);
  b.node('Conv', ['x', 'w2'], { pads: [1, 1, 1, 1] }, ['c']);
  b.node('Concat', ['a', 'c'], { axis: 1 }, ['cat']);
  b.node('Relu', ['cat'], {}, ['y']);
  b.output('y', [batch, c1 + c2, hw, hw]);
  if (extraConsumer) {
    b.node('Sigmoid', ['a'], {}, ['s']);
    b.output('s', [batch, c1, hw, hw]);
  }
  return b.build();
}

/** Copy dispatches the Concat still makes (the profile names every dispatch's op). */
async function concatDispatches(model: Uint8Array, x: Tensor): Promise<number> {
  const s = await InferenceSession.create(model);
  const p = (await s.run({ x }, { profile: true })).profile!;
  await s.release();
  return p.dispatches.filter((d) => d.op === 'Concat').length;
}

test('batch 1 channel concat: no copy dispatch, same result', async () => {
  // 8x8 planes: a 16-channel slice is 16*64*4 = 4096 bytes, binding-aligned.
  const m = fire(1, 8, 16, 8);
  const x = new Tensor('float32', randomFloats(192, 3), [1, 3, 8, 8]);
  await checkAgainstReference(m, { x });
  assert.equal(await concatDispatches(m, x), 0);
});

test('another reader of a concat input reads its slice; unaligned slices are still copied', async () => {
  const m = fire(1, 8, 16, 8, true);
  const x = new Tensor('float32', randomFloats(192, 4), [1, 3, 8, 8]);
  await checkAgainstReference(m, { x });
  assert.equal(await concatDispatches(m, x), 0);
  // 5x5 planes with 3 channels first: the second slice starts at 300 bytes, not aligned.
  const u = fire(1, 5, 3, 4);
  const xu = new Tensor('float32', randomFloats(75, 5), [1, 3, 5, 5]);
  await checkAgainstReference(u, { x: xu });
  assert.equal(await concatDispatches(u, xu), 1, 'only the unaligned input is copied');
});

test('batch 2: slices are not contiguous, the concat copies', async () => {
  const m = fire(2, 8, 16, 8);
  const x = new Tensor('float32', randomFloats(384, 6), [2, 3, 8, 8]);
  await checkAgainstReference(m, { x });
  assert.equal(await concatDispatches(m, x), 2);
});

test('DenseNet-style block: every concat is a prefix of the last, no copies at all', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 4, 8, 8]);
  b.init('w0', { dtype: 'float32', dims: [16, 4, 1, 1], data: randomFloats(64, 20) });
  const [f0] = b.node('Conv', ['x', 'w0'], {}, ['f0']);
  let feats = [f0];
  for (let k = 1; k <= 3; k++) {
    const [cat] = b.node('Concat', [...feats], { axis: 1 }, [`cat${k}`]);
    const cin = 16 * k;
    b.init(`w${k}`, { dtype: 'float32', dims: [16, cin, 3, 3], data: randomFloats(16 * cin * 9, 20 + k) });
    const [r] = b.node('Relu', [cat]);
    const [f] = b.node('Conv', [r, `w${k}`], { pads: [1, 1, 1, 1] }, [`f${k}`]);
    feats = [...feats, f];
  }
  b.node('Concat', feats, { axis: 1 }, ['y']);
  b.output('y', [1, 64, 8, 8]);
  const m = b.build();
  const x = new Tensor('float32', randomFloats(256, 7), [1, 4, 8, 8]);
  await checkAgainstReference(m, { x });
  assert.equal(await concatDispatches(m, x), 0);
});
