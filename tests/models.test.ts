// Whole-model tests: the classic CNNs exported from PyTorch (scripts/export-models.py: seeded
// random weights, small inputs) run on Fovea and on onnxruntime-node's CPU provider, compared by
// the whole-tensor relative error max|a-b| / max|b|; and the demo's shipped LeNet-5
// (scripts/train-lenet.py) against the top-1 and logits PyTorch recorded.
//
// The exported models (~400 MB in all) live outside the repo, in
// $FOVEA_CACHE_DIR/models/<hash of the export script>/ (default ~/.cache/fovea); the first run
// exports them (about 30 s), which needs python3-torch, python3-torchvision and python3-onnx
// (scripts/setup-system.sh installs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { randomFloats } from './util/rng.js';
import { relativeError, runReference } from './util/reference.js';
import { ensureExported } from './util/exported-models.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Whole-model tolerance on max|a-b| / max|b|: fp32 accumulation-order differences over ~50 layers. */
const MAX_REL_ERROR = 1e-3;

const ensureModels = () => ensureExported('export-models', 'models', '~30 s');

const ms = (t: number) => `${t.toFixed(0)} ms`;

test('classic CNNs match onnxruntime-node', async (t) => {
  const { dir, models } = ensureModels();
  const summary: string[] = [];
  try {
    for (const m of models) {
      await t.test(m.name, async () => {
        const path = join(dir, m.file);
        const n = m.input.shape.reduce((a, b) => a * b, 1);
        const feeds = { [m.input.name]: new Tensor('float32', randomFloats(n, m.seed), m.input.shape) };
        const want = (await runReference(new Uint8Array(readFileSync(path)), feeds))[m.output.name];
        const expected = want.data as Float32Array;
        // A constant output would make the comparison meaningless (e.g. activations that died).
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of expected) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        assert.ok(hi - lo > 1e-6 * Math.max(Math.abs(lo), Math.abs(hi), 1e-30), `${m.name}: the reference output is constant (${lo})`);

        let t0 = performance.now();
        const s = await InferenceSession.create(path);
        const createMs = performance.now() - t0;
        try {
          t0 = performance.now();
          const got = (await s.run(feeds))[m.output.name];
          const firstMs = performance.now() - t0;
          assert.ok(got, `missing output ${m.output.name}`);
          assert.deepEqual([...got.dims], [...want.dims], `${m.name}: output dims`);
          const err = relativeError(got.data as Float32Array, expected);
          // Steady-state latency: the second run reuses the pipelines and buffers.
          t0 = performance.now();
          const again = (await s.run(feeds))[m.output.name];
          const runMs = performance.now() - t0;
          assert.deepEqual([...again.data], [...got.data], `${m.name}: a second run gives other results`);
          const line = `${m.name.padEnd(14)} max rel err ${err.toExponential(2)}  create ${ms(createMs)}, first run ${ms(firstMs)}, run ${ms(runMs)}`;
          summary.push(line);
          console.log(`[models] ${line}`);
          assert.ok(err <= MAX_REL_ERROR, `${m.name}: relative error ${err.toExponential(3)} > ${MAX_REL_ERROR}`);
        } finally {
          await s.release();
        }
      }).catch(() => {});
    }
  } finally {
    console.log(`[models] summary (${summary.length}/${models.length} ran to the comparison):\n  ${summary.join('\n  ')}`);
  }
});

interface DemoSample {
  index: number;
  label: number;
  top1: number;
  logits: number[];
  pixels: number[];
}

test('the demo LeNet-5 (Fashion-MNIST) reproduces PyTorch on its shipped samples', async () => {
  const dir = join(ROOT, 'demo', 'public', 'models');
  const meta = JSON.parse(readFileSync(join(dir, 'lenet5-fashion.json'), 'utf8')) as {
    input: { name: string; shape: number[] };
    output: { name: string };
    mean: number;
    std: number;
    labels: string[];
    samples: DemoSample[];
  };
  assert.equal(meta.labels.length, 10);
  assert.ok(meta.samples.length >= 8, 'the JSON ships at least 8 samples');
  const s = await InferenceSession.create(join(dir, 'lenet5-fashion.onnx'));
  try {
    assert.deepEqual(s.inputNames, [meta.input.name]);
    assert.deepEqual(s.outputNames, [meta.output.name]);
    for (const sample of meta.samples) {
      assert.equal(sample.pixels.length, 28 * 28);
      // The preprocessing the JSON documents: x = (pixel / 255 - mean) / std.
      const x = Float32Array.from(sample.pixels, (p) => (p / 255 - meta.mean) / meta.std);
      const logits = (await s.run({ [meta.input.name]: new Tensor('float32', x, meta.input.shape) }))[meta.output.name].data as Float32Array;
      let top1 = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[top1]) top1 = i;
      const what = `test image ${sample.index} (${meta.labels[sample.label]})`;
      assert.equal(top1, sample.top1, `${what}: Fovea's top-1 is ${meta.labels[top1]}, PyTorch's ${meta.labels[sample.top1]}`);
      // PyTorch's logits are stored rounded to 6 decimals.
      const err = relativeError(logits, sample.logits);
      assert.ok(err <= MAX_REL_ERROR, `${what}: logits differ from PyTorch's by ${err.toExponential(3)} (relative)`);
    }
  } finally {
    await s.release();
  }
});
