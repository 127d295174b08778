// The demo page (demo/, `npm start`) in Debian's chromium with WebGPU on SwiftShader:
//   - it loads, reports the adapter, and classifies every bundled sample with every bundled
//     model as PyTorch did (the top-1 recorded in each model's sidecar by the training scripts);
//   - the top-5 list, the latency line, feature maps of a picked layer, the CAM overlay and the
//     per-layer profile;
//   - a model opened as files (.onnx + .json sidecar) and an uploaded image (a PNG);
//   - a model loaded by URL from another localhost server that sends it slowly, with the
//     progress bar seen to advance;
//   - `?worker=1` (inference in a Web Worker), and Vite's dev server (`npm start`);
//   - without WebGPU (no adapter; no navigator.gpu), the explanatory message.
// One page serves most steps in turn: pipelines compiled for one model are reused by the next
// (the runtime caches them per device), which keeps SwiftShader's compile time down.
// Screenshots go to test-results/e2e/ (printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { runReference } from '../tests/util/reference.js';
import { IMAGENET_LABELS, IMAGENET_MEAN, IMAGENET_STD, Tensor, resizePixels, tensorFromPixels, topK } from '../runtime/index.node.js';
import { NO_WEBGPU_ARGS, REPO, SCREENSHOT_DIR, demoHarness, elapsed, grayPng, launchChromium, logPageErrors, screenshot, serveSlowly, viteDevServer } from './support.js';

const MODELS_DIR = join(REPO, 'demo/public/models');
const BUNDLED = ['resnet-fashion', 'mobilenet-fashion', 'vgg-fashion', 'lenet5-fashion'];
const TEST_TIMEOUT = 180_000;

interface Sidecar {
  labels: string[];
  samples: { label: number; top1: number; pixels: number[] }[];
}

function sidecar(id: string): Sidecar {
  return JSON.parse(readFileSync(join(MODELS_DIR, `${id}.json`), 'utf8')) as Sidecar;
}

const missing = BUNDLED.filter((id) => !existsSync(join(MODELS_DIR, `${id}.onnx`)) || !existsSync(join(MODELS_DIR, `${id}.json`)));
const skip = missing.length ? `bundled models missing: ${missing.join(', ')} (scripts/train-models.py)` : false;

const harness = demoHarness('demo', { skip: !!skip, note: `screenshots in ${SCREENSHOT_DIR}` });

/** Waits until the page has settled (done, error or unavailable) and fails on anything but done. */
async function settled(page: Page, what: string, extra = ''): Promise<void> {
  await page.waitForSelector(`body${extra}:is([data-state="done"], [data-state="error"], [data-state="unavailable"])`, { timeout: 120_000 });
  const state = await page.getAttribute('body', 'data-state');
  assert.equal(state, 'done', `${what}: the demo ended in state ${state}: ${await page.textContent('#message')}`);
}

/** The gallery's top-1 per sample, as the page shows it. */
function galleryPredictions(page: Page): Promise<number[]> {
  return page.$$eval('#gallery .sample', (els) => els.map((e) => Number((e as HTMLElement).dataset.predicted)));
}

async function checkModel(page: Page, id: string, tag: string): Promise<void> {
  const want = sidecar(id).samples.map((s) => s.top1);
  const got = await galleryPredictions(page);
  assert.deepEqual(got, want, `${tag}: top-1 per sample, the page vs PyTorch`);
  assert.equal(await page.$$eval('#top5 li', (l) => l.length), 5, 'the top-5 list');
  const latency = (await page.textContent('#latency'))!;
  assert.match(latency, /create \d+ ms · first run \d+ ms · median [\d.]+ ms over \d+ runs/);
  console.log(`${tag}: ${(await page.textContent('#summary'))!.trim()} · ${latency}`);
}

test('the demo: every bundled model, samples, top-5, feature maps, CAM, files, URL', { timeout: 600_000, skip }, async (t) => {
  const page = await harness.browser().newPage({ viewport: { width: 1200, height: 900 } });
  const errors = logPageErrors(page, 'demo');
  try {
    await t.test('opens on the default model and reports the adapter', { timeout: TEST_TIMEOUT }, async () => {
      const start = performance.now();
      await page.goto(harness.url());
      await settled(page, 'default model');
      const adapter = (await page.textContent('#adapter'))!;
      console.log(`adapter: ${adapter} (page ${elapsed(start)})`);
      assert.match(adapter, /swiftshader/i);
      assert.equal(await page.getAttribute('body', 'data-model'), BUNDLED[0]);
      await checkModel(page, BUNDLED[0], BUNDLED[0]);
      await screenshot(page, 'demo-default');
    });

    for (const id of BUNDLED.slice(1)) {
      await t.test(`${id}: every sample as PyTorch predicted`, { timeout: TEST_TIMEOUT }, async () => {
        const start = performance.now();
        await page.selectOption('#model-picker', id);
        await settled(page, id, `[data-model="${id}"]`);
        await checkModel(page, id, `${id} (${elapsed(start)})`);
        await screenshot(page, `demo-${id}`);
      });
    }

    await t.test('feature maps of a picked layer, the CAM overlay and the per-layer profile (ResNet)', { timeout: TEST_TIMEOUT }, async () => {
      await page.selectOption('#model-picker', 'resnet-fashion');
      await settled(page, 'resnet', '[data-model="resnet-fashion"]');
      const layers = await page.$$eval('#layer-picker option', (o) => o.map((x) => (x as HTMLOptionElement).value).filter(Boolean));
      assert.ok(layers.length >= 3, `layers to pick: ${layers.join(', ')}`);
      // A layer in the middle of the net; selecting it reruns the current image with it kept.
      const layer = layers[Math.floor(layers.length / 2)];
      await page.selectOption('#layer-picker', layer);
      await page.waitForSelector('body[data-state="done"] #feature-grid[data-shown]', { timeout: 60_000 });
      const grid = await page.$eval('#feature-grid', (g) => {
        const d = (g as HTMLElement).dataset;
        return { channels: Number(d.channels), shown: Number(d.shown), active: Number(d.active), canvases: g.querySelectorAll('canvas').length };
      });
      console.log(`feature maps of ${layer}: ${JSON.stringify(grid)}`);
      assert.ok(grid.canvases > 0 && grid.canvases === grid.shown, 'one canvas per channel shown');
      assert.ok(grid.active > 0, 'some channels vary over the image');
      // CAM: drawn for the top class, with visible (non-transparent) pixels.
      await page.click('#gallery .sample[data-index="9"]');
      await settled(page, 'sample 10', '[data-image="sample 10"]');
      const cam = await page.$eval('#cam-canvas', (c) => {
        const canvas = c as HTMLCanvasElement;
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let opaque = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) opaque++;
        return { drawn: canvas.dataset.drawn, cls: canvas.dataset.class, opaque, total: px.length / 4 };
      });
      const top1 = await page.getAttribute('#top5', 'data-predicted');
      console.log(`CAM: ${JSON.stringify(cam)}; top-1 ${top1}`);
      assert.equal(cam.drawn, 'true');
      assert.equal(cam.cls, top1, 'the CAM is of the top class');
      assert.ok(cam.opaque > cam.total / 2, 'the overlay covers the image');
      assert.equal(Number(top1), sidecar('resnet-fashion').samples[9].top1);
      // The per-layer profile: one timed row per GPU dispatch.
      await page.click('#profile-button');
      await page.waitForSelector('body[data-state="done"] #profile-table[data-dispatches]', { timeout: 60_000 });
      const rows = await page.$$eval('#profile-table tr', (r) => r.length - 1);
      console.log(`profile: ${(await page.textContent('#profile-note'))!}`);
      assert.ok(rows > 5 && rows === Number(await page.getAttribute('#profile-table', 'data-dispatches')), `${rows} profile rows`);
      await screenshot(page, 'demo-feature-maps-cam');
    });

    await t.test('a model opened as files (.onnx + sidecar), and an uploaded image', { timeout: TEST_TIMEOUT }, async () => {
      await page.setInputFiles('#model-file', [join(MODELS_DIR, 'mobilenet-fashion.onnx'), join(MODELS_DIR, 'mobilenet-fashion.json')]);
      await settled(page, 'file', '[data-model="mobilenet-fashion.onnx"]');
      await checkModel(page, 'mobilenet-fashion', 'mobilenet-fashion from files');
      // A sample as a PNG file: decoded by the browser, read through a canvas, same pixels.
      const s = sidecar('mobilenet-fashion').samples[4];
      await page.setInputFiles('#image-file', { name: 'coat.png', mimeType: 'image/png', buffer: Buffer.from(grayPng(28, 28, s.pixels)) });
      await settled(page, 'uploaded image', '[data-image="coat.png"]');
      assert.equal(Number(await page.getAttribute('#top5', 'data-predicted')), s.top1, 'the uploaded image: top-1 as PyTorch');
      await screenshot(page, 'demo-uploaded');
    });

    await t.test('an ImageNet-shaped model (RGB, 1000 classes) gets ImageNet labels and preprocessing', { timeout: TEST_TIMEOUT }, async () => {
      // x [1, 3, 32, 32] → GlobalAveragePool → Flatten → Gemm (1000) → Softmax: tiny, but shaped
      // like a zoo classifier, so the page must pick ImageNet's mean/std, centre crop and labels.
      const b = new ModelBuilder(13);
      b.input('data', [1, 3, 32, 32]);
      const [g] = b.node('GlobalAveragePool', ['data']);
      const [f] = b.node('Flatten', [g], { axis: 1 });
      const w = b.init('w', { dtype: 'float32', dims: [1000, 3], data: randomFloats(3000, 61, -4, 4) });
      const [logits] = b.node('Gemm', [f, w], { transB: 1 });
      b.node('Softmax', [logits], { axis: 1 }, ['prob']);
      b.output('prob', [1, 1000]);
      const model = b.build();
      await page.setInputFiles('#model-file', { name: 'tiny-imagenet.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(model) });
      await settled(page, 'ImageNet-shaped', '[data-model="tiny-imagenet.onnx"]');
      assert.match((await page.textContent('#model'))!, /ImageNet labels and preprocessing/);
      // The image on show is the uploaded coat (28×28 gray): what the page should have fed.
      const coat = sidecar('mobilenet-fashion').samples[4].pixels;
      const rgba = new Uint8ClampedArray(28 * 28 * 4);
      coat.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
      const x = tensorFromPixels(resizePixels({ width: 28, height: 28, data: rgba }, 32, 32, 'cover'), { mean: IMAGENET_MEAN, std: IMAGENET_STD });
      const ref = await runReference(model, { data: new Tensor('float32', x.data as Float32Array, [1, 3, 32, 32]) });
      const want = topK(ref.prob.data as Float32Array, 5).map((t) => IMAGENET_LABELS[t.index]);
      const got = await page.$$eval('#top5 li .name', (els) => els.map((e) => e.textContent));
      console.log(`ImageNet-shaped model: top-5 ${got.join(', ')}`);
      assert.deepEqual(got, want, 'the top-5 ImageNet labels, the page vs onnxruntime-node');
      await screenshot(page, 'demo-imagenet-shaped');
    });

    await t.test('a model loaded by URL, with the download progress advancing', { timeout: TEST_TIMEOUT }, async () => {
      const remote = await serveSlowly({
        '/remote/vgg-fashion.onnx': readFileSync(join(MODELS_DIR, 'vgg-fashion.onnx')),
        '/remote/vgg-fashion.json': readFileSync(join(MODELS_DIR, 'vgg-fashion.json')),
      });
      try {
        // Record every progress text the page shows while it downloads.
        await page.evaluate(() => {
          const w = window as unknown as { progressSeen: string[] };
          w.progressSeen = [];
          const text = document.getElementById('progress-text')!;
          new MutationObserver(() => w.progressSeen.push(text.textContent ?? '')).observe(text, { childList: true, characterData: true, subtree: true });
        });
        const url = `${remote.url}remote/vgg-fashion.onnx`;
        await page.fill('#model-url', url);
        await page.click('#load-url');
        await settled(page, 'URL', `[data-model="${url}"]`);
        const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
        const percents = seen.map((s) => /downloading .* \((\d+)%\)/.exec(s)).filter((m) => m).map((m) => Number(m![1]));
        console.log(`URL load: ${percents.length} progress updates: ${percents.join(' ')}`);
        assert.ok(new Set(percents).size >= 3, 'the progress bar advanced in several steps');
        assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'progress only grows');
        assert.equal(percents.at(-1), 100);
        assert.match(seen.filter((s) => s.includes('%')).at(-1)!, /downloading [\d.]+ KiB \/ [\d.]+ KiB \(100%\)/, 'bytes are shown');
        await checkModel(page, 'vgg-fashion', 'vgg-fashion by URL');
        await screenshot(page, 'demo-url');
      } finally {
        await remote.close();
      }
    });
    assert.deepEqual(errors, [], 'no uncaught page errors');
  } finally {
    await page.close();
  }
});

test('the demo runs inference in a Web Worker with ?worker=1', { timeout: TEST_TIMEOUT, skip }, async () => {
  const page = await harness.browser().newPage();
  const errors = logPageErrors(page, 'demo-worker');
  try {
    const start = performance.now();
    await page.goto(`${harness.url()}?worker=1&model=lenet5-fashion`);
    await settled(page, 'worker');
    assert.equal(await page.getAttribute('body', 'data-worker'), 'true');
    assert.match((await page.textContent('#adapter'))!, /in a Web Worker/);
    assert.match((await page.textContent('#latency'))!, /in a Web Worker/);
    await checkModel(page, 'lenet5-fashion', `lenet5-fashion in a worker (${elapsed(start)})`);
    // Feature maps come through the worker too.
    const layer = await page.$eval('#layer-picker option:nth-child(2)', (o) => (o as HTMLOptionElement).value);
    await page.selectOption('#layer-picker', layer);
    await page.waitForSelector('body[data-state="done"] #feature-grid[data-shown]', { timeout: 60_000 });
    assert.ok(Number(await page.getAttribute('#feature-grid', 'data-active')) > 0);
    await screenshot(page, 'demo-worker');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('the demo on the Vite dev server (npm start)', { timeout: TEST_TIMEOUT, skip }, async () => {
  const dev = await viteDevServer();
  const page = await harness.browser().newPage();
  const errors = logPageErrors(page, 'demo-dev');
  try {
    const start = performance.now();
    await page.goto(`${dev.url}?model=lenet5-fashion`);
    await settled(page, 'dev server');
    await checkModel(page, 'lenet5-fashion', `dev server (${elapsed(start)})`);
    await screenshot(page, 'demo-dev-server');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await dev.close();
  }
});

test('the demo explains when WebGPU is unavailable', { timeout: TEST_TIMEOUT, skip }, async () => {
  let noWebgpu: Browser | undefined;
  try {
    // (a) navigator.gpu exists, but WebGPU is switched off: requestAdapter() gives null.
    noWebgpu = await launchChromium(NO_WEBGPU_ARGS);
    const page = await noWebgpu.newPage();
    logPageErrors(page, 'no-adapter');
    await page.goto(harness.url());
    await page.waitForSelector('body:not([data-state="loading"])', { timeout: 60_000 });
    await screenshot(page, 'demo-no-adapter');
    assert.equal(await page.getAttribute('body', 'data-state'), 'unavailable');
    assert.equal(await page.isVisible('#message'), true);
    const text = (await page.textContent('#message'))!;
    assert.match(text, /WebGPU is not available/);
    assert.match(text, /no WebGPU adapter/);
    assert.equal(await page.isDisabled('#model-picker'), true, 'the controls are disabled');

    // (b) no navigator.gpu at all (an older browser): removed before the page's scripts run.
    const page2 = await harness.browser().newPage();
    logPageErrors(page2, 'no-navigator-gpu');
    await page2.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page2.goto(harness.url());
    await page2.waitForSelector('body:not([data-state="loading"])', { timeout: 60_000 });
    await screenshot(page2, 'demo-no-navigator-gpu');
    assert.equal(await page2.getAttribute('body', 'data-state'), 'unavailable');
    assert.match((await page2.textContent('#message'))!, /does not expose navigator\.gpu/);
    await page2.close();
  } finally {
    await noWebgpu?.close().catch(() => {});
  }
});
