// Image → input tensor: the preprocessing image classifiers expect, from the image types a page
// has at hand (ImageData, ImageBitmap, <img>, <canvas>, <video>, OffscreenCanvas, VideoFrame, or
// plain RGBA pixels), in three steps:
//   1. read RGBA pixels at the source's own size (a 2-D canvas for DOM images);
//   2. resize to the model's input (optionally centre-cropped to its aspect ratio first) with
//      an antialiased bilinear (triangle) filter, in plain JS: the same result in every browser,
//      in workers and in Node, independent of the canvas' own smoothing;
//   3. x = (pixel / 255 - mean[c]) / std[c] per channel (grayscale by ITU-R BT.601 luma for
//      1-channel models), laid out NCHW (default) or NHWC, as a float32 (or float16) Tensor [N, C, H, W].
import { InputError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { toHalfBits } from '../ir/half.js';

/** IEEE half bits of the values, exactly one per value. */
const halfBits = (v: Float32Array): Uint16Array => toHalfBits(v).subarray(0, v.length);

/** RGBA pixels, row-major, 4 bytes per pixel (the layout of ImageData). */
export interface PixelData {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Everything tensorFromImage accepts. DOM types are named structurally so that this file also
 * type-checks and runs where they do not exist (Node, workers). */
export type ImageLike =
  | PixelData
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | OffscreenCanvas
  | VideoFrame;

export interface ImageTensorOptions {
  /** Target size (the model's input width and height). */
  width: number;
  height: number;
  /** 3: RGB (default); 1: grayscale. */
  channels?: 1 | 3;
  /** Subtracted from pixel / 255, per channel or one for all (default 0). */
  mean?: number | readonly number[];
  /** Divides (pixel / 255 - mean), per channel or one for all (default 1). */
  std?: number | readonly number[];
  /**
   * 'fill' (default) stretches the whole image to width × height; 'cover' first crops the
   * centre to the target's aspect ratio, as ImageNet evaluation does.
   */
  fit?: 'fill' | 'cover';
  /** Use 255 - pixel (dark objects on light backgrounds, for models trained the other way round). */
  invert?: boolean;
  /** Element layout (default 'NCHW'). */
  layout?: 'NCHW' | 'NHWC';
  /** The tensor's type (default 'float32'): 'float16' for a model whose input is float16
   * (values rounded to float16; see the session's inputMetadata[i].type). */
  type?: 'float32' | 'float16';
}

function isPixelData(x: unknown): x is PixelData {
  const o = x as PixelData;
  return !!o && typeof o.width === 'number' && typeof o.height === 'number' && (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array);
}

function checkPixels(p: PixelData, what: string): void {
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width <= 0 || p.height <= 0) {
    throw new InputError(`${what}: invalid size ${p.width}×${p.height}`);
  }
  if (p.data.length !== p.width * p.height * 4) {
    throw new InputError(`${what}: ${p.data.length} bytes of pixels, a ${p.width}×${p.height} RGBA image has ${p.width * p.height * 4}`);
  }
}

/** The drawable size of a DOM image source (natural size for <img>, display size for video). */
function sourceSize(s: ImageLike): { width: number; height: number } {
  const o = s as unknown as Record<string, unknown>;
  if (typeof o.naturalWidth === 'number') {
    const img = s as HTMLImageElement;
    if (!img.complete || img.naturalWidth === 0) throw new InputError('the <img> has not loaded yet (or failed to)', { hint: 'await img.decode() first' });
    return { width: img.naturalWidth, height: img.naturalHeight };
  }
  if (typeof o.videoWidth === 'number') {
    const v = s as HTMLVideoElement;
    if (v.readyState < 2 || v.videoWidth === 0) throw new InputError('the <video> has no frame yet', { hint: "wait for its 'loadeddata' event" });
    return { width: v.videoWidth, height: v.videoHeight };
  }
  if (typeof o.displayWidth === 'number') return { width: (s as VideoFrame).displayWidth, height: (s as VideoFrame).displayHeight };
  if (typeof o.width === 'number' && typeof o.height === 'number') return { width: o.width as number, height: o.height as number };
  throw new InputError('not an image: expected ImageData, ImageBitmap, an <img>, <canvas> or <video> element, OffscreenCanvas, VideoFrame or {width, height, data}');
}

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function canvas2d(width: number, height: number): Canvas2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (c) return c;
  }
  if (typeof document !== 'undefined') {
    const el = document.createElement('canvas');
    el.width = width;
    el.height = height;
    const c = el.getContext('2d', { willReadFrequently: true });
    if (c) return c;
  }
  throw new InputError('reading a DOM image needs a 2-D canvas (OffscreenCanvas or document), which this environment lacks', {
    hint: 'pass ImageData-like {width, height, data} pixels instead',
  });
}

/** The RGBA pixels of any ImageLike, at its own size. */
export function readPixels(source: ImageLike): PixelData {
  if (isPixelData(source)) {
    checkPixels(source, 'image');
    return source;
  }
  const { width, height } = sourceSize(source);
  if (!(width > 0 && height > 0)) throw new InputError(`the image is empty (${width}×${height})`);
  const ctx = canvas2d(width, height);
  ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
  const d = ctx.getImageData(0, 0, width, height);
  return { width, height, data: d.data };
}

/**
 * One axis of an antialiased bilinear resize: for each output index, the input indices and
 * weights of a triangle filter centred on the output pixel's centre (half-pixel convention),
 * widened by the scale when shrinking so that every input pixel contributes (no aliasing).
 * Weights are normalised, so a constant image stays constant.
 */
function filterTaps(inSize: number, outSize: number, offset: number, span: number): { first: Int32Array; count: Int32Array; weights: Float32Array; maxTaps: number } {
  const scale = span / outSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const centre = offset + (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize - 1, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let i = lo; i <= hi && n < maxTaps; i++) {
      const w = Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support);
      if (w === 0 && n === 0) continue;
      if (w === 0) break;
      if (n === 0) first[o] = i;
      weights[o * maxTaps + n++] = w;
      total += w;
    }
    if (n === 0) {
      // The centre lies outside every pixel's footprint (only at the image border): nearest pixel.
      first[o] = Math.min(inSize - 1, Math.max(0, Math.floor(centre)));
      weights[o * maxTaps] = 1;
      n = 1;
      total = 1;
    }
    for (let k = 0; k < n; k++) weights[o * maxTaps + k] /= total;
    count[o] = n;
  }
  return { first, count, weights, maxTaps };
}

/**
 * Resizes RGBA pixels to width × height (antialiased bilinear). With fit 'cover', only the
 * centred region of the target's aspect ratio is used. Same size and 'fill': returned as is.
 */
export function resizePixels(src: PixelData, width: number, height: number, fit: 'fill' | 'cover' = 'fill'): PixelData {
  checkPixels(src, 'resizePixels');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InputError(`resizePixels: invalid target size ${width}×${height}`);
  }
  // The source region: all of it, or its centre at the target's aspect ratio.
  let [x0, y0, w, h] = [0, 0, src.width, src.height];
  if (fit === 'cover') {
    const target = width / height;
    if (src.width / src.height > target) {
      w = src.height * target;
      x0 = (src.width - w) / 2;
    } else {
      h = src.width / target;
      y0 = (src.height - h) / 2;
    }
  }
  if (width === src.width && height === src.height && x0 === 0 && y0 === 0) return src;
  const fx = filterTaps(src.width, width, x0, w);
  const fy = filterTaps(src.height, height, y0, h);
  // Separable: rows first (into float), then columns.
  const tmp = new Float32Array(src.height * width * 4);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * 4;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      const f0 = fx.first[x];
      for (let k = 0; k < fx.count[x]; k++) {
        const wgt = fx.weights[x * fx.maxTaps + k];
        const p = row + (f0 + k) * 4;
        r += wgt * src.data[p];
        g += wgt * src.data[p + 1];
        b += wgt * src.data[p + 2];
        a += wgt * src.data[p + 3];
      }
      const q = (y * width + x) * 4;
      tmp[q] = r;
      tmp[q + 1] = g;
      tmp[q + 2] = b;
      tmp[q + 3] = a;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f0 = fy.first[y];
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = 0; k < fy.count[y]; k++) {
        const wgt = fy.weights[y * fy.maxTaps + k];
        const p = ((f0 + k) * width + x) * 4;
        r += wgt * tmp[p];
        g += wgt * tmp[p + 1];
        b += wgt * tmp[p + 2];
        a += wgt * tmp[p + 3];
      }
      const q = (y * width + x) * 4;
      // Uint8ClampedArray rounds half to even and clamps.
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
      out[q + 3] = a;
    }
  }
  return { width, height, data: out };
}

function perChannel(v: number | readonly number[] | undefined, channels: number, def: number, name: string): number[] {
  if (v === undefined) return new Array<number>(channels).fill(def);
  const list = typeof v === 'number' ? new Array<number>(channels).fill(v) : [...v];
  if (list.length === 1 && channels > 1) return new Array<number>(channels).fill(list[0]);
  if (list.length !== channels || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InputError(`${name} must be a number or ${channels} numbers, got ${JSON.stringify(v)}`);
  }
  if (name === 'std' && list.some((x) => x === 0)) throw new InputError('std must not be 0');
  return list;
}

/**
 * Normalised input tensor [N, C, H, W] (or [N, H, W, C]) from images already at the target size.
 * Grayscale is 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert('L')); alpha is ignored.
 */
export function tensorFromPixels(images: PixelData | readonly PixelData[], options: Omit<ImageTensorOptions, 'width' | 'height' | 'fit'> = {}): Tensor {
  const list = Array.isArray(images) ? (images as readonly PixelData[]) : [images as PixelData];
  if (list.length === 0) throw new InputError('tensorFromPixels: no images');
  const { width, height } = list[0];
  for (const [i, p] of list.entries()) {
    checkPixels(p, `image ${i}`);
    if (p.width !== width || p.height !== height) throw new InputError(`image ${i} is ${p.width}×${p.height}, image 0 is ${width}×${height}: resize them first`);
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new InputError(`channels must be 1 or 3, got ${String(channels)}`);
  const mean = perChannel(options.mean, channels, 0, 'mean');
  const std = perChannel(options.std, channels, 1, 'std');
  const nchw = (options.layout ?? 'NCHW') === 'NCHW';
  if (!nchw && options.layout !== 'NHWC') throw new InputError(`layout must be 'NCHW' or 'NHWC', got ${String(options.layout)}`);
  const plane = width * height;
  const out = new Float32Array(list.length * channels * plane);
  for (const [n, p] of list.entries()) {
    const base = n * channels * plane;
    for (let i = 0; i < plane; i++) {
      let r = p.data[i * 4], g = p.data[i * 4 + 1], b = p.data[i * 4 + 2];
      if (options.invert) [r, g, b] = [255 - r, 255 - g, 255 - b];
      if (channels === 1) {
        // Gray pixels stay exactly themselves (the weighted sum could be off by an ulp).
        const y = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
        out[base + i] = (y / 255 - mean[0]) / std[0];
      } else {
        const rgb = [r, g, b];
        for (let c = 0; c < 3; c++) {
          const v = (rgb[c] / 255 - mean[c]) / std[c];
          out[nchw ? base + c * plane + i : base + i * 3 + c] = v;
        }
      }
    }
  }
  const dims = nchw ? [list.length, channels, height, width] : [list.length, height, width, channels];
  const type = options.type ?? 'float32';
  if (type === 'float16') return new Tensor('float16', halfBits(out), dims);
  if (type !== 'float32') throw new InputError(`type must be 'float32' or 'float16', got ${String(type)}`);
  return new Tensor('float32', out, dims);
}

/**
 * The model input for one image or a batch: read, resize to options.width × options.height,
 * normalise, lay out (as float32, or float16 with `type`). E.g. for an ImageNet classifier:
 *   tensorFromImage(img, { width: 224, height: 224, fit: 'cover', mean: IMAGENET_MEAN, std: IMAGENET_STD })
 */
export function tensorFromImage(source: ImageLike | readonly ImageLike[], options: ImageTensorOptions): Tensor {
  const list = Array.isArray(source) ? (source as readonly ImageLike[]) : [source as ImageLike];
  const pixels = list.map((s) => resizePixels(readPixels(s), options.width, options.height, options.fit ?? 'fill'));
  return tensorFromPixels(pixels, options);
}

/** ImageNet's per-channel mean and std of pixel / 255 (RGB), used by torchvision and the ONNX model zoo. */
export const IMAGENET_MEAN: readonly number[] = Object.freeze([0.485, 0.456, 0.406]);
export const IMAGENET_STD: readonly number[] = Object.freeze([0.229, 0.224, 0.225]);
