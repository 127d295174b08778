// runtime/app/image.ts: resize, normalisation and layout of image inputs (pure JS, no GPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGENET_MEAN, IMAGENET_STD, readPixels, resizePixels, tensorFromImage, tensorFromPixels, type PixelData } from '../runtime/index.node.js';
import { rng } from './util/rng.js';

function image(width: number, height: number, f: (x: number, y: number) => [number, number, number, number?]): PixelData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = f(x, y);
      data.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

function channel(p: PixelData, c: number): number[] {
  return Array.from({ length: p.width * p.height }, (_, i) => p.data[i * 4 + c]);
}

test('same size and fill: the pixels are used as they are', () => {
  const random = rng(3);
  const p = image(5, 3, () => [Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256)]);
  assert.equal(resizePixels(p, 5, 3), p);
  assert.equal(readPixels(p), p);
});

test('a constant image stays constant at any size (weights are normalised)', () => {
  const p = image(7, 5, () => [10, 200, 77, 255]);
  for (const [w, h] of [[3, 2], [16, 11], [7, 1], [1, 1], [20, 3]]) {
    const r = resizePixels(p, w, h);
    assert.equal(r.width, w);
    assert.equal(r.height, h);
    assert.deepEqual(new Set(channel(r, 0)), new Set([10]));
    assert.deepEqual(new Set(channel(r, 1)), new Set([200]));
    assert.deepEqual(new Set(channel(r, 2)), new Set([77]));
    assert.deepEqual(new Set(channel(r, 3)), new Set([255]));
  }
});

test('shrinking is antialiased: a checkerboard turns gray, not black or white', () => {
  // A 1-pixel checkerboard of 0/200: point sampling would give all 0 or all 200.
  const p = image(8, 8, (x, y) => ((x + y) % 2 ? [200, 200, 200] : [0, 0, 0]));
  const r = resizePixels(p, 4, 4);
  for (const v of channel(r, 0)) assert.ok(Math.abs(v - 100) <= 15, `got ${v}, want ~100`);
});

test('upscaling interpolates linearly between pixel centres', () => {
  // 2 pixels (0, 255) → 4: centres at 0.25 and 0.75 of the input; half-pixel convention gives
  // [0, 64, 191, 255] (edge pixels clamp to the edge values).
  const p = image(2, 1, (x) => (x ? [255, 255, 255] : [0, 0, 0]));
  const r = resizePixels(p, 4, 1);
  assert.deepEqual(channel(r, 0), [0, 64, 191, 255]);
});

test("fit 'cover' uses the centred region of the target's aspect ratio", () => {
  // 6×2: left third red, middle third green, right third blue. Square target: only the middle.
  const p = image(6, 2, (x) => (x < 2 ? [255, 0, 0] : x < 4 ? [0, 255, 0] : [0, 0, 255]));
  const r = resizePixels(p, 2, 2, 'cover');
  assert.deepEqual(channel(r, 1), [255, 255, 255, 255]);
  assert.deepEqual(channel(r, 0), [0, 0, 0, 0]);
  // 'fill' squeezes all three thirds in: red left, blue right.
  const f = resizePixels(p, 3, 1, 'fill');
  const [r0, r1, r2] = channel(f, 0);
  const [b0, , b2] = channel(f, 2);
  assert.ok(r0 > 200 && r1 < 64 && r2 === 0 && b0 === 0 && b2 > 200, `got R ${channel(f, 0)} B ${channel(f, 2)}`);
});

test('tensorFromPixels: NCHW, per-channel mean/std, batch', () => {
  const a = image(2, 2, (x, y) => [x * 255, y * 255, 51]);
  const b = image(2, 2, () => [255, 0, 102]);
  const t = tensorFromPixels([a, b], { mean: IMAGENET_MEAN, std: IMAGENET_STD });
  assert.deepEqual(t.dims, [2, 3, 2, 2]);
  const want = (v: number, c: number) => (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
  const d = t.data as Float32Array;
  // Image 0, channel 0 (R = x*255), pixels in row-major order.
  assert.deepEqual(Array.from(d.slice(0, 4)), [0, 255, 0, 255].map((v) => Math.fround(want(v, 0))));
  // Image 0, channel 1 (G = y*255).
  assert.deepEqual(Array.from(d.slice(4, 8)), [0, 0, 255, 255].map((v) => Math.fround(want(v, 1))));
  // Image 1, channel 2 (B = 102).
  assert.deepEqual(Array.from(d.slice(12 + 8, 12 + 12)), new Array(4).fill(Math.fround(want(102, 2))));
});

test('tensorFromPixels: NHWC interleaves the channels', () => {
  const p = image(2, 1, (x) => [x, 10 + x, 20 + x]);
  const t = tensorFromPixels(p, { layout: 'NHWC', mean: 0, std: 1 / 255 });
  assert.deepEqual(t.dims, [1, 1, 2, 3]);
  assert.deepEqual(Array.from(t.data as Float32Array).map((v) => Math.round(v * 1000) / 1000), [0, 10, 20, 1, 11, 21]);
});

test('grayscale: BT.601 luma, gray pixels exact, invert', () => {
  const p = image(3, 1, (x) => (x === 0 ? [255, 0, 0] : x === 1 ? [0, 0, 255] : [37, 37, 37]));
  const t = tensorFromPixels(p, { channels: 1, mean: 0, std: 1 / 255 });
  assert.deepEqual(t.dims, [1, 1, 1, 3]);
  const d = Array.from(t.data as Float32Array);
  assert.ok(Math.abs(d[0] - 0.299 * 255) < 1e-3);
  assert.ok(Math.abs(d[1] - 0.114 * 255) < 1e-3);
  // (37 / 255) * 255 in float32: exactly what a gray pixel of 37 must give.
  assert.equal(d[2], Math.fround(Math.fround(37 / 255) / Math.fround(1 / 255)));
  const inv = tensorFromPixels(p, { channels: 1, invert: true });
  assert.equal((inv.data as Float32Array)[2], Math.fround(218 / 255));
});

test('tensorFromImage: resize then normalise, for a Fashion-MNIST-sized gray input', () => {
  // A linear ramp: the (symmetric) filter keeps linear functions, so away from the borders
  // halving samples the ramp at the output pixel's centre: 2x + 2y at x = 2·ox + 0.5 …
  const p = image(56, 56, (x, y) => [2 * x + 2 * y, 2 * x + 2 * y, 2 * x + 2 * y]);
  const t = tensorFromImage(p, { width: 28, height: 28, channels: 1, mean: 0.286, std: 0.353 });
  assert.deepEqual(t.dims, [1, 1, 28, 28]);
  const d = t.data as Float32Array;
  for (let y = 1; y < 27; y++) {
    for (let x = 1; x < 27; x++) {
      const v = 4 * x + 4 * y + 2;
      assert.ok(Math.abs(d[y * 28 + x] - (v / 255 - 0.286) / 0.353) < 1e-5, `(${x},${y}): ${d[y * 28 + x]}`);
    }
  }
});

test('bad inputs are refused with InputError', () => {
  const p = image(2, 2, () => [0, 0, 0]);
  assert.throws(() => resizePixels(p, 0, 3), { name: 'InputError' });
  assert.throws(() => resizePixels({ width: 3, height: 3, data: new Uint8ClampedArray(10) }, 2, 2), { name: 'InputError', message: /RGBA/ });
  assert.throws(() => tensorFromPixels(p, { mean: [0.1, 0.2] }), { name: 'InputError', message: /mean/ });
  assert.throws(() => tensorFromPixels(p, { std: 0 }), { name: 'InputError', message: /std/ });
  assert.throws(() => tensorFromPixels([p, image(3, 2, () => [0, 0, 0])]), { name: 'InputError', message: /resize/ });
  assert.throws(() => tensorFromImage({} as PixelData, { width: 2, height: 2 }), { name: 'InputError', message: /not an image/ });
  // In Node there is no canvas: DOM-like sources say what to pass instead.
  assert.throws(() => readPixels({ width: 4, height: 4 } as unknown as ImageBitmap), { name: 'InputError', message: /canvas/ });
});
