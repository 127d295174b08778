// runtime/app/classifier.ts: input layout detection, presets (ImageNet), labels, and classification
// results against onnxruntime-node on the same preprocessed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats, rng } from './util/rng.js';
import { assertClose, runReference } from './util/reference.js';
import {
  Classifier, IMAGENET_LABELS, IMAGENET_MEAN, IMAGENET_STD, classify, describeInput, parseLabels, probabilities, tensorFromImage, topK, type PixelData,
} from '../runtime/index.node.js';

function randomImage(width: number, height: number, seed: number): PixelData {
  const r = rng(seed);
  return { width, height, data: Uint8ClampedArray.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(r() * 256))) };
}

/** x [N, C, H, W] → GlobalAveragePool → Flatten → Gemm → [N, classes]. */
function gapLinear(channels: number, side: number | string, classes: number, seed: number): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', ['batch', channels, side, side]);
  const [g] = b.node('GlobalAveragePool', ['x']);
  const [f] = b.node('Flatten', [g], { axis: 1 });
  const w = b.init('w', { dtype: 'float32', dims: [classes, channels], data: randomFloats(classes * channels, seed, -2, 2) });
  const bias = b.init('b', { dtype: 'float32', dims: [classes], data: randomFloats(classes, seed + 1, -0.5, 0.5) });
  b.node('Gemm', [f, w, bias], { transB: 1 }, ['logits']);
  b.output('logits', ['batch', classes]);
  return b.build();
}

test('describeInput: NCHW and NHWC, free dims', () => {
  assert.deepEqual(describeInput('x', ['N', 3, 224, 224]), { name: 'x', channels: 3, height: 224, width: 224, layout: 'NCHW', dims: [1, 3, 224, 224] });
  assert.deepEqual(describeInput('x', [1, 28, 28, 1]), { name: 'x', channels: 1, height: 28, width: 28, layout: 'NHWC', dims: [1, 28, 28, 1] });
  assert.deepEqual(describeInput('x', [1, 3, 'h', 'w'], 160).dims, [1, 3, 160, 160]);
  assert.throws(() => describeInput('x', [1, 784]), { name: 'InputError' });
  assert.throws(() => describeInput('x', [1, 5, 8, 8]), { name: 'InputError', message: /channels/ });
});

test('parseLabels: JSON array, sidecar object with mean/std, plain text', () => {
  assert.deepEqual(parseLabels('["a", "b"]'), { labels: ['a', 'b'] });
  assert.deepEqual(parseLabels('{"labels": ["a"], "mean": 0.5, "std": [0.2], "samples": []}'), { labels: ['a'], mean: 0.5, std: [0.2] });
  assert.deepEqual(parseLabels('cat\r\ndog\n\n  bird  \n'), { labels: ['cat', 'dog', 'bird'] });
  assert.throws(() => parseLabels('{"labels": [1, 2]}'), { name: 'InputError' });
  assert.throws(() => parseLabels('{"labels": ["a"], "mean": "x"}'), { name: 'InputError', message: /mean/ });
  assert.throws(() => parseLabels('[oops'), { name: 'InputError', message: /JSON/ });
});

test('probabilities and topK', () => {
  const p = probabilities([1, 3, 2]);
  assert.ok(Math.abs(p.reduce((a, v) => a + v, 0) - 1) < 1e-12);
  assert.deepEqual(topK(p, 2).map((t) => t.index), [1, 2]);
  // Already a distribution (a Softmax at the end): kept as is.
  assert.deepEqual(Array.from(probabilities([0.25, 0.75])), [0.25, 0.75]);
  // Ties: lower index first.
  assert.deepEqual(topK([1, 5, 5, 0], 3).map((t) => t.index), [1, 2, 0]);
});

test('an ImageNet-shaped classifier gets ImageNet labels, mean/std and centre crop', async () => {
  const model = gapLinear(3, 8, 1000, 21);
  const c = await Classifier.create(model);
  try {
    assert.equal(c.preprocessing.preset, 'imagenet');
    assert.equal(c.labels.length, 1000);
    assert.equal(c.labels[0], IMAGENET_LABELS[0]);
    assert.deepEqual(c.input.dims, [1, 3, 8, 8]);
    const img = randomImage(16, 8, 5);
    const x = tensorFromImage(img, { width: 8, height: 8, fit: 'cover', mean: IMAGENET_MEAN, std: IMAGENET_STD });
    assert.deepEqual(Array.from(c.tensor(img).data as Float32Array), Array.from(x.data as Float32Array));
    const got = await c.scores(img);
    const ref = await runReference(model, { x });
    assertClose(got, ref.logits.data as Float32Array, { rtol: 1e-4, atol: 1e-5 }, 'logits');
    const top = await c.classify(img, { top: 3 });
    assert.equal(top.length, 3);
    const want = topK(ref.logits.data as Float32Array, 3).map((t) => t.index);
    assert.deepEqual(top.map((t) => t.index), want);
    assert.deepEqual(top.map((t) => t.label), want.map((i) => IMAGENET_LABELS[i]));
    assert.ok(top[0].probability >= top[1].probability && top[1].probability >= top[2].probability);
  } finally {
    await c.release();
  }
  // 1001 classes: TensorFlow's background class first.
  const c1001 = await Classifier.create(gapLinear(3, 4, 1001, 22));
  assert.equal(c1001.labels[0], 'background');
  assert.equal(c1001.labels[1], IMAGENET_LABELS[0]);
  await c1001.release();
  // preset 'none': no ImageNet guesswork.
  const plain = await Classifier.create(gapLinear(3, 4, 1000, 23), { preset: 'none' });
  assert.equal(plain.preprocessing.preset, 'none');
  assert.equal(plain.labels.length, 0);
  assert.equal((await plain.classify(randomImage(4, 4, 1)))[0].label.startsWith('class '), true);
  await plain.release();
});

test('a grayscale classifier with its own labels and mean/std; label count is checked', async () => {
  const model = gapLinear(1, 'side', 3, 31);
  const c = await Classifier.create(model, { labels: ['zero', 'one', 'two'], mean: 0.3, std: 0.2, size: 6 });
  try {
    assert.deepEqual(c.input, { name: 'x', channels: 1, height: 6, width: 6, layout: 'NCHW', dims: [1, 1, 6, 6], type: 'float32' });
    const img = randomImage(12, 9, 8);
    const x = tensorFromImage(img, { width: 6, height: 6, channels: 1, mean: 0.3, std: 0.2 });
    const top = await c.classify(img, { top: 3 });
    const ref = await runReference(model, { x });
    const logits = ref.logits.data as Float32Array;
    assert.deepEqual(top.map((t) => t.label), topK(logits, 3).map((t) => ['zero', 'one', 'two'][t.index]));
    assertClose(top.map((t) => t.score), topK(logits, 3).map((t) => t.value), { rtol: 1e-4, atol: 1e-5 }, 'scores');
  } finally {
    await c.release();
  }
  await assert.rejects(Classifier.create(model, { labels: ['a', 'b'] }), { name: 'InputError', message: /2 labels for a model with 3 outputs/ });
});

test('classify(): one call, the classifier cached per model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fovea-classify-'));
  const path = join(dir, 'gray.onnx');
  writeFileSync(path, gapLinear(1, 5, 4, 41));
  const img = randomImage(5, 5, 9);
  const a = await classify(img, { model: path, labels: ['w', 'x', 'y', 'z'], top: 2 });
  const b = await classify(img, { model: path, labels: ['w', 'x', 'y', 'z'], top: 2 });
  assert.equal(a.length, 2);
  assert.deepEqual(a, b);
  assert.ok(['w', 'x', 'y', 'z'].includes(a[0].label));
  await assert.rejects(classify(img, { model: join(dir, 'missing.onnx') }), { name: 'ModelLoadError' });
});
