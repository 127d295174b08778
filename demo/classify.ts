// The demo's model description and the pure steps around inference: parsing the model's JSON
// sidecar, turning a 28×28 uint8 image into the model's input, and reading predictions.
//
// The sidecar (`<model>.json`, next to `<model>.onnx` in demo/public/models/) holds:
//   {
//     "labels":  ["T-shirt/top", "Trouser", …],   class names in the model's output order
//     "mean":    0.286,  "std": 0.353,             normalisation of pixel/255 (number or [number]);
//                                                   optional, default 0 and 1
//     "samples": [ { "label": 9, "pixels": [784 × uint8] }, … ],
//     "dataset": "Fashion-MNIST", "testAccuracy": 0.9   optional, shown on the page
//   }
// scripts/train-lenet.py writes it (with more fields, e.g. PyTorch's logits per sample).
// `pixels` are row-major, 0 = background, as in the Fashion-MNIST files. A sample may also be a
// bare 784-array (no label), and `image` is accepted for `pixels`.

export interface Sample {
  pixels: Uint8Array;
  /** Index into labels, when known. */
  label?: number;
}

export interface ModelInfo {
  labels: string[];
  mean: number;
  std: number;
  samples: Sample[];
  dataset?: string;
  /** Accuracy on the dataset's test split, as measured by the training script (0..1). */
  testAccuracy?: number;
}

export const IMAGE_SIDE = 28;
const PIXELS = IMAGE_SIDE * IMAGE_SIDE;

function scalar(v: unknown, name: string, def: number): number {
  if (v === undefined) return def;
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`model info: "${name}" must be a number (or a one-element array)`);
  return x;
}

export function parseModelInfo(json: unknown): ModelInfo {
  if (!json || typeof json !== 'object') throw new Error('model info: expected a JSON object');
  const o = json as Record<string, unknown>;
  if (!Array.isArray(o.labels) || !o.labels.every((l) => typeof l === 'string')) throw new Error('model info: "labels" must be an array of strings');
  if (!Array.isArray(o.samples)) throw new Error('model info: "samples" must be an array');
  const labels = o.labels as string[];
  const samples = o.samples.map((s, i): Sample => {
    const rec = Array.isArray(s) ? { pixels: s } : (s as Record<string, unknown>);
    const px = rec?.pixels ?? rec?.image;
    if (!Array.isArray(px) || px.length !== PIXELS || !px.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new Error(`model info: sample ${i} must have ${PIXELS} pixels in 0..255`);
    }
    const label = rec.label;
    if (label !== undefined && !(Number.isInteger(label) && (label as number) >= 0 && (label as number) < labels.length)) {
      throw new Error(`model info: sample ${i} has label ${String(label)}, not an index into labels`);
    }
    return { pixels: Uint8Array.from(px as number[]), label: label as number | undefined };
  });
  const std = scalar(o.std, 'std', 1);
  if (std === 0) throw new Error('model info: "std" must not be 0');
  return {
    labels,
    mean: scalar(o.mean, 'mean', 0),
    std,
    samples,
    dataset: typeof o.dataset === 'string' ? o.dataset : undefined,
    testAccuracy: typeof o.testAccuracy === 'number' ? o.testAccuracy : undefined,
  };
}

/** The model input's dims with free (named) dims bound to 1; it must hold exactly one image. */
export function inputDims(declared: readonly (number | string)[]): number[] {
  const dims = declared.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== PIXELS) throw new Error(`the model's input [${declared.join(', ')}] does not hold one ${IMAGE_SIDE}×${IMAGE_SIDE} image`);
  return dims;
}

export function preprocess(pixels: Uint8Array, mean: number, std: number): Float32Array {
  const x = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) x[i] = (pixels[i] / 255 - mean) / std;
  return x;
}

/**
 * Class probabilities from the model's output: used as they are when they already are a
 * distribution (a Softmax at the end of the model), else softmax of the logits.
 */
export function probabilities(out: ArrayLike<number>): Float64Array {
  let sum = 0;
  let inUnit = true;
  for (let i = 0; i < out.length; i++) {
    sum += out[i];
    if (!(out[i] >= 0 && out[i] <= 1)) inUnit = false;
  }
  const p = new Float64Array(out.length);
  if (inUnit && Math.abs(sum - 1) < 1e-3) {
    for (let i = 0; i < out.length; i++) p[i] = out[i];
    return p;
  }
  let max = -Infinity;
  for (let i = 0; i < out.length; i++) max = Math.max(max, out[i]);
  let z = 0;
  for (let i = 0; i < out.length; i++) z += p[i] = Math.exp(out[i] - max);
  for (let i = 0; i < out.length; i++) p[i] /= z;
  return p;
}

export function topK(p: ArrayLike<number>, k: number): { index: number; p: number }[] {
  return Array.from(p, (v, index) => ({ index, p: v }))
    .sort((a, b) => b.p - a.p || a.index - b.index)
    .slice(0, k);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
