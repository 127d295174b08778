// The browser path, end to end, in Debian's chromium (playwright-core) with WebGPU on SwiftShader:
//   - the library bundle (`vite build --mode lib`, served with e2e/page/) runs a small CNN, and its
//     outputs match the same model run by Fovea in Node (dawn.node) and by onnxruntime-node (CPU);
//     bad feeds come back as Fovea's typed errors, names intact through minification;
//   - the bundled ResNet-style Fashion-MNIST model, run on 500 test images in the browser (inputs
//     built with the library's tensorFromPixels, batches of 50), is as accurate as PyTorch was
//     on the same images (within 0.5 points);
//   - a plain HTML page (e2e/page/embed.html) that embeds <fovea-classifier> classifies its
//     image as PyTorch does, and so does the one-call classify() helper.
// The demo page has its own file (e2e/demo.test.ts).
// Screenshots go to test-results/e2e/. SwiftShader is slow (~0.35 GFLOP/s): models stay small.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { assertClose, runReference } from '../tests/util/reference.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { REPO, SCREENSHOT_DIR, grayPng, launchChromium, logPageErrors, screenshot, serveStatic, viteBuild, type StaticServer } from './support.js';

/** What e2e/page/harness.js puts on window. */
interface HarnessWindow {
  foveaRun(spec: { modelUrl: string; feeds: Record<string, { type: string; dims: number[]; data: number[] }>; runs?: number }): Promise<{
    adapterInfo: { vendor: string; architecture: string; description: string; backend: string };
    adapter: string;
    stats: { dispatches: number; pipelines: number };
    createMs: number;
    times: number[];
    outputs: Record<string, { type: string; dims: number[]; data: number[] }>;
  }>;
  foveaAdapterInfo(): Promise<Record<string, unknown>>;
  foveaAccuracy(spec: { modelUrl: string; pixels: string; count: number; mean: number; std: number; batch: number }): Promise<{
    top1: number[];
    createMs: number;
    times: number[];
  }>;
}

const MODELS = join(REPO, 'demo/public/models');
const ACCURACY_FIXTURE = join(REPO, 'e2e/fixtures/fashion-test-500.json');

let browser: Browser | undefined;
let harness: StaticServer | undefined;
/** Served by the harness server from memory (models built in the tests). */
const served: Record<string, Uint8Array> = {};
const started = performance.now();
/** A stuck page (e.g. a GPU hang in page.evaluate) fails its test; after() then closes the browser. */
const TEST_TIMEOUT = 90_000;

function elapsed(t: number): string {
  return `${((performance.now() - t) / 1000).toFixed(2)} s`;
}

before(async () => {
  let t = performance.now();
  const bundle = await viteBuild('lib');
  console.log(`vite build --mode lib: ${elapsed(t)}`);
  // The bundled models are served under /models/ too (e2e/page/embed.html uses them).
  harness = await serveStatic([join(REPO, 'e2e/page'), bundle, join(REPO, 'demo/public')], served);
  t = performance.now();
  browser = await launchChromium();
  console.log(`chromium ${browser.version()} launched: ${elapsed(t)}`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await harness?.close();
  console.log(`e2e total ${elapsed(started)}; screenshots in ${SCREENSHOT_DIR}`);
});

async function openHarness(): Promise<Page> {
  const page = await browser!.newPage();
  logPageErrors(page, 'harness');
  await page.goto(harness!.url);
  await page.waitForSelector('body:not([data-ready="false"])', { timeout: 20_000 });
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true') {
    const why = await page.getAttribute('body', 'data-error');
    await page.close();
    throw new Error(`the harness page failed to start: ${why}`);
  }
  return page;
}

/**
 * Conv(3×3, pad 1) → Relu → MaxPool(2×2) → Conv(3×3, stride 2) → Relu → Flatten → Gemm → Softmax:
 * the op mix of a classic small CNN, with odd sizes (13×13 input, 5 and 7 channels), batch 2.
 */
function smallCnn(): { model: Uint8Array; x: Tensor } {
  const b = new ModelBuilder(13);
  const N = 2;
  const x = b.input('x', [N, 3, 13, 13]);
  const w1 = b.init('w1', { dtype: 'float32', dims: [5, 3, 3, 3], data: randomFloats(5 * 3 * 9, 11, -0.5, 0.5) });
  const b1 = b.init('b1', { dtype: 'float32', dims: [5], data: randomFloats(5, 12, -0.1, 0.1) });
  const [c1] = b.node('Conv', [x, w1, b1], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const [r1] = b.node('Relu', [c1]);
  const [p1] = b.node('MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] }); // 13 → 6
  const w2 = b.init('w2', { dtype: 'float32', dims: [7, 5, 3, 3], data: randomFloats(7 * 5 * 9, 13, -0.4, 0.4) });
  const b2 = b.init('b2', { dtype: 'float32', dims: [7], data: randomFloats(7, 14, -0.1, 0.1) });
  const [c2] = b.node('Conv', [p1, w2, b2], { kernel_shape: [3, 3], strides: [2, 2] }); // 6 → 2
  const [r2] = b.node('Relu', [c2]);
  const [f] = b.node('Flatten', [r2], { axis: 1 }); // [N, 28]
  const wf = b.init('wf', { dtype: 'float32', dims: [10, 28], data: randomFloats(280, 15, -0.5, 0.5) });
  const bf = b.init('bf', { dtype: 'float32', dims: [10], data: randomFloats(10, 16, -0.2, 0.2) });
  const [logits] = b.node('Gemm', [f, wf, bf], { transB: 1 }, ['logits']);
  b.node('Softmax', [logits], { axis: 1 }, ['probs']);
  b.output('logits', [N, 10]);
  b.output('probs', [N, 10]);
  return { model: b.build(), x: new Tensor('float32', randomFloats(N * 3 * 13 * 13, 17, -1, 1), [N, 3, 13, 13]) };
}

test('the browser bundle runs a CNN on SwiftShader WebGPU, matching Fovea in Node and onnxruntime-node', { timeout: TEST_TIMEOUT }, async () => {
  const { model, x } = smallCnn();
  served['/models/cnn.onnx'] = model;
  const page = await openHarness();
  try {
    const adapter = await page.evaluate(() => (window as unknown as HarnessWindow).foveaAdapterInfo());
    console.log(`browser adapter: ${JSON.stringify(adapter)}`);
    const t = performance.now();
    const got = await page.evaluate(
      (spec) => (window as unknown as HarnessWindow).foveaRun(spec),
      { modelUrl: 'models/cnn.onnx', feeds: { x: { type: 'float32', dims: [...x.dims], data: Array.from(x.data as Float32Array) } }, runs: 3 },
    );
    console.log(
      `browser: ${got.adapter}; create ${got.createMs.toFixed(0)} ms, runs ${got.times.map((v) => v.toFixed(1)).join(' / ')} ms, ` +
        `${got.stats.dispatches} dispatches, ${got.stats.pipelines} pipelines (round trip ${elapsed(t)})`,
    );
    assert.equal(got.adapterInfo.backend, 'browser', 'the page must use navigator.gpu');
    await screenshot(page, 'harness-cnn');

    const node = await InferenceSession.create(model);
    const mine = await node.run({ x });
    await node.release();
    const ref = await runReference(model, { x });
    for (const name of ['logits', 'probs']) {
      const b = got.outputs[name];
      assert.ok(b, `the page returned no "${name}"`);
      assert.deepEqual(b.dims, [2, 10], `${name}: dims`);
      // Same runtime, same kernels, another Vulkan driver (SwiftShader vs lavapipe): only the
      // rounding of the drivers' float arithmetic may differ.
      const vsNode = assertClose(b.data, mine[name].data as Float32Array, { rtol: 1e-4, atol: 1e-6 }, `${name} (browser vs Fovea/Node)`);
      const vsOrt = assertClose(b.data, ref[name].data as Float32Array, { rtol: 1e-4, atol: 1e-6 }, `${name} (browser vs onnxruntime-node)`);
      console.log(`${name}: max abs err vs Fovea/Node ${vsNode.maxAbs.toExponential(2)}, vs onnxruntime-node ${vsOrt.maxAbs.toExponential(2)}`);
    }
    // The probabilities must be a distribution: a check that does not lean on the references.
    for (let n = 0; n < 2; n++) {
      const row = got.outputs.probs.data.slice(n * 10, n * 10 + 10);
      assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5, `probs row ${n} sums to 1`);
    }
  } finally {
    await page.close();
  }
});

test('the browser bundle reports bad feeds as typed errors', { timeout: TEST_TIMEOUT }, async () => {
  // Relu only: this runs whatever other ops exist. An InputError must cross into the page's
  // catch with its name and hint intact (the bundle keeps class names).
  const b = new ModelBuilder();
  b.input('x', [3, 5]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [3, 5]);
  served['/models/relu.onnx'] = b.build();
  const page = await openHarness();
  try {
    const err = await page.evaluate(async () => {
      const w = window as unknown as HarnessWindow;
      try {
        await w.foveaRun({ modelUrl: 'models/relu.onnx', feeds: { x: { type: 'float32', dims: [5, 3], data: new Array(15).fill(1) } } });
        return null;
      } catch (e) {
        return { name: (e as Error).name, message: (e as Error).message };
      }
    });
    assert.ok(err, 'a feed of the wrong shape must be refused');
    assert.equal(err.name, 'InputError');
    assert.match(err.message, /dims \[5,3\].*expects \[3,5\]/);
    const ok = await page.evaluate(() =>
      (window as unknown as HarnessWindow).foveaRun({ modelUrl: 'models/relu.onnx', feeds: { x: { type: 'float32', dims: [3, 5], data: Array.from({ length: 15 }, (_, i) => i - 7.5) } } }),
    );
    assert.deepEqual(ok.outputs.y.data, Array.from({ length: 15 }, (_, i) => Math.max(0, i - 7.5)));
  } finally {
    await page.close();
  }
});

interface Sidecar {
  mean: number;
  std: number;
  labels: string[];
  samples: { label: number; top1: number; pixels: number[] }[];
}

const RESNET = join(MODELS, 'resnet-fashion.onnx');
const haveResnet = existsSync(RESNET) && existsSync(ACCURACY_FIXTURE);

test('ResNet-style Fashion-MNIST model: accuracy on 500 test images in the browser is PyTorch\'s', {
  timeout: 240_000,
  skip: haveResnet ? false : 'demo/public/models/resnet-fashion.onnx or e2e/fixtures/fashion-test-500.json missing (scripts/train-models.py)',
}, async () => {
  const fixture = JSON.parse(readFileSync(ACCURACY_FIXTURE, 'utf8')) as {
    count: number;
    labels: number[];
    pixels: string;
    models: Record<string, { top1: number[]; accuracy: number }>;
  };
  const info = JSON.parse(readFileSync(join(MODELS, 'resnet-fashion.json'), 'utf8')) as Sidecar;
  const pytorch = fixture.models['resnet-fashion'];
  assert.ok(pytorch, 'the fixture has PyTorch\'s predictions for resnet-fashion');
  const page = await openHarness();
  try {
    const t = performance.now();
    const got = await page.evaluate(
      (spec) => (window as unknown as HarnessWindow).foveaAccuracy(spec),
      { modelUrl: 'models/resnet-fashion.onnx', pixels: fixture.pixels, count: fixture.count, mean: info.mean, std: info.std, batch: 50 },
    );
    assert.equal(got.top1.length, fixture.count);
    const correct = got.top1.filter((p, i) => p === fixture.labels[i]).length;
    const agree = got.top1.filter((p, i) => p === pytorch.top1[i]).length;
    const accuracy = correct / fixture.count;
    const pytorchCorrect = pytorch.top1.filter((p, i) => p === fixture.labels[i]).length;
    console.log(
      `resnet-fashion in the browser: ${correct}/${fixture.count} correct (${(accuracy * 100).toFixed(1)}%), PyTorch ${pytorchCorrect}/${fixture.count} ` +
        `(${(pytorch.accuracy * 100).toFixed(1)}%); same top-1 as PyTorch on ${agree}/${fixture.count}; create ${got.createMs.toFixed(0)} ms, ` +
        `batches of 50: median ${[...got.times].sort((a, b) => a - b)[got.times.length >> 1].toFixed(0)} ms (round trip ${elapsed(t)})`,
    );
    assert.equal(pytorchCorrect / fixture.count, pytorch.accuracy, 'the fixture is consistent');
    assert.ok(Math.abs(accuracy - pytorch.accuracy) <= 0.005, `accuracy ${accuracy} vs PyTorch ${pytorch.accuracy}: more than 0.5 points apart`);
    // Near-ties may flip between float implementations, but hardly any.
    assert.ok(agree >= fixture.count - 3, `only ${agree}/${fixture.count} top-1 agree with PyTorch`);
  } finally {
    await page.close();
  }
});

test('a plain HTML page embeds <fovea-classifier>, and classify() works in one call', {
  timeout: TEST_TIMEOUT,
  skip: existsSync(RESNET) ? false : 'demo/public/models/resnet-fashion.onnx missing (scripts/train-models.py)',
}, async () => {
  const info = JSON.parse(readFileSync(join(MODELS, 'resnet-fashion.json'), 'utf8')) as Sidecar;
  const sample = info.samples[0];
  served['/sample.png'] = grayPng(28, 28, sample.pixels);
  const page = await browser!.newPage();
  const errors = logPageErrors(page, 'embed');
  try {
    const t = performance.now();
    await page.goto(new URL('embed.html', harness!.url).href);
    await page.waitForSelector('fovea-classifier:is([state="done"], [state="error"])', { timeout: 90_000 });
    const el = await page.$eval('fovea-classifier', (e) => {
      const c = e as HTMLElement & { predictions: { index: number; label: string; probability: number }[] };
      return {
        state: c.getAttribute('state'),
        status: c.shadowRoot!.querySelector('[part="status"]')!.textContent,
        rows: [...c.shadowRoot!.querySelectorAll('li')].map((li) => li.textContent),
        predictions: c.predictions.map((p) => ({ ...p })),
      };
    });
    console.log(`<fovea-classifier> (${elapsed(t)}): ${el.status}; ${el.rows.join(' | ')}`);
    assert.equal(el.state, 'done', el.status ?? '');
    assert.equal(el.rows.length, 3, 'top="3" rows');
    assert.equal(el.predictions[0].index, sample.top1, 'top-1 as PyTorch');
    assert.equal(el.predictions[0].label, info.labels[sample.top1]);
    assert.ok(el.rows[0]!.includes(info.labels[sample.top1]));
    const event = await page.evaluate(() => (window as unknown as { lastResult?: { index: number }[] }).lastResult?.[0]?.index);
    assert.equal(event, sample.top1, 'the fovea-result event carried the predictions');
    await screenshot(page, 'embed-element');

    // The one-call helper, on the same <img>.
    const viaHelper = await page.evaluate(async () => {
      const w = window as unknown as { fovea: { classify(img: unknown, o: unknown): Promise<{ index: number; label: string }[]> } };
      return w.fovea.classify(document.querySelector('img')!, { model: 'models/resnet-fashion.onnx', labels: 'models/resnet-fashion.json', top: 2 });
    });
    assert.equal(viaHelper.length, 2);
    assert.equal(viaHelper[0].index, sample.top1);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
