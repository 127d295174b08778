// Drawing for the demo: images, feature-map grids, the CAM heat map (a transparent overlay), and
// the text detector's probability map with its boxes.
import type { PixelData } from 'fovea';
import type { FeatureMap } from './engine.js';

/** Draws RGBA pixels 1:1 into the canvas (CSS scales it up, pixelated). */
export function drawPixels(canvas: HTMLCanvasElement, p: PixelData): void {
  canvas.width = p.width;
  canvas.height = p.height;
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(p.data), p.width, p.height), 0, 0);
}

/**
 * One small canvas per channel of a [1, C, H, W] map (the first `max` channels), each scaled to
 * its own min..max (a channel that is constant draws mid-gray). Sets data-channels (C),
 * data-shown and data-active (channels that are not constant) on the grid.
 */
export function drawFeatureGrid(grid: HTMLElement, map: FeatureMap, max: number): { shown: number; active: number } {
  const [, c, h, w] = map.dims;
  const shown = Math.min(c, max);
  let active = 0;
  const cells: HTMLElement[] = [];
  for (let ch = 0; ch < shown; ch++) {
    const plane = map.data.subarray(ch * h * w, (ch + 1) * h * w);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of plane) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi > lo) active++;
    const img = new ImageData(w, h);
    for (let i = 0; i < plane.length; i++) {
      const v = hi > lo ? Math.round((255 * (plane[i] - lo)) / (hi - lo)) : 128;
      img.data.set([v, v, v, 255], i * 4);
    }
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')!.putImageData(img, 0, 0);
    canvas.title = `channel ${ch}: ${lo.toPrecision(3)} … ${hi.toPrecision(3)}`;
    const cell = document.createElement('figure');
    cell.className = 'channel';
    const cap = document.createElement('figcaption');
    cap.textContent = String(ch);
    cell.append(canvas, cap);
    cells.push(cell);
  }
  grid.replaceChildren(...cells);
  grid.dataset.channels = String(c);
  grid.dataset.shown = String(shown);
  grid.dataset.active = String(active);
  return { shown, active };
}

/** A blue → cyan → yellow → red ramp ("jet"-like), t in 0..1. */
function heat(t: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)));
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/**
 * Draws the CAM [h × w] as a heat map over the whole canvas (which lies over the input image):
 * normalised to 0..1 over its range, upsampled smoothly by the canvas, more opaque where hotter.
 * Sets data-drawn.
 */
export function drawCam(canvas: HTMLCanvasElement, cam: Float32Array, h: number, w: number, size = 224): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of cam) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const small = new OffscreenCanvas(w, h);
  const img = new ImageData(w, h);
  for (let i = 0; i < cam.length; i++) {
    const t = hi > lo ? (cam[i] - lo) / (hi - lo) : 0;
    const [r, g, b] = heat(t);
    img.data.set([r, g, b, Math.round(25 + 150 * t)], i * 4);
  }
  small.getContext('2d')!.putImageData(img, 0, 0);
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, size, size);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small, 0, 0, size, size);
  canvas.dataset.drawn = 'true';
}

/**
 * The text detector's output over the picture: the probability map [h × w] as translucent red
 * (opacity grows with the probability, scaled smoothly to the picture's size), and the detected
 * boxes (in picture pixels) outlined. The canvas lies over the picture, at the picture's size.
 * Sets data-drawn.
 */
export function drawTextOverlay(
  canvas: HTMLCanvasElement,
  prob: Float32Array,
  h: number,
  w: number,
  width: number,
  height: number,
  boxes: readonly { x0: number; y0: number; x1: number; y1: number }[],
  threshold: number,
): void {
  const small = new OffscreenCanvas(w, h);
  const img = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const p = Math.min(1, Math.max(0, prob[i]));
    // Below the threshold faintly, above it clearly: the map's shape and what counts as text.
    img.data.set([230, 30, 30, Math.round(p > threshold ? 60 + 120 * p : 90 * p)], i * 4);
  }
  small.getContext('2d')!.putImageData(img, 0, 0);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, width, height);
  ctx.strokeStyle = '#0a7d2c';
  ctx.lineWidth = 2;
  for (const b of boxes) ctx.strokeRect(b.x0 + 1, b.y0 + 1, b.x1 - b.x0 - 2, b.y1 - b.y0 - 2);
  canvas.dataset.drawn = 'true';
}
