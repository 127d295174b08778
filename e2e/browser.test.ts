// The browser path, end to end, in Debian's chromium (playwright-core) with WebGPU on SwiftShader:
//   - the library bundle (`vite build --mode lib`, served with e2e/page/) runs a small CNN, and its
//     outputs match the same model run by Fovea in Node (dawn.node) and by onnxruntime-node (CPU);
//     bad feeds come back as Fovea's typed errors, names intact through minification;
//   - the demo, built (`vite build`) and on Vite's dev server (`npm start`), loads the bundled
//     Fashion-MNIST LeNet-5 and classifies its sample images as onnxruntime-node does;
//   - the demo explains itself when WebGPU is unavailable: no adapter (chromium --disable-webgpu)
//     and no navigator.gpu at all.
// Screenshots go to test-results/e2e/. SwiftShader is slow (~0.35 GFLOP/s): models stay tiny.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { assertClose, runReference } from '../tests/util/reference.js';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { inputDims, parseModelInfo, preprocess } from '../demo/classify.js';
import { NO_WEBGPU_ARGS, REPO, SCREENSHOT_DIR, launchChromium, logPageErrors, screenshot, serveStatic, viteBuild, viteDevServer, type StaticServer } from './support.js';

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
}

const DEMO_MODEL = join(REPO, 'demo/public/models/lenet5-fashion.onnx');
const DEMO_INFO = join(REPO, 'demo/public/models/lenet5-fashion.json');

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
  harness = await serveStatic([join(REPO, 'e2e/page'), bundle], served);
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

/** The classes onnxruntime-node predicts for the demo's samples (preprocessed as the page does). */
async function referencePredictions(): Promise<number[]> {
  const info = parseModelInfo(JSON.parse(readFileSync(DEMO_INFO, 'utf8')));
  const fovea = await InferenceSession.create(DEMO_MODEL);
  const dims = inputDims(fovea.inputMetadata[0].dims);
  await fovea.release();
  const s = await ort.InferenceSession.create(readFileSync(DEMO_MODEL));
  const top1: number[] = [];
  for (const sample of info.samples) {
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', preprocess(sample.pixels, info.mean, info.std), dims) });
    const scores = out[s.outputNames[0]].data as Float32Array;
    top1.push(scores.indexOf(Math.max(...scores)));
  }
  await s.release();
  return top1;
}

/** Opens the demo at url, waits for it to finish and checks every card against the reference. */
async function checkDemo(url: string, tag: string, want: number[]): Promise<void> {
  const page = await browser!.newPage();
  const errors = logPageErrors(page, tag);
  try {
    const t = performance.now();
    await page.goto(url);
    await page.waitForSelector('body:is([data-state="done"], [data-state="error"], [data-state="unavailable"])', { timeout: 60_000 });
    await screenshot(page, tag);
    const state = await page.getAttribute('body', 'data-state');
    assert.equal(state, 'done', `the demo ended in state ${state}: ${await page.textContent('#message')}`);
    assert.deepEqual(errors, []);
    console.log(`${tag}: ${(await page.textContent('#summary'))!.trim()} (page ${elapsed(t)}); adapter ${await page.textContent('#adapter')}`);
    const cards = await page.$$eval('.sample', (els) =>
      els.map((e) => ({ predicted: Number((e as HTMLElement).dataset.predicted), rows: e.querySelectorAll('li').length })),
    );
    assert.equal(cards.length, want.length, 'one card per sample');
    assert.ok(cards.every((c) => c.rows === 5), 'each card lists the top 5');
    assert.deepEqual(cards.map((c) => c.predicted), want, 'top-1 classes: the page vs onnxruntime-node');
  } finally {
    await page.close();
  }
}

test('the demo page classifies its sample images like onnxruntime-node', {
  timeout: TEST_TIMEOUT,
  skip: existsSync(DEMO_MODEL) && existsSync(DEMO_INFO) ? false : 'demo/public/models/lenet5-fashion.{onnx,json} not there yet',
}, async (t) => {
  const want = await referencePredictions();
  await t.test('built (vite build)', async () => {
    const start = performance.now();
    const dir = await viteBuild('production');
    console.log(`vite build (demo): ${elapsed(start)}`);
    const server = await serveStatic([dir]);
    try {
      await checkDemo(server.url, 'demo', want);
    } finally {
      await server.close();
    }
  });
  await t.test('on the Vite dev server (npm start)', async () => {
    const dev = await viteDevServer();
    try {
      await checkDemo(dev.url, 'demo-dev-server', want);
    } finally {
      await dev.close();
    }
  });
});

test('the demo explains when WebGPU is unavailable', { timeout: TEST_TIMEOUT }, async () => {
  const t = performance.now();
  const dev = await viteDevServer();
  console.log(`vite dev server at ${dev.url}: ${elapsed(t)}`);
  let noWebgpu: Browser | undefined;
  try {
    // (a) navigator.gpu exists, but WebGPU is switched off: requestAdapter() gives null.
    noWebgpu = await launchChromium(NO_WEBGPU_ARGS);
    const page = await noWebgpu.newPage();
    logPageErrors(page, 'no-adapter');
    await page.goto(dev.url);
    await page.waitForSelector('body:not([data-state="loading"])', { timeout: 60_000 });
    await screenshot(page, 'demo-no-adapter');
    assert.equal(await page.getAttribute('body', 'data-state'), 'unavailable');
    assert.equal(await page.isVisible('#message'), true);
    const text = (await page.textContent('#message'))!;
    assert.match(text, /WebGPU is not available/);
    assert.match(text, /no WebGPU adapter/);

    // (b) no navigator.gpu at all (an older browser): removed before the page's scripts run.
    const page2 = await browser!.newPage();
    logPageErrors(page2, 'no-navigator-gpu');
    await page2.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page2.goto(dev.url);
    await page2.waitForSelector('body:not([data-state="loading"])', { timeout: 60_000 });
    await screenshot(page2, 'demo-no-navigator-gpu');
    assert.equal(await page2.getAttribute('body', 'data-state'), 'unavailable');
    assert.match((await page2.textContent('#message'))!, /does not expose navigator\.gpu/);
    await page2.close();
  } finally {
    await noWebgpu?.close().catch(() => {});
    await dev.close();
  }
});
