// The demo page: loads the bundled Fashion-MNIST LeNet-5, shows the WebGPU adapter, classifies
// the sample images from the model's JSON sidecar (see classify.ts) and prints the top-5 classes
// and the latency of each run. Without WebGPU (no navigator.gpu, or no adapter) it explains why
// instead. The page's state is mirrored on <body data-state> for the e2e tests.
import { InferenceSession, Tensor, acquireDevice, DeviceError } from 'fovea';
import { IMAGE_SIDE, inputDims, median, parseModelInfo, preprocess, probabilities, topK, type ModelInfo, type Sample } from './classify.js';

const MODEL_URL = 'models/lenet5-fashion.onnx';
const INFO_URL = 'models/lenet5-fashion.json';
const TOP = 5;

type State = 'loading' | 'running' | 'done' | 'unavailable' | 'error';

const $ = (id: string) => document.getElementById(id)!;

function setState(state: State, status: string): void {
  document.body.dataset.state = state;
  $('status').textContent = status;
}

function showMessage(title: string, ...lines: string[]): void {
  const box = $('message');
  box.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = title;
  box.append(h);
  for (const l of lines) {
    const p = document.createElement('p');
    p.textContent = l;
    box.append(p);
  }
  box.hidden = false;
}

function unavailable(reason: string, detail?: string): void {
  setState('unavailable', 'WebGPU is not available');
  showMessage(
    'WebGPU is not available',
    reason,
    'Fovea runs models on the GPU through WebGPU: use a browser that has it (Chrome or Edge 113+, Safari 26+, Firefox 141+), with hardware acceleration enabled, on a page served over https or from localhost.',
    ...(detail ? [detail] : []),
  );
}

async function fetchInfo(): Promise<ModelInfo> {
  const res = await fetch(INFO_URL);
  if (!res.ok) throw new Error(`could not fetch ${INFO_URL}: HTTP ${res.status}`);
  return parseModelInfo(await res.json());
}

function drawSample(canvas: HTMLCanvasElement, pixels: Uint8Array): void {
  canvas.width = IMAGE_SIDE;
  canvas.height = IMAGE_SIDE;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(IMAGE_SIDE, IMAGE_SIDE);
  for (let i = 0; i < pixels.length; i++) {
    img.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function renderSample(info: ModelInfo, sample: Sample, index: number, probs: Float64Array, ms: number): HTMLElement {
  const card = document.createElement('article');
  card.className = 'sample';
  const top = topK(probs, TOP);
  card.dataset.index = String(index);
  card.dataset.predicted = String(top[0].index);
  if (sample.label !== undefined) {
    card.dataset.label = String(sample.label);
    card.dataset.correct = String(top[0].index === sample.label);
  }
  const canvas = document.createElement('canvas');
  drawSample(canvas, sample.pixels);
  const truth = document.createElement('div');
  truth.className = 'truth';
  truth.textContent = sample.label !== undefined ? info.labels[sample.label] : `sample ${index + 1}`;
  const verdict = document.createElement('div');
  verdict.className = 'verdict';
  verdict.textContent = sample.label === undefined ? '' : top[0].index === sample.label ? '✓ correct' : `✗ predicted ${info.labels[top[0].index]}`;
  const list = document.createElement('ol');
  for (const t of top) {
    const li = document.createElement('li');
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(t.p * 100).toFixed(1)}%`;
    const name = document.createElement('span');
    name.textContent = info.labels[t.index] ?? `class ${t.index}`;
    const p = document.createElement('span');
    p.className = 'p';
    p.textContent = `${(t.p * 100).toFixed(1)}%`;
    li.append(bar, name, p);
    list.append(li);
  }
  const latency = document.createElement('div');
  latency.className = 'latency';
  latency.textContent = `${ms.toFixed(1)} ms`;
  card.append(canvas, truth, verdict, list, latency);
  return card;
}

async function main(): Promise<void> {
  setState('loading', 'looking for WebGPU…');
  if (!('gpu' in navigator) || !navigator.gpu) {
    unavailable(
      window.isSecureContext
        ? 'This browser does not expose navigator.gpu.'
        : 'This page is not a secure context, and browsers only expose WebGPU to pages served over https or from localhost.',
    );
    return;
  }
  let adapterText: string;
  try {
    const { adapterInfo: a } = await acquireDevice();
    adapterText = [a.vendor, a.architecture, a.description].filter(Boolean).join(' · ') || 'unnamed adapter';
  } catch (e) {
    if (e instanceof DeviceError) {
      unavailable('The browser has navigator.gpu but gave no WebGPU adapter (WebGPU may be disabled, or blocked for this GPU).', (e as Error).message);
      return;
    }
    throw e;
  }
  $('adapter').textContent = adapterText;

  setState('loading', 'loading the model…');
  const t0 = performance.now();
  const [info, session] = await Promise.all([
    fetchInfo(),
    InferenceSession.create(MODEL_URL, {
      onProgress(loaded, total, stage) {
        const what = stage === 'download' ? `downloading the model: ${(loaded / 1024).toFixed(0)}${total ? ` / ${(total / 1024).toFixed(0)}` : ''} KiB` : `compiling pipelines: ${loaded}/${total ?? '?'}`;
        $('status').textContent = what;
      },
    }),
  ]);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const dims = inputDims(session.inputMetadata[0].dims);
  $('model').textContent = [
    MODEL_URL.split('/').pop(),
    `input ${inputName} [${dims.join('×')}]`,
    `${info.labels.length} classes`,
    ...(info.dataset ? [info.dataset] : []),
    ...(info.testAccuracy !== undefined ? [`test accuracy ${(info.testAccuracy * 100).toFixed(1)}% (training script)`] : []),
  ].join(' · ');
  if (info.samples.length === 0) throw new Error(`${INFO_URL} has no samples`);

  // The first run binds free dims and compiles the pipelines: timed apart from the others.
  setState('running', 'compiling…');
  const feed = (s: Sample) => ({ [inputName]: new Tensor('float32', preprocess(s.pixels, info.mean, info.std), dims) });
  const tw = performance.now();
  await session.run(feed(info.samples[0]));
  const warmup = performance.now() - tw;
  const loadMs = tw - t0;

  const grid = $('samples');
  grid.replaceChildren();
  const times: number[] = [];
  let correct = 0;
  let labelled = 0;
  for (const [i, s] of info.samples.entries()) {
    setState('running', `classifying ${i + 1}/${info.samples.length}…`);
    const t = performance.now();
    const out = await session.run(feed(s));
    const ms = performance.now() - t;
    times.push(ms);
    const probs = probabilities(out[outputName].data as Float32Array);
    const card = renderSample(info, s, i, probs, ms);
    if (s.label !== undefined) {
      labelled++;
      if (card.dataset.correct === 'true') correct++;
    }
    grid.append(card);
  }

  const stats = await session.stats();
  const summary = $('summary');
  summary.textContent =
    `${info.samples.length} images` +
    (labelled ? ` · ${correct}/${labelled} correct` : '') +
    ` · median latency ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)} ms)` +
    ` · first run ${warmup.toFixed(0)} ms · load ${loadMs.toFixed(0)} ms` +
    ` · ${stats.dispatches} dispatches, ${stats.pipelines} pipelines`;
  summary.dataset.correct = String(correct);
  summary.dataset.labelled = String(labelled);
  summary.dataset.medianMs = median(times).toFixed(3);
  summary.hidden = false;
  setState('done', 'done');
}

main().catch((e: unknown) => {
  console.error(e);
  setState('error', 'failed');
  showMessage('Something went wrong', e instanceof Error ? e.message : String(e));
});
