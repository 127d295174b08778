// The demo's model descriptions and the pure steps around inference: the bundled models, their
// JSON sidecars, and how a loaded model's input is prepared (labels, normalisation, size).
//
// A sidecar (`<model>.json` next to `<model>.onnx`; scripts/train-lenet.py and
// scripts/train-models.py write the bundled ones) holds:
//   {
//     "labels":  ["T-shirt/top", "Trouser", …],   class names in the model's output order
//     "mean":    0.286,  "std": 0.353,             normalisation of pixel/255 (a number, or one
//                                                   per channel); optional, default 0 and 1
//     "samples": [ { "label": 9, "top1": 9, "pixels": [784 × uint8] }, … ],  optional
//     "dataset": "…", "architecture": "…", "testAccuracy": 0.9   optional, shown on the page
//   }
// `pixels` are a 28×28 grayscale image, row-major, 0 = background (Fashion-MNIST); `top1` is
// PyTorch's prediction for it. A sample may also be a bare 784-array, and `image` is accepted
// for `pixels`. Models without a sidecar get ImageNet's labels and preprocessing when they look
// like ImageNet classifiers (RGB input, 1000 or 1001 classes), else "class N" and no scaling.
import { IMAGENET_LABELS, IMAGENET_MEAN, IMAGENET_STD, describeInput, type ClassifierInput, type PixelData } from 'fovea';

export interface BundledModel {
  id: string;
  title: string;
}

/** The models in demo/public/models/ (each with its sidecar). The first one opens by default. */
export const BUNDLED: readonly BundledModel[] = [
  { id: 'resnet-fashion', title: 'ResNet-style (Fashion-MNIST)' },
  { id: 'mobilenet-fashion', title: 'MobileNet-style (Fashion-MNIST)' },
  { id: 'vgg-fashion', title: 'VGG-style (Fashion-MNIST)' },
  { id: 'lenet5-fashion', title: 'LeNet-5 (Fashion-MNIST)' },
];

export interface Sample {
  pixels: Uint8Array;
  /** Index into labels, when known. */
  label?: number;
  /** PyTorch's top-1, when the sidecar records it. */
  top1?: number;
}

export interface ModelInfo {
  labels?: string[];
  mean?: number | number[];
  std?: number | number[];
  samples: Sample[];
  dataset?: string;
  architecture?: string;
  /** Accuracy on the dataset's test split, as measured by the training script (0..1). */
  testAccuracy?: number;
}

export const IMAGE_SIDE = 28;
const PIXELS = IMAGE_SIDE * IMAGE_SIDE;

function numbers(v: unknown, name: string): number | number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  throw new Error(`model info: "${name}" must be a number or an array of numbers`);
}

export function parseModelInfo(json: unknown): ModelInfo {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('model info: expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o.labels !== undefined && (!Array.isArray(o.labels) || !o.labels.every((l) => typeof l === 'string'))) throw new Error('model info: "labels" must be an array of strings');
  if (o.samples !== undefined && !Array.isArray(o.samples)) throw new Error('model info: "samples" must be an array');
  const labels = o.labels as string[] | undefined;
  const classIndex = (v: unknown, what: string, i: number) => {
    if (v === undefined) return undefined;
    if (!(Number.isInteger(v) && (v as number) >= 0 && (!labels || (v as number) < labels.length))) throw new Error(`model info: sample ${i} has ${what} ${String(v)}, not a class index`);
    return v as number;
  };
  const samples = ((o.samples as unknown[] | undefined) ?? []).map((s, i): Sample => {
    const rec = Array.isArray(s) ? { pixels: s } : (s as Record<string, unknown>);
    const px = rec?.pixels ?? rec?.image;
    if (!Array.isArray(px) || px.length !== PIXELS || !px.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new Error(`model info: sample ${i} must have ${PIXELS} pixels in 0..255`);
    }
    return { pixels: Uint8Array.from(px as number[]), label: classIndex(rec.label, 'label', i), top1: classIndex(rec.top1, 'top1', i) };
  });
  const std = numbers(o.std, 'std');
  if (std !== undefined && (typeof std === 'number' ? [std] : std).some((x) => x === 0)) throw new Error('model info: "std" must not be 0');
  return {
    labels,
    mean: numbers(o.mean, 'mean'),
    std,
    samples,
    dataset: typeof o.dataset === 'string' ? o.dataset : undefined,
    architecture: typeof o.architecture === 'string' ? o.architecture : undefined,
    testAccuracy: typeof o.testAccuracy === 'number' ? o.testAccuracy : undefined,
  };
}

/** A sample as RGBA pixels (gray: R = G = B). */
export function samplePixels(s: Sample): PixelData {
  const data = new Uint8ClampedArray(PIXELS * 4);
  for (let i = 0; i < PIXELS; i++) data.set([s.pixels[i], s.pixels[i], s.pixels[i], 255], i * 4);
  return { width: IMAGE_SIDE, height: IMAGE_SIDE, data };
}

/** How images are turned into this model's input, and how its outputs are named. */
export interface Preparation {
  input: ClassifierInput;
  classes: number;
  labels: string[];
  mean: number | readonly number[];
  std: number | readonly number[];
  fit: 'fill' | 'cover';
  /** Where labels and normalisation came from, for the page. */
  source: 'sidecar' | 'imagenet' | 'none';
}

export function prepare(input: { name: string; declared: (number | string)[] }, outputDims: number[], info: ModelInfo | undefined): Preparation {
  const desc = describeInput(input.name, input.declared);
  const classes = outputDims.reduce((a, b) => a * b, 1);
  if (info?.labels && info.labels.length !== classes) throw new Error(`the sidecar has ${info.labels.length} labels, the model ${classes} outputs`);
  const imagenet = !info?.labels && desc.channels === 3 && (classes === 1000 || classes === 1001);
  if (imagenet) {
    return {
      input: desc,
      classes,
      labels: classes === 1001 ? ['background', ...IMAGENET_LABELS] : [...IMAGENET_LABELS],
      mean: info?.mean ?? IMAGENET_MEAN,
      std: info?.std ?? IMAGENET_STD,
      fit: 'cover',
      source: 'imagenet',
    };
  }
  return {
    input: desc,
    classes,
    labels: info?.labels ?? Array.from({ length: classes }, (_, i) => `class ${i}`),
    mean: info?.mean ?? 0,
    std: info?.std ?? 1,
    fit: 'fill',
    source: info?.labels || info?.mean !== undefined ? 'sidecar' : 'none',
  };
}

/** (pixel / 255 - mean) / std for one 28×28 gray sample, as the training scripts normalise it. */
export function preprocess(pixels: Uint8Array, mean: number, std: number): Float32Array {
  const x = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) x[i] = (pixels[i] / 255 - mean) / std;
  return x;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
