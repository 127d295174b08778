// The demo page. Pick a model (bundled, by URL, or a dropped/opened .onnx with its optional
// .json sidecar) and an image (a Fashion-MNIST sample, an upload or drop, or the camera); the page
// shows the top-5 classes, create / first-run / median latency, the WebGPU adapter, the feature
// maps of any layer, and for classifiers ending in global average pooling + a linear layer the
// class activation map (CAM) of the top class over the image. Without WebGPU it says why.
// A per-layer profile times each GPU dispatch of one run. `?worker=1` runs inference in a Web Worker; `?model=<bundled id or URL>` opens that model.
// The "Text detection (PP-OCR)" panel (demo/ocr.ts) runs PaddleOCR's text detector on drawn text or
// an uploaded picture; `?view=ocr` shows that view alone, detecting its default text at once.
// The "Precision" panel (demo/precision.ts) compares a model's float32 / float16 / int8 files on the
// image on show and the bundled test images; `?view=precision` shows it alone and runs it at once.
// The page's state is mirrored on <body data-state> (loading | running | done | error |
// unavailable) and data attributes, for the e2e tests (e2e/demo.test.ts).
import { probabilities, readPixels, resizePixels, tensorFromPixels, topK, type PixelData } from 'fovea';
import { LocalEngine, type Engine, type FeatureMap, type ModelSource, type ModelSummary, type ProgressStage } from './engine.js';
import { WorkerEngine } from './worker-client.js';
import { BUNDLED, formatBytes, median, parseModelInfo, prepare, samplePixels, type ModelInfo, type Preparation, type Sample } from './classify.js';
import { classActivationMap } from './graph-info.js';
import { drawCam, drawFeatureGrid, drawPixels } from './render.js';
import { setUpTextDetection } from './ocr.js';
import { setUpPrecision } from './precision.js';

type State = 'loading' | 'running' | 'done' | 'error' | 'unavailable';

const TOP = 5;
const params = new URLSearchParams(location.search);
const useWorker = params.get('worker') === '1';
const view = (['ocr', 'precision'] as const).find((v) => v === params.get('view')) ?? 'classify';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

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

function hideMessage(): void {
  $('message').hidden = true;
}

function unavailable(reason: string): void {
  setState('unavailable', 'WebGPU is not available');
  showMessage(
    'WebGPU is not available',
    reason,
    'Fovea runs models on the GPU through WebGPU: use a browser that has it (Chrome or Edge 113+, Safari 26+, Firefox 141+), with hardware acceleration enabled, on a page served over https or from localhost.',
  );
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>('main input, main button, main select')) el.disabled = true;
}

// ---- the current model and image --------------------------------------------------------------

interface Loaded {
  summary: ModelSummary;
  prep: Preparation;
  info?: ModelInfo;
  times: number[];
}

const engine: Engine = useWorker ? new WorkerEngine() : new LocalEngine();
let current: Loaded | undefined;
/** The image being classified, at its own size. */
let image: PixelData | undefined;
let imageCaption = '';
/** Samples for the gallery: the model's sidecar's, else the default model's. */
let defaultSamples: Sample[] = [];

/** Engine calls one at a time (a click during a load waits for it). */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(f: () => Promise<T>): Promise<T> {
  const p = queue.then(f);
  queue = p.catch(() => {});
  return p;
}

function failed(e: unknown): void {
  console.error(e);
  setState('error', 'failed');
  const err = e as Error;
  showMessage('Something went wrong', `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? String(e)}`);
}

// ---- progress ---------------------------------------------------------------------------------

function progress(loaded: number, total: number | undefined, stage: ProgressStage): void {
  const bar = $<HTMLProgressElement>('progress');
  const text = $('progress-text');
  bar.dataset.stage = stage;
  if (stage === 'download') {
    if (total) {
      bar.max = total;
      bar.value = loaded;
      text.textContent = `downloading ${formatBytes(loaded)} / ${formatBytes(total)} (${((100 * loaded) / total).toFixed(0)}%)`;
    } else {
      bar.removeAttribute('value');
      text.textContent = `downloading ${formatBytes(loaded)}`;
    }
    $('status').textContent = 'downloading the model…';
  } else {
    bar.max = total ?? 1;
    bar.value = loaded;
    text.textContent = `compiling GPU pipelines ${loaded}/${total ?? '?'}`;
    $('status').textContent = 'compiling…';
  }
}

// ---- loading a model --------------------------------------------------------------------------

async function fetchSidecar(url: string): Promise<ModelInfo | undefined> {
  try {
    const res = await fetch(url);
    if (!res.ok) return undefined;
    return parseModelInfo(await res.json());
  } catch {
    return undefined;
  }
}

/** Where a model's sidecar may be: `<model>.json` beside it; for a converted form
 * `<model>.<form>.onnx` (scripts/convert-precision.py) also `<model>.json` beside it or one folder
 * up (demo/public/models/precision/ → models/). */
function sidecarUrls(modelUrl: string): string[] {
  const u = new URL(modelUrl, location.href);
  if (!/\.onnx$/i.test(u.pathname)) return [];
  const at = (path: string) => Object.assign(new URL(u.href), { pathname: path }).href;
  const urls = [at(u.pathname.replace(/\.onnx$/i, '.json'))];
  const base = /^(.*\/)([^/]+)\.(fp32|fp16[\w-]*|int8[\w-]*)\.onnx$/i.exec(u.pathname);
  if (base) urls.push(at(`${base[1]}${base[2]}.json`), at(`${base[1]}../${base[2]}.json`));
  return urls;
}

async function firstSidecar(urls: string[]): Promise<ModelInfo | undefined> {
  for (const url of urls) {
    const info = await fetchSidecar(url);
    if (info) return info;
  }
  return undefined;
}

async function loadModel(source: ModelSource, info: Promise<ModelInfo | undefined>, label: string): Promise<void> {
  hideMessage();
  setState('loading', `loading ${label}…`);
  document.body.dataset.model = label;
  const bar = $<HTMLProgressElement>('progress');
  bar.value = 0;
  bar.max = 1;
  $('progress-text').textContent = '';
  $('top5').replaceChildren();
  $('profile-table').replaceChildren();
  $('profile-note').textContent = '';
  clearFeatures();
  clearCam();
  current = undefined;
  const [summary, sidecar] = await Promise.all([engine.load(source, progress), info]);
  const prep = prepare(summary.input, summary.output.dims, sidecar);
  current = { summary, prep, info: sidecar, times: [] };
  $('progress-text').textContent = `loaded ${formatBytes(summary.bytes)} · ${summary.stats.pipelines} GPU pipelines`;
  if (sidecar?.samples.length && !defaultSamples.length) defaultSamples = sidecar.samples;
  describeModel();
  fillLayers();
  await sweepGallery();
  if (!image) selectSample(0);
  await classifyCurrent();
}

function describeModel(): void {
  const { summary: s, prep, info } = current!;
  const facts = [
    `${s.name} (${formatBytes(s.bytes)})`,
    `input ${s.input.name} [${s.input.dims.join('×')}] ${prep.input.channels === 1 ? 'gray' : 'RGB'} ${s.input.type}`,
    `${prep.classes} classes`,
    prep.source === 'imagenet' ? 'ImageNet labels and preprocessing' : prep.source === 'none' ? 'no sidecar: unnamed classes, no normalisation' : 'labels from its sidecar',
    ...(info?.architecture ? [info.architecture] : []),
    ...(info?.testAccuracy !== undefined ? [`test accuracy ${(info.testAccuracy * 100).toFixed(1)}% (PyTorch)`] : []),
    `${s.stats.dispatches} dispatches, ${s.stats.pipelines} pipelines, ${formatBytes(s.stats.weightBytes)} weights`,
  ];
  $('model').textContent = facts.join(' · ');
  $('cam-note').textContent = s.cam
    ? `CAM from "${s.cam.feature}" (${s.cam.channels} channels → ${s.cam.classes} classes)`
    : 'CAM needs a model that ends in global average pooling + one linear layer (ResNet, MobileNet…).';
  $('cam-toggle').toggleAttribute('disabled', !s.cam);
  const invert = $<HTMLInputElement>('invert');
  invert.disabled = prep.input.channels !== 1;
  updateLatency();
}

function updateLatency(): void {
  if (!current) return;
  const { summary, times } = current;
  $('latency').textContent =
    `create ${summary.createMs.toFixed(0)} ms · first run ${summary.firstRunMs.toFixed(0)} ms` +
    (times.length ? ` · median ${median(times).toFixed(1)} ms over ${times.length} runs` : '') +
    (engine.inWorker ? ' · in a Web Worker' : '');
  $('latency').dataset.medianMs = times.length ? median(times).toFixed(3) : '';
}

// ---- inference --------------------------------------------------------------------------------

function modelView(pixels: PixelData): PixelData {
  const { prep } = current!;
  return resizePixels(pixels, prep.input.width, prep.input.height, prep.fit);
}

function inputFor(view: PixelData): Float32Array {
  const { prep } = current!;
  const invert = $<HTMLInputElement>('invert').checked && prep.input.channels === 1;
  return tensorFromPixels(view, { channels: prep.input.channels, mean: prep.mean, std: prep.std, layout: prep.input.layout, invert }).data as Float32Array;
}

async function run(pixels: PixelData): Promise<{ probs: Float64Array; scores: Float32Array; input: Float32Array; view: PixelData }> {
  const view = modelView(pixels);
  const input = inputFor(view);
  // The engine may take the buffer (worker transfer): keep a copy for feature maps.
  const r = await engine.run(input.slice());
  current!.times.push(r.ms);
  return { probs: probabilities(r.scores), scores: r.scores, input, view };
}

async function sweepGallery(): Promise<void> {
  const { prep, info } = current!;
  const samples = info?.samples.length ? info.samples : defaultSamples;
  $('gallery-source').textContent = info?.samples.length ? '(from the model\u2019s sidecar)' : samples.length ? '(Fashion-MNIST test images)' : '';
  const gallery = $('gallery');
  gallery.replaceChildren();
  let correct = 0;
  let labelled = 0;
  let agree = 0;
  let recorded = 0;
  for (const [i, s] of samples.entries()) {
    setState('running', `classifying sample ${i + 1}/${samples.length}…`);
    const { probs } = await run(samplePixels(s));
    const top = topK(probs, 1)[0].index;
    const card = document.createElement('button');
    card.type = 'button';
    card.className = 'sample';
    card.dataset.index = String(i);
    card.dataset.predicted = String(top);
    const canvas = document.createElement('canvas');
    drawPixels(canvas, samplePixels(s));
    const caption = document.createElement('span');
    caption.className = 'caption';
    caption.textContent = prep.labels[top] ?? `class ${top}`;
    if (s.label !== undefined && prep.source === 'sidecar') {
      labelled++;
      card.dataset.label = String(s.label);
      card.dataset.correct = String(top === s.label);
      if (top === s.label) correct++;
      card.title = `true class: ${prep.labels[s.label]}`;
    }
    if (s.top1 !== undefined && info?.samples.length) {
      recorded++;
      card.dataset.pytorch = String(s.top1);
      if (s.top1 === top) agree++;
    }
    card.append(canvas, caption);
    card.addEventListener('click', () => {
      selectSample(i);
      void serial(classifyCurrent).catch(failed);
    });
    gallery.append(card);
    updateLatency();
  }
  $('summary').textContent = samples.length
    ? `${samples.length} samples` + (labelled ? ` · ${correct}/${labelled} correct` : '') + (recorded ? ` · ${agree}/${recorded} as PyTorch predicted` : '')
    : '';
  $('summary').dataset.agree = String(agree);
}

function selectSample(i: number): void {
  const samples = current?.info?.samples.length ? current.info.samples : defaultSamples;
  const s = samples[i];
  if (!s) return;
  image = samplePixels(s);
  imageCaption = `sample ${i + 1}`;
  for (const c of document.querySelectorAll<HTMLElement>('#gallery .sample')) c.classList.toggle('selected', c.dataset.index === String(i));
}

async function classifyCurrent(): Promise<void> {
  if (!current || !image) return;
  hideMessage();
  document.body.dataset.image = imageCaption;
  setState('running', `classifying ${imageCaption}…`);
  const { probs, input, view } = await run(image);
  const { prep, summary } = current;
  const top = topK(probs, TOP);
  const list = $('top5');
  list.dataset.predicted = String(top[0].index);
  list.replaceChildren(
    ...top.map((t) => {
      const li = document.createElement('li');
      li.dataset.index = String(t.index);
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${(t.value * 100).toFixed(1)}%`;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = prep.labels[t.index] ?? `class ${t.index}`;
      const p = document.createElement('span');
      p.className = 'p';
      p.textContent = `${(t.value * 100).toFixed(1)}%`;
      li.append(bar, name, p);
      return li;
    }),
  );
  // What the model sees: the resized (gray, inverted) input.
  const shown = prep.input.channels === 1 ? grayView(view, $<HTMLInputElement>('invert').checked) : view;
  drawPixels($<HTMLCanvasElement>('input-canvas'), shown);
  updateLatency();

  // Feature maps and CAM come from one extra run that keeps the values they need.
  const layer = $<HTMLSelectElement>('layer-picker').value;
  const camOn = !!summary.cam && $<HTMLInputElement>('cam-toggle').checked;
  const wanted = [...(layer ? [layer] : []), ...(camOn ? [summary.cam!.feature] : [])];
  if (wanted.length) {
    setState('running', 'reading feature maps…');
    const maps = await engine.inspect(input.slice(), wanted);
    if (layer) showFeatures(layer, maps[layer]);
    if (camOn) showCam(maps[summary.cam!.feature], top[0].index, prep.labels[top[0].index]);
  }
  if (!layer) clearFeatures();
  if (!camOn) clearCam();
  setState('done', `done: ${prep.labels[top[0].index] ?? top[0].index} (${(top[0].value * 100).toFixed(1)}%)`);
}

function grayView(p: PixelData, invert: boolean): PixelData {
  const data = new Uint8ClampedArray(p.data.length);
  for (let i = 0; i < p.width * p.height; i++) {
    const [r, g, b] = [p.data[i * 4], p.data[i * 4 + 1], p.data[i * 4 + 2]];
    let y = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    if (invert) y = 255 - y;
    data.set([y, y, y, 255], i * 4);
  }
  return { width: p.width, height: p.height, data };
}

// ---- feature maps and CAM ---------------------------------------------------------------------

function fillLayers(): void {
  const picker = $<HTMLSelectElement>('layer-picker');
  const keep = picker.value;
  picker.replaceChildren(new Option('— none —', ''));
  for (const l of current!.summary.layers) {
    picker.append(new Option(`${l.name} · ${l.op} [${l.dims.slice(1).join('×')}]`, l.name));
  }
  picker.value = current!.summary.layers.some((l) => l.name === keep) ? keep : '';
}

function showFeatures(layer: string, map: FeatureMap): void {
  const grid = $('feature-grid');
  const r = drawFeatureGrid(grid, map, 64);
  $('feature-note').textContent = `${layer}: ${map.dims[1]} channels of ${map.dims[2]}×${map.dims[3]}${r.shown < map.dims[1] ? ` (first ${r.shown} shown)` : ''}, each scaled to its own range`;
}

function clearFeatures(): void {
  const grid = $('feature-grid');
  grid.replaceChildren();
  delete grid.dataset.channels;
  delete grid.dataset.shown;
  delete grid.dataset.active;
  $('feature-note').textContent = '';
}

function showCam(feature: FeatureMap, k: number, label: string): void {
  const cam = classActivationMap(current!.summary.cam!, feature, k);
  const canvas = $<HTMLCanvasElement>('cam-canvas');
  drawCam(canvas, cam, feature.dims[2], feature.dims[3]);
  canvas.dataset.class = String(k);
  canvas.title = `class activation map of "${label}"`;
}

function clearCam(): void {
  const canvas = $<HTMLCanvasElement>('cam-canvas');
  canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
  delete canvas.dataset.drawn;
  delete canvas.dataset.class;
}

// ---- per-layer profile ------------------------------------------------------------------------

async function profileRun(): Promise<void> {
  if (!current || !image) return;
  setState('running', 'profiling…');
  const p = await engine.profile(inputFor(modelView(image)));
  const table = $<HTMLTableElement>('profile-table');
  const slowest = Math.max(...p.dispatches.map((d) => d.ms), 1e-9);
  const head = document.createElement('tr');
  for (const h of ['#', 'node', 'op', 'kernel', 'ms', '']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  table.replaceChildren(
    head,
    ...p.dispatches.map((d, i) => {
      const tr = document.createElement('tr');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${((100 * d.ms) / slowest).toFixed(1)}%`;
      const cells = [String(i + 1), d.node, d.op, d.variant, d.ms.toFixed(3)];
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      const td = document.createElement('td');
      td.className = 'bar-cell';
      td.append(bar);
      tr.append(td);
      return tr;
    }),
  );
  table.dataset.dispatches = String(p.dispatches.length);
  table.dataset.totalMs = p.totalMs.toFixed(3);
  $('profile-note').textContent = `${p.dispatches.length} dispatches, ${p.totalMs.toFixed(2)} ms in all (${p.method === 'timestamp-query' ? 'GPU timestamps' : 'each dispatch submitted alone, timed on the CPU'})`;
  setState('done', 'profiled');
}

// ---- images from the user ---------------------------------------------------------------------

async function imageFromFile(file: File): Promise<void> {
  const bitmap = await createImageBitmap(file);
  try {
    image = readPixels(bitmap);
  } finally {
    bitmap.close();
  }
  imageCaption = file.name;
  for (const c of document.querySelectorAll<HTMLElement>('#gallery .sample')) c.classList.remove('selected');
  await classifyCurrent();
}

let stream: MediaStream | undefined;
async function camera(): Promise<void> {
  const video = $<HTMLVideoElement>('video');
  const button = $<HTMLButtonElement>('camera');
  if (!stream) {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no camera access (navigator.mediaDevices)');
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    button.textContent = 'Capture';
    return;
  }
  image = readPixels(video);
  imageCaption = 'camera';
  for (const t of stream.getTracks()) t.stop();
  stream = undefined;
  video.hidden = true;
  button.textContent = 'Camera';
  await classifyCurrent();
}

async function modelFromFiles(files: File[]): Promise<void> {
  const model = files.find((f) => /\.onnx$/i.test(f.name)) ?? files.find((f) => !/\.json$/i.test(f.name));
  if (!model) throw new Error('no .onnx file among the files given');
  const json = files.find((f) => /\.json$/i.test(f.name));
  const info = json ? json.text().then((t) => parseModelInfo(JSON.parse(t))) : Promise.resolve(undefined);
  $<HTMLSelectElement>('model-picker').value = '';
  await loadModel({ bytes: await model.arrayBuffer(), name: model.name }, info, model.name);
}

function modelFromUrl(url: string): Promise<void> {
  const abs = new URL(url, location.href).href;
  return loadModel({ url: abs }, firstSidecar(sidecarUrls(abs)), abs);
}

function bundled(id: string): Promise<void> {
  $<HTMLSelectElement>('model-picker').value = id;
  return loadModel({ url: new URL(`models/${id}.onnx`, location.href).href }, fetchSidecar(`models/${id}.json`), id);
}

function wireUp(): void {
  const picker = $<HTMLSelectElement>('model-picker');
  picker.append(new Option('(another model)', ''));
  for (const m of BUNDLED) picker.append(new Option(m.title, m.id));
  picker.addEventListener('change', () => picker.value && void serial(() => bundled(picker.value)).catch(failed));
  $('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $<HTMLInputElement>('model-url').value.trim();
    if (url) void serial(() => modelFromUrl(url)).catch(failed);
  });
  $<HTMLInputElement>('model-file').addEventListener('change', (e) => {
    const files = [...((e.target as HTMLInputElement).files ?? [])];
    if (files.length) void serial(() => modelFromFiles(files)).catch(failed);
  });
  $<HTMLInputElement>('image-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void serial(() => imageFromFile(file)).catch(failed);
  });
  $('camera').addEventListener('click', () => void serial(camera).catch(failed));
  $('profile-button').addEventListener('click', () => void serial(profileRun).catch(failed));
  for (const id of ['layer-picker', 'cam-toggle', 'invert']) {
    $(id).addEventListener('change', () => void serial(classifyCurrent).catch(failed));
  }
  // Drops anywhere: an .onnx (plus sidecar) loads a model, an image is classified.
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.some((f) => /\.onnx$/i.test(f.name))) void serial(() => modelFromFiles(files)).catch(failed);
    else {
      const img = files.find((f) => f.type.startsWith('image/'));
      if (img) void serial(() => imageFromFile(img)).catch(failed);
    }
  });
}

async function main(): Promise<void> {
  document.body.dataset.worker = String(useWorker);
  setState('loading', 'looking for WebGPU…');
  // Checked on the page itself too: a worker may see no GPU for reasons of its own.
  if (!('gpu' in navigator) || !navigator.gpu) {
    unavailable(
      window.isSecureContext
        ? 'This browser does not expose navigator.gpu.'
        : 'This page is not a secure context, and browsers only expose WebGPU to pages served over https or from localhost.',
    );
    return;
  }
  const adapter = await engine.adapter();
  if (!adapter.ok) {
    unavailable(adapter.message);
    return;
  }
  $('adapter').textContent = adapter.text + (engine.inWorker ? ' (in a Web Worker)' : '');
  wireUp();
  const detectText = setUpTextDetection(serial, failed);
  const comparePrecision = setUpPrecision(serial, failed, () => (image ? { pixels: image, caption: imageCaption } : undefined));
  if (view === 'precision') {
    // The precision panel alone: no classifier is loaded; its forms run on a sidecar sample.
    document.body.dataset.view = 'precision';
    $('model').textContent = 'precision comparison';
    setState('running', 'comparing precisions…');
    await serial(comparePrecision);
    setState('done', 'done');
    return;
  }
  if (view === 'ocr') {
    // The text-detection view alone: no classifier is loaded.
    document.body.dataset.view = 'ocr';
    $('model').textContent = 'PP-OCRv4 text detector';
    setState('running', 'detecting text…');
    await detectText();
    $('latency').textContent = `${$('ocr-panel').dataset.ms} ms per run`;
    setState('done', 'done');
    return;
  }
  // The gallery's samples, whatever model opens first.
  const first = params.get('model') ?? BUNDLED[0].id;
  const isBundled = BUNDLED.some((m) => m.id === first);
  if (!isBundled) defaultSamples = (await fetchSidecar(`models/${BUNDLED[0].id}.json`))?.samples ?? [];
  await serial(() => (isBundled ? bundled(first) : modelFromUrl(first)));
}

main().catch(failed);
