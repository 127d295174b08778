// Image classification on top of InferenceSession: a model plus its labels and preprocessing,
// one call from an image to its top classes.
//
//   const c = await Classifier.create('models/resnet-fashion.onnx', { labels: 'models/resnet-fashion.json' });
//   const top = await c.classify(imgElement);   // [{ index, label, probability, score }, …]
//
// or, with a classifier cached per model: `await classify(img, { model: '…onnx' })`.
// The input's layout and size come from the model (NCHW [N, C, H, W] with C = 1 or 3, or NHWC);
// labels and mean/std come from the options, a labels file (JSON array, a JSON object with
// "labels" and optional "mean"/"std" like the demo's model sidecars, or one label per line), or,
// for models with 1000 (or 1001, background first) classes and an RGB input, ImageNet's.
import { InferenceSession, type SessionOptions } from '../session.js';
import type { ModelSource } from '../../loaders/onnx/source.js';
import { InputError, ModelLoadError } from '../errors.js';
import { IMAGENET_MEAN, IMAGENET_STD, tensorFromImage, type ImageLike } from './image.js';
import { IMAGENET_LABELS } from './imagenet-labels.js';
import { Tensor, floatValues } from '../tensor.js';

export interface Prediction {
  /** Class index in the model's output. */
  index: number;
  label: string;
  /** Softmax probability (0..1). */
  probability: number;
  /** The model's raw output for this class (logit, or probability if the model ends in Softmax). */
  score: number;
}

export interface ClassifierOptions {
  /** Class names in output order, or the URL of a labels file (see loadLabels). */
  labels?: readonly string[] | string | URL;
  /** Normalisation of pixel / 255: one number, or one per channel. */
  mean?: number | readonly number[];
  std?: number | readonly number[];
  /** How images are fitted to the input: stretched (default), or centre-cropped ('cover'). */
  fit?: 'fill' | 'cover';
  /** Feed 255 - pixel. */
  invert?: boolean;
  /**
   * 'auto' (default): ImageNet labels, mean/std and centre crop for a model with 1000 or 1001
   * classes and an RGB input, where the options (or labels file) do not say otherwise;
   * 'imagenet': always; 'none': never.
   */
  preset?: 'auto' | 'imagenet' | 'none';
  /** Input size when the model leaves height/width free (default 224). */
  size?: number;
  /** Passed to InferenceSession.create (onProgress, device, keepValues, …). */
  session?: SessionOptions;
}

export interface ClassifierInput {
  name: string;
  channels: 1 | 3;
  height: number;
  width: number;
  layout: 'NCHW' | 'NHWC';
  /** The dims fed to the model (batch 1). */
  dims: number[];
  /** The input's element type (session.inputMetadata): float16 models get a float16 tensor. */
  type?: 'float32' | 'float16';
}

export interface LabelsFile {
  labels: string[];
  mean?: number | number[];
  std?: number | number[];
}

function isNumberOrNumbers(v: unknown): v is number | number[] {
  return (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
}

/** Parses a labels file's text: a JSON array of names, a JSON object with "labels" (and
 * optional "mean"/"std"), or plain text with one label per line. */
export function parseLabels(text: string): LabelsFile {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (e) {
      throw new InputError(`labels: invalid JSON (${(e as Error).message})`);
    }
    const o = Array.isArray(json) ? { labels: json } : (json as Record<string, unknown>);
    if (!Array.isArray(o.labels) || !o.labels.every((l) => typeof l === 'string')) throw new InputError('labels: expected an array of strings (or an object with one in "labels")');
    const out: LabelsFile = { labels: o.labels as string[] };
    if (o.mean !== undefined) {
      if (!isNumberOrNumbers(o.mean)) throw new InputError('labels file: "mean" must be a number or an array of numbers');
      out.mean = o.mean;
    }
    if (o.std !== undefined) {
      if (!isNumberOrNumbers(o.std)) throw new InputError('labels file: "std" must be a number or an array of numbers');
      out.std = o.std;
    }
    return out;
  }
  return { labels: t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) };
}

/** Fetches and parses a labels file (see parseLabels). */
export async function loadLabels(url: string | URL): Promise<LabelsFile> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`could not fetch the labels ${String(url)}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError(`could not fetch the labels ${String(url)}: HTTP ${res.status}`);
  return parseLabels(await res.text());
}

/**
 * Class probabilities from a model's output: used as they are when they already form a
 * distribution (the model ends in Softmax), else the softmax of the logits.
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

/** The k largest entries, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from(values, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}

/** Reads the image input's layout from its declared dims: [N, C, H, W] or [N, H, W, C]. */
export function describeInput(name: string, declared: readonly (number | string)[], size = 224): ClassifierInput {
  if (declared.length !== 4) throw new InputError(`input "${name}" has dims [${declared.join(', ')}], an image classifier takes [N, C, H, W] or [N, H, W, C]`);
  const num = (d: number | string, def: number) => (typeof d === 'number' && d > 0 ? d : def);
  const [, d1, d2, d3] = declared;
  const isChannels = (d: number | string) => d === 1 || d === 3;
  let layout: 'NCHW' | 'NHWC';
  if (isChannels(d1)) layout = 'NCHW';
  else if (isChannels(d3)) layout = 'NHWC';
  else throw new InputError(`input "${name}" has dims [${declared.join(', ')}]: no axis of 1 or 3 channels at position 1 (NCHW) or 3 (NHWC)`);
  const channels = (layout === 'NCHW' ? d1 : d3) as 1 | 3;
  const height = num(layout === 'NCHW' ? d2 : d1, size);
  const width = num(layout === 'NCHW' ? d3 : d2, size);
  return { name, channels, height, width, layout, dims: layout === 'NCHW' ? [1, channels, height, width] : [1, height, width, channels] };
}

export class Classifier {
  private constructor(
    readonly session: InferenceSession,
    readonly input: ClassifierInput,
    readonly labels: readonly string[],
    readonly preprocessing: { mean: number | readonly number[]; std: number | readonly number[]; fit: 'fill' | 'cover'; invert: boolean; preset: 'imagenet' | 'none' },
  ) {}

  static async create(model: ModelSource, options: ClassifierOptions = {}): Promise<Classifier> {
    const labelsFile: Promise<LabelsFile | undefined> =
      typeof options.labels === 'string' || options.labels instanceof URL ? loadLabels(options.labels) : Promise.resolve(options.labels ? { labels: [...options.labels] } : undefined);
    const [session, file] = await Promise.all([InferenceSession.create(model, options.session), labelsFile]);
    try {
      const meta = session.inputMetadata[0];
      const input = { ...describeInput(meta.name, meta.dims, options.size), type: meta.type === 'float16' ? 'float16' as const : 'float32' as const };
      const out = session.outputMetadata[0];
      const known = out.dims.filter((d): d is number => typeof d === 'number' && d > 0);
      // Class count: the output's largest static dim ([N, K], [N, K, 1, 1]…), when it has one.
      const classes = known.length ? Math.max(...known) : undefined;
      const preset = options.preset ?? 'auto';
      const imagenet = preset === 'imagenet' || (preset === 'auto' && input.channels === 3 && (classes === 1000 || classes === 1001) && !file);
      let labels = file?.labels;
      if (!labels && imagenet) labels = classes === 1001 ? ['background', ...IMAGENET_LABELS] : [...IMAGENET_LABELS];
      if (labels && classes !== undefined && labels.length !== classes) {
        throw new InputError(`${labels.length} labels for a model with ${classes} outputs`, { hint: 'give the labels of this model' });
      }
      const mean = options.mean ?? file?.mean ?? (imagenet ? IMAGENET_MEAN : 0);
      const std = options.std ?? file?.std ?? (imagenet ? IMAGENET_STD : 1);
      return new Classifier(session, input, labels ?? [], {
        mean,
        std,
        fit: options.fit ?? (imagenet ? 'cover' : 'fill'),
        invert: options.invert ?? false,
        preset: imagenet ? 'imagenet' : 'none',
      });
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** The model's input tensor for an image (resized, normalised, in the model's layout). */
  tensor(image: ImageLike | readonly ImageLike[]): Tensor {
    const { width, height, channels, layout, type } = this.input;
    return tensorFromImage(image, { width, height, channels, layout, type, ...this.preprocessing });
  }

  /** The model's raw first output for one image (logits or probabilities), as float32 values
   * (a float16 output decoded). */
  async scores(image: ImageLike | Tensor): Promise<Float32Array> {
    const t = image instanceof Tensor ? image : this.tensor(image);
    const out = await this.session.run({ [this.input.name]: t });
    return floatValues(out[this.session.outputNames[0]]);
  }

  /** The top classes of one image, most probable first. */
  async classify(image: ImageLike | Tensor, options: { top?: number } = {}): Promise<Prediction[]> {
    return this.predictions(await this.scores(image), options.top ?? 5);
  }

  /** Top-k predictions from raw scores. */
  predictions(scores: ArrayLike<number>, top = 5): Prediction[] {
    const p = probabilities(scores);
    return topK(p, top).map(({ index, value }) => ({ index, label: this.labels[index] ?? `class ${index}`, probability: value, score: scores[index] }));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

const cache = new Map<string, Promise<Classifier>>();

/**
 * Classifies one image in one call: the classifier for `model` is created at the first call
 * and reused by later ones with the same model URL (a failed load is not cached).
 */
export async function classify(image: ImageLike, options: ClassifierOptions & { model: string | URL; top?: number }): Promise<Prediction[]> {
  const key = JSON.stringify([String(options.model), typeof options.labels === 'object' && !(options.labels instanceof URL) ? options.labels : String(options.labels ?? ''), options.mean, options.std, options.fit, options.invert, options.preset, options.size]);
  let c = cache.get(key);
  if (!c) {
    c = Classifier.create(String(options.model), options);
    cache.set(key, c);
    c.catch(() => cache.delete(key));
  }
  return (await c).classify(image, { top: options.top });
}
