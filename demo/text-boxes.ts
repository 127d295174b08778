// The PP-OCR text detector's post-processing (PaddleOCR's DB form): the demo's text-detection
// view (demo/ocr.ts) and the detector's Node test (tests/zoo.test.ts) both read their boxes from
// it. No imports: plain arithmetic on the probability map.

/** PaddleOCR's DB post-processing threshold on the probability map (det_db_thresh). */
export const THRESHOLD = 0.3;
/** DB predicts text regions shrunk by area * ratio / perimeter; PaddleOCR's det_db_unclip_ratio. */
const UNCLIP_RATIO = 1.5;
/** Axis-aligned box in pixels: x0/y0 inclusive, x1/y1 exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The detector's post-processing in PaddleOCR's DB form, with boxes upright: pixels above
 * `threshold` form 4-connected regions; each region's bounding box is grown on every side by
 * area * unclipRatio / perimeter, and regions thinner than `minSide` are dropped as noise.
 */
export function textBoxes(prob: Float32Array, width: number, height: number, threshold = THRESHOLD, unclipRatio = UNCLIP_RATIO, minSide = 3): Box[] {
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const boxes: Box[] = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || !(prob[start] > threshold)) continue;
    seen[start] = 1;
    stack.push(start);
    let [x0, y0, x1, y1] = [width, height, 0, 0];
    while (stack.length) {
      const p = stack.pop()!;
      const px = p % width;
      const py = (p - px) / width;
      x0 = Math.min(x0, px);
      y0 = Math.min(y0, py);
      x1 = Math.max(x1, px + 1);
      y1 = Math.max(y1, py + 1);
      const neighbours = [px > 0 ? p - 1 : -1, px < width - 1 ? p + 1 : -1, py > 0 ? p - width : -1, py < height - 1 ? p + width : -1];
      for (const q of neighbours) {
        if (q >= 0 && !seen[q] && prob[q] > threshold) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    const [w, h] = [x1 - x0, y1 - y0];
    if (Math.min(w, h) < minSide) continue;
    const d = Math.round((w * h * unclipRatio) / (2 * (w + h)));
    boxes.push({ x0: Math.max(0, x0 - d), y0: Math.max(0, y0 - d), x1: Math.min(width, x1 + d), y1: Math.min(height, y1 + d) });
  }
  return boxes;
}
