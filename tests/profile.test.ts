// Profiling: run(feeds, { profile: true }) times every dispatch and still returns correct outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { main } from '../runtime/cli/main.js';

function model(): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [1, 3, 12, 12]);
  b.init('w', { dtype: 'float32', dims: [8, 3, 3, 3], data: randomFloats(216, 2) });
  b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] }, ['c']);
  b.node('Relu', ['c'], {}, ['r']);
  b.node('MaxPool', ['r'], { kernel_shape: [2, 2], strides: [2, 2] }, ['p']);
  b.node('GlobalAveragePool', ['p'], {}, ['y']);
  b.output('y', [1, 8, 1, 1]);
  return b.build();
}

test('profile: one timing per dispatch, named by node and kernel, outputs unchanged', async () => {
  const s = await InferenceSession.create(model());
  const x = new Tensor('float32', randomFloats(432, 3), [1, 3, 12, 12]);
  const plain = await s.run({ x });
  assert.equal(plain.profile, undefined);
  const prof = await s.run({ x }, { profile: true });
  assert.deepEqual(Object.keys(prof), ['y'], 'profile is not an output');
  assert.deepEqual([...prof.y.data], [...plain.y.data]);
  const p = prof.profile!;
  assert.equal(p.dispatches.length, (await s.stats()).dispatches);
  // A conv may run as more than one dispatch (im2col + GEMM on software adapters): op runs, in order.
  const ops = p.dispatches.map((d) => d.op).filter((op, i, all) => op !== all[i - 1]);
  assert.deepEqual(ops, ['Conv', 'MaxPool', 'GlobalAveragePool']);
  assert.ok(p.dispatches.every((d) => d.ms >= 0 && Number.isFinite(d.ms) && d.variant));
  assert.ok(['timestamp-query', 'cpu-per-dispatch'].includes(p.method));
  assert.ok(Math.abs(p.totalMs - p.dispatches.reduce((a, d) => a + d.ms, 0)) < 1e-9);
  await s.release();
});

test('fovea bench --profile prints latency and a per-node table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fovea-bench-'));
  writeFileSync(join(dir, 'm.onnx'), model());
  let out = '';
  const code = await main(['bench', join(dir, 'm.onnx'), '--runs', '2', '--profile', '--json'], { stdout: (t) => void (out += t), stderr: () => {} });
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.runs, 2);
  assert.ok(r.medianMs > 0 && r.createMs > 0 && r.firstRunMs > 0);
  assert.equal(r.profile.dispatches.length, r.dispatches);
});
