// The demo's "Precision" panel: one bundled Fashion-MNIST model in every float32 / float16 / int8
// form (demo/public/models/precision/, made by scripts/convert-models.py --demo) side by side.
// Each form is downloaded, made into its own InferenceSession and run on the image on show: its
// file size, create time, median latency over RUNS runs, top-1 (and whether it is fp32's), and its
// accuracy on the first N of the 500 labelled test images (e2e/fixtures/fashion-test-500.json,
// served by the `fovea-test-images` plugin in vite.config.ts), one image per run as a page would.
// A form that fails shows its typed error in its row. Rows are filled in as each form finishes.
// The panel mirrors its state for e2e/precision.test.ts: #precision-panel[data-state] (idle |
// running | done), and per row (tr[data-form]) data-state (queued | loading | running | testing |
// done | error), data-bytes, data-input-type, data-median-ms, data-top1, data-agree, data-correct,
// data-count, data-predictions (top-1 per test image, comma-separated), data-error-name, data-error.
import { InferenceSession, describeInput, probabilities, resizePixels, tensorFromPixels, topK, type PixelData, floatValues } from 'fovea';
import { formatBytes, median, parseModelInfo, samplePixels, type ModelInfo } from './classify.js';
import { drawPixels } from './render.js';
import { FORMS, formUrl, type Form } from './precision-forms.js';

export { FORMS, formUrl };

export const PRECISION_MODELS: readonly { id: string; title: string }[] = [
  { id: 'lenet5-fashion', title: 'LeNet-5' },
  { id: 'mobilenet-fashion', title: 'MobileNet-style' },
];

/** Served by vite.config.ts (TEST_IMAGES_URL), relative to the page. */
const TEST_IMAGES_URL = 'data/fashion-test-500.json';
/** Timed runs on the image per form (after one untimed first run). */
export const RUNS = 5;

interface TestImages {
  labels: number[];
  /** count × 784 gray pixels. */
  pixels: Uint8Array;
}

let testImages: Promise<TestImages> | undefined;
function loadTestImages(): Promise<TestImages> {
  testImages ??= fetch(new URL(TEST_IMAGES_URL, location.href)).then(async (res) => {
    if (!res.ok) throw new Error(`could not fetch the test images (${TEST_IMAGES_URL}): HTTP ${res.status}`);
    const j = (await res.json()) as { labels: number[]; pixels: string };
    return { labels: j.labels, pixels: Uint8Array.from(atob(j.pixels), (c) => c.charCodeAt(0)) };
  });
  testImages.catch(() => (testImages = undefined));
  return testImages;
}

export interface FormResult {
  bytes: number;
  inputType: string;
  createMs: number;
  medianMs: number;
  top1: number;
  probability: number;
  /** Top-1 per test image. */
  predictions: number[];
  correct: number;
}

type Stage = (state: 'loading' | 'running' | 'testing', done?: number) => void;

/** Measures one form (see the header). The session is released at the end. */
async function measure(url: string, image: PixelData, info: ModelInfo, tests: TestImages, count: number, stage: Stage, bytesKnown: (n: number) => void): Promise<FormResult> {
  stage('loading');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  bytesKnown(bytes.length);
  const t0 = performance.now();
  const session = await InferenceSession.create(bytes);
  const createMs = performance.now() - t0;
  try {
    const meta = session.inputMetadata[0];
    const input = describeInput(meta.name, meta.dims);
    // The input tensor follows the model's input type: float16 models take float16.
    const type = meta.type === 'float16' ? 'float16' : 'float32';
    const mean = info.mean ?? 0;
    const std = info.std ?? 1;
    const tensor = (p: PixelData) =>
      tensorFromPixels(resizePixels(p, input.width, input.height, 'fill'), { channels: input.channels, layout: input.layout, mean, std, type });
    const scores = async (p: PixelData) => floatValues((await session.run({ [meta.name]: tensor(p) }))[session.outputNames[0]]);
    stage('running');
    await scores(image); // binds free dims and compiles what create could not: untimed
    const times: number[] = [];
    let probs: Float64Array | undefined;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const s = await scores(image);
      times.push(performance.now() - t);
      probs = probabilities(s);
    }
    const [best] = topK(probs!, 1);
    const predictions: number[] = [];
    let correct = 0;
    for (let n = 0; n < count; n++) {
      if (n % 25 === 0) stage('testing', n);
      const top = topK(await scores(samplePixels({ pixels: tests.pixels.subarray(n * 784, (n + 1) * 784) })), 1)[0].index;
      predictions.push(top);
      if (top === tests.labels[n]) correct++;
    }
    return { bytes: bytes.length, inputType: meta.type, createMs, medianMs: median(times), top1: best.index, probability: best.value, predictions, correct };
  } finally {
    await session.release();
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const COLUMNS = ['Form', 'Input', 'File', 'Create', 'Latency', 'Top-1 on the image', '= fp32', 'Test accuracy', 'vs fp32'];

const HEAD_TITLES: Record<string, string> = {
  Input: "the model's declared input type (the tensor the page feeds)",
  Latency: `median of ${RUNS} runs on the image, after one untimed run`,
  '= fp32': "the same top-1 as fp32's on the image",
  'vs fp32': 'accuracy difference to fp32, and test images with the same top-1 as fp32',
};

function pct(x: number, n: number): string {
  return `${((100 * x) / n).toFixed(1)}%`;
}

/** The row of a form: its name and description, then cells filled in as it runs. */
function formRow(f: Form): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.form = f.id;
  tr.dataset.state = 'queued';
  tr.className = `precision-${f.precision}`;
  const name = cell(f.id, 'form');
  const what = document.createElement('small');
  what.textContent = f.what;
  name.append(what);
  tr.append(name, ...Array.from({ length: COLUMNS.length - 1 }, () => cell('')));
  return tr;
}

/**
 * Wires the panel. `serial` queues its GPU work behind the page's other engine calls; `currentImage`
 * gives the image on show in the page (else a sample of the model's sidecar is used). Returns
 * `compare`, which runs the picked model's forms.
 */
export function setUpPrecision(
  serial: <T>(f: () => Promise<T>) => Promise<T>,
  onError: (e: unknown) => void,
  currentImage: () => { pixels: PixelData; caption: string } | undefined,
): () => Promise<void> {
  const panel = $('precision-panel');
  const picker = $<HTMLSelectElement>('precision-model');
  for (const m of PRECISION_MODELS) picker.append(new Option(m.title, m.id));
  const table = $<HTMLTableElement>('precision-table');
  const button = $<HTMLButtonElement>('precision-run');

  const compare = async (): Promise<void> => {
    const model = picker.value;
    panel.dataset.state = 'running';
    panel.dataset.model = model;
    button.disabled = true;
    const head = document.createElement('tr');
    for (const h of COLUMNS) head.append(Object.assign(document.createElement('th'), { textContent: h, title: HEAD_TITLES[h] ?? '' }));
    const rows = FORMS.map(formRow);
    table.replaceChildren(head, ...rows);
    try {
      const [info, tests] = await Promise.all([
        fetch(new URL(`models/${model}.json`, location.href)).then(async (r) => parseModelInfo(await r.json())),
        loadTestImages(),
      ]);
      const count = Math.min(Number($<HTMLSelectElement>('precision-count').value), tests.labels.length);
      const shown = currentImage() ?? (info.samples[0] ? { pixels: samplePixels(info.samples[0]), caption: 'sample 1' } : undefined);
      if (!shown) throw new Error(`no image to classify: ${model}.json has no samples`);
      drawPixels($<HTMLCanvasElement>('precision-image'), resizePixels(shown.pixels, 28, 28));
      $('precision-image').hidden = false;
      const label = (k: number) => info.labels?.[k] ?? `class ${k}`;
      $('precision-note').textContent = `image: ${shown.caption} · latency: median of ${RUNS} runs · accuracy on the first ${count} Fashion-MNIST test images, one image per run`;
      let fp32: FormResult | undefined;
      let failed = 0;
      for (const [i, f] of FORMS.entries()) {
        const tr = rows[i];
        const cells = [...tr.cells];
        const stage: Stage = (state, done) => {
          tr.dataset.state = state;
          cells[state === 'testing' ? 7 : state === 'running' ? 4 : 3].textContent = state === 'testing' ? `${done}/${count}…` : '…';
        };
        try {
          const r = await measure(new URL(formUrl(model, f.id), location.href).href, shown.pixels, info, tests, count, stage, (n) => {
            cells[2].textContent = formatBytes(n) + (fp32 && f.id !== 'fp32' ? ` (${Math.round((100 * n) / fp32.bytes)}%)` : '');
            tr.dataset.bytes = String(n);
          });
          if (f.id === 'fp32') fp32 = r;
          const agree = fp32 ? r.top1 === fp32.top1 : undefined;
          cells[1].textContent = r.inputType;
          cells[3].textContent = `${r.createMs.toFixed(0)} ms`;
          cells[4].textContent = `${r.medianMs.toFixed(1)} ms`;
          cells[5].textContent = `${label(r.top1)} ${(100 * r.probability).toFixed(1)}%`;
          cells[6].textContent = agree === undefined ? '—' : agree ? 'yes' : 'no';
          cells[6].className = agree === undefined ? '' : agree ? 'ok' : 'bad';
          cells[7].textContent = count ? `${pct(r.correct, count)} (${r.correct}/${count})` : '—';
          if (fp32 && count) {
            const same = r.predictions.filter((p, n) => p === fp32!.predictions[n]).length;
            const d = (100 * (r.correct - fp32.correct)) / count;
            cells[8].textContent = f.id === 'fp32' ? '' : `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} pt`;
            cells[8].title = `the same top-1 as fp32 on ${same} of ${count} test images`;
            if (f.id !== 'fp32') cells[8].textContent += `, ${same} same`;
          }
          Object.assign(tr.dataset, {
            state: 'done',
            inputType: r.inputType,
            medianMs: r.medianMs.toFixed(3),
            top1: String(r.top1),
            agree: String(agree ?? ''),
            correct: String(r.correct),
            count: String(count),
            predictions: r.predictions.join(','),
          });
        } catch (e) {
          failed++;
          const err = e as Error;
          console.warn(`precision: ${model} ${f.id} failed:`, e);
          tr.dataset.state = 'error';
          tr.dataset.errorName = err?.name ?? 'Error';
          tr.dataset.error = err?.message ?? String(e);
          const td = cell(`${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? String(e)}`, 'error');
          td.colSpan = COLUMNS.length - 3;
          tr.replaceChildren(...cells.slice(0, 3), td);
        }
      }
      $('precision-note').textContent += ` · ${FORMS.length - failed} of ${FORMS.length} forms ran${failed ? `, ${failed} failed` : ''}`;
    } finally {
      panel.dataset.state = 'done';
      button.disabled = false;
    }
  };

  button.addEventListener('click', () => void serial(compare).catch(onError));
  panel.dataset.state = 'idle';
  return compare;
}
