// The demo's "Precision" panel (demo/precision.ts) in Debian's chromium with WebGPU on SwiftShader
// (no shader-f16: Fovea stores float16 values as f32 there), for LeNet-5: every form of
// demo/public/models/precision/ gets a row with a latency and a top-1; float16 rows agree with
// fp32's top-1 on the image; each form's top-1 on the image and its accuracy on the 500 bundled
// test images (e2e/fixtures/fashion-test-500.json) are onnxruntime-node's on the same file, with
// the same preprocessing. A form Fovea cannot run must show its error in its row, and may only be
// one listed in EXPECTED_FAILURES, with exactly that error (an UnsupportedOpError naming the op, or
// a known bug); any other failure fails, and so does a listed form that runs (take it off the list).
// Also: a float16 and an int8 file through the demo's custom-model path (file, URL, worker), classifying
// the sidecar's samples as onnxruntime does. Screenshots: test-results/e2e/precision-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { tensorFromPixels, topK, type PixelData } from '../runtime/index.node.js';
import { halfBitsOf } from '../runtime/tensor.js';
import { fromHalfBits } from '../runtime/ir/half.js';
import { FORMS, formUrl } from '../demo/precision-forms.js';
import { REPO, demoHarness, elapsed, logPageErrors, screenshot } from './support.js';
import { EXACT_ORT_EXTRA, exactIntegerProducts } from '../tests/util/ort-exact.js';

const MODEL = 'lenet5-fashion';
const PUBLIC = join(REPO, 'demo/public');
/** Forms that Fovea cannot run yet: the error's name and a string its message must hold. */
const EXPECTED_FAILURES: Record<string, { name: string; includes: string; why: string }> = {
  // Empty: every converted form runs (QLinearConv once bound 11 storage buffers, above SwiftShader's
  // 10 per stage; QGemm was missing). A form that fails again goes here with its error and why.
};

interface Sidecar {
  mean: number;
  std: number;
  labels: string[];
  samples: { label: number; top1: number; pixels: number[] }[];
}
const sidecar = JSON.parse(readFileSync(join(PUBLIC, `models/${MODEL}.json`), 'utf8')) as Sidecar;
const fixture = JSON.parse(readFileSync(join(REPO, 'e2e/fixtures/fashion-test-500.json'), 'utf8')) as { count: number; labels: number[]; pixels: string };
const testPixels = Buffer.from(fixture.pixels, 'base64');

const harness = demoHarness('precision');

function gray(pixels: ArrayLike<number>): PixelData {
  const data = new Uint8ClampedArray(784 * 4);
  for (let i = 0; i < 784; i++) data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  return { width: 28, height: 28, data };
}

/** onnxruntime-node's top-1 for each image on one file, with the page's preprocessing and input type. */
async function ortTop1(file: string, images: ArrayLike<number>[]): Promise<number[]> {
  const s = await ort.InferenceSession.create(exactIntegerProducts(readFileSync(file)), { executionProviders: ['cpu'], extra: EXACT_ORT_EXTRA });
  try {
    const name = s.inputNames[0];
    const meta = s.inputMetadata[0] as { type?: string };
    const type = meta.type === 'float16' ? 'float16' : 'float32';
    const out: number[] = [];
    for (const px of images) {
      const x = tensorFromPixels(gray(px), { channels: 1, mean: sidecar.mean, std: sidecar.std, type });
      const feed = type === 'float16' ? new ort.Tensor('float16', halfBitsOf(x.data), [1, 1, 28, 28]) : new ort.Tensor('float32', x.data as Float32Array, [1, 1, 28, 28]);
      const y = (await s.run({ [name]: feed }))[s.outputNames[0]];
      // float16 scores come as bits: their values, not the bits, are ranked.
      out.push(topK(y.type === 'float16' ? fromHalfBits(y.data as Uint16Array) : (y.data as Float32Array), 1)[0].index);
    }
    return out;
  } finally {
    await s.release();
  }
}

async function settled(page: Page, what: string, extra = ''): Promise<void> {
  await page.waitForSelector(`body${extra}:is([data-state="done"], [data-state="error"], [data-state="unavailable"])`, { timeout: 120_000 });
  const state = await page.getAttribute('body', 'data-state');
  assert.equal(state, 'done', `${what}: the demo ended in state ${state}: ${await page.textContent('#message')}`);
}

interface Row {
  form: string;
  state?: string;
  bytes?: string;
  inputType?: string;
  medianMs?: string;
  top1?: string;
  agree?: string;
  correct?: string;
  count?: string;
  predictions?: string;
  errorName?: string;
  error?: string;
  text: string;
}

test(`the precision panel: every form of ${MODEL} side by side, as onnxruntime-node runs each file`, { timeout: 900_000 }, async (t) => {
  const page = await harness.browser().newPage({ viewport: { width: 1200, height: 900 } });
  const errors = logPageErrors(page, 'precision');
  try {
    await page.goto(`${harness.url()}?model=${MODEL}`);
    await settled(page, MODEL);
    await page.selectOption('#precision-model', MODEL);
    await page.selectOption('#precision-count', '500');
    const t0 = performance.now();
    await page.click('#precision-run');
    await page.waitForSelector('#precision-panel[data-state="running"]', { timeout: 10_000 });
    await page.waitForSelector('#precision-table tr[data-state="testing"]', { timeout: 120_000 });
    await screenshot(page, 'precision-running');
    await page.waitForSelector('#precision-panel[data-state="done"]', { timeout: 840_000 });
    console.log(`precision panel: ${elapsed(t0)}; ${await page.textContent('#precision-note')}`);
    await page.locator('#precision-panel').screenshot({ path: join(REPO, 'test-results/e2e/precision-panel.png') });
    await screenshot(page, 'precision');
    const rows = await page.$$eval('#precision-table tr[data-form]', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset, text: tr.textContent ?? '' }) as Row));
    assert.deepEqual(rows.map((r) => r.form), FORMS.map((f) => f.id), 'one row per form, in order');

    // The image on show: the page opened on the model's sample 1.
    const image = sidecar.samples[0].pixels;
    const tests = Array.from({ length: fixture.count }, (_, n) => testPixels.subarray(n * 784, (n + 1) * 784));
    const failed: string[] = [];
    for (const r of rows) {
      await t.test(r.form, async () => {
        const file = join(PUBLIC, formUrl(MODEL, r.form));
        assert.equal(Number(r.bytes), readFileSync(file).length, `${r.form}: file size`);
        if (r.state === 'error') {
          failed.push(`${r.form} (${r.errorName}: ${r.error})`);
          console.log(`${r.form.padEnd(16)} failed: ${r.errorName}: ${r.error}`);
          assert.ok(r.text.includes(r.error!), `${r.form}: the row shows the error`);
          const known = EXPECTED_FAILURES[r.form];
          assert.ok(known, `${r.form} failed, and is not expected to: ${r.errorName}: ${r.error}`);
          assert.equal(r.errorName, known.name, `${r.form}: ${r.error}`);
          assert.ok(r.error!.includes(known.includes), `${r.form}: the error names ${known.includes}: ${r.error}`);
          console.log(`${r.form}: expected failure (${known.why})`);
          return;
        }
        assert.equal(r.state, 'done', `${r.form}: row state`);
        assert.equal(EXPECTED_FAILURES[r.form], undefined, `${r.form} runs now: take it off EXPECTED_FAILURES`);
        assert.ok(Number(r.medianMs) > 0, `${r.form}: a latency`);
        assert.match(r.top1 ?? '', /^\d$/, `${r.form}: a top-1`);
        const [wantTop1] = await ortTop1(file, [image]);
        const want = await ortTop1(file, tests);
        const wantCorrect = want.filter((p, n) => p === fixture.labels[n]).length;
        const got = r.predictions!.split(',').map(Number);
        const same = got.filter((p, n) => p === want[n]).length;
        console.log(
          `${r.form.padEnd(16)} ${r.inputType} input, ${r.bytes} B, median ${Number(r.medianMs).toFixed(1)} ms, top-1 ${r.top1} (ORT ${wantTop1}), ` +
            `agrees with fp32: ${r.agree}; accuracy ${r.correct}/${r.count} (ORT ${wantCorrect}/${fixture.count}); same top-1 as ORT on ${same}/${fixture.count}`,
        );
        assert.equal(Number(r.top1), wantTop1, `${r.form}: top-1 on the image, the page vs onnxruntime-node`);
        if (r.form.startsWith('fp16')) assert.equal(r.agree, 'true', `${r.form}: fp32's top-1 on the image`);
        assert.equal(Number(r.count), fixture.count);
        assert.equal(Number(r.correct), wantCorrect, `${r.form}: accuracy on the test images, the page vs onnxruntime-node`);
      });
    }
    console.log(`forms that failed: ${failed.length ? failed.join('; ') : 'none'}`);
    assert.deepEqual(errors, [], 'no uncaught page errors');
  } finally {
    await page.close();
  }
});

test('float16 and int8 files through the custom-model path (file, URL): typed input, the samples as onnxruntime', { timeout: 300_000 }, async () => {
  const page = await harness.browser().newPage({ viewport: { width: 1200, height: 900 } });
  const errors = logPageErrors(page, 'precision-custom');
  const samples = sidecar.samples.map((s) => s.pixels);
  const gallery = () => page.$$eval('#gallery .sample', (els) => els.map((e) => Number((e as HTMLElement).dataset.predicted)));
  try {
    await page.goto(`${harness.url()}?model=${MODEL}`);
    await settled(page, MODEL);
    // A float16-input model as files (.onnx + its sidecar): the page must feed a float16 tensor.
    const fp16 = join(PUBLIC, formUrl(MODEL, 'fp16'));
    await page.setInputFiles('#model-file', [fp16, join(PUBLIC, `models/${MODEL}.json`)]);
    await settled(page, 'fp16 file', `[data-model="${MODEL}.fp16.onnx"]`);
    assert.match((await page.textContent('#model'))!, /gray float16/);
    assert.deepEqual(await gallery(), await ortTop1(fp16, samples), 'fp16 file: top-1 per sample, the page vs onnxruntime-node');
    await screenshot(page, 'precision-fp16-file');
    // An int8 form by URL: its sidecar is found one folder up (models/<model>.json).
    const int8 = formUrl(MODEL, 'int8-dynamic');
    const url = new URL(int8, harness.url()).href;
    await page.fill('#model-url', url);
    await page.click('#load-url');
    await settled(page, 'int8 URL', `[data-model="${url}"]`);
    assert.match((await page.textContent('#model'))!, /labels from its sidecar/);
    assert.deepEqual(await gallery(), await ortTop1(join(PUBLIC, int8), samples), 'int8-dynamic by URL: top-1 per sample, the page vs onnxruntime-node');
    // The float16 file in the Web Worker (`?worker=1`, the same engine off the main thread).
    await page.goto(`${harness.url()}?worker=1&model=${encodeURIComponent(formUrl(MODEL, 'fp16'))}`);
    await settled(page, 'fp16 in a worker');
    assert.match((await page.textContent('#latency'))!, /in a Web Worker/);
    assert.deepEqual(await gallery(), await ortTop1(fp16, samples), 'fp16 in a worker: top-1 per sample, the page vs onnxruntime-node');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
