// The project's models in every int8 form of scripts/convert-models.py (tests/util/converted-models.ts)
// on Fovea and onnxruntime-node (CPU): the same file, the manifest's evaluation inputs.
// Which onnxruntime session is the reference:
// - int8-dynamic* and int8-qoperator: graph optimisations off, every node as the ONNX / contrib
//   spec defines it (onnxruntime's optimiser would rewrite e.g. DynamicQuantizeLinear+MatMulInteger
//   into its own fused kernels, which round differently);
// - int8-qdq: optimised, as a user's session runs it: onnxruntime fuses the QDQ groups into its
//   QLinear* kernels and so does Fovea (fuse-qdq, fuse-qdq-ops); unfused, the float path rounds
//   at other places.
// Tolerances, in steps of the output's quantisation: the int32 accumulators are exact on both
// sides, but a requantised value at a .5 tie (or a float sum in another order before a dynamic
// quantisation) may land one step away, and one step in a hidden layer moves the output by about
// one output step (measured: resnet18 0.03 = 1.1 steps, everything else 0 or < 1e-6 relative).
// The output step is the reference output's range / 255 (an 8-bit quantisation of the output
// over the evaluation set, which is what the static forms' final DequantizeLinear scale is
// calibrated to): static forms atol 2 steps, dynamic forms (float outputs from per-batch scales)
// atol 1 step, except the U-Net (2 steps: its float Concat of ConvTranspose outputs feeds
// DynamicQuantizeLinear; on an AVX2 CPU onnxruntime's float kernels sum in another order, the
// scale moved by 1 ulp on one input, 2 of 65536 values crossed a rounding point, and two decoder
// layers amplified that to 1.72 steps; within 1 step on an AVX-512 CPU) and PP-OCR's
// classifier: its SE blocks feed a float GlobalAveragePool (summed in another order than
// onnxruntime's: 1-ulp differences) into DynamicQuantizeLinear, a 1-ulp
// scale moves values across rounding points, and 54 dynamic layers in a row amplify that: measured
// 5.9 steps (0.023 in a softmax probability) on its dynamic-pc form, so 8 steps and the same
// predicted orientation there. PP-OCR's detector amplifies single flips through its upsampling head, so its map
// is held to the detection itself (boxes as found on the fp32 model) and to 99% of its pixels
// within 2 steps.
// Fashion-MNIST models: top-1 accuracy on 500 labelled images; every prediction that differs from
// onnxruntime's must be a near tie (its top two logits within one output step), counted and printed.
// Run time (lavapipe, < 2 min): every model in every form; the seeded 64x64 models (resnet18,
// mobilenet_v2, unet) on 2 of their 8 inputs, PP-OCR's classifier on 8 of 32, the detector on all 4
// 160x160 pages, the Fashion-MNIST models on all 500 images in batches of 100 where the batch
// dim is free (a dynamic form then quantises each batch with one scale, on both sides alike).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ensureConverted as convert } from '../util/converted-models.js';
import { runReference } from '../util/reference.js';
import { textBoxes, type Box } from '../../demo/text-boxes.js';

const FORMS = ['int8-dynamic', 'int8-dynamic-pc', 'int8-dynamic-u8', 'int8-qdq', 'int8-qoperator'] as const;
const FASHION = ['lenet5-fashion', 'mobilenet-fashion', 'resnet-fashion', 'vgg-fashion'];
const OTHERS: [string, number][] = [['resnet18', 2], ['mobilenet_v2', 2], ['unet', 2], ['ppocr-cls', 8]];
const BATCH = 100;

type Form = (typeof FORMS)[number];
// One converter call per model (each spawns Python to check its cache: about a second).
const converted = new Map<string, ReturnType<typeof convert>>();
const ensureConverted = (name: string) => converted.get(name) ?? converted.set(name, convert(name)).get(name)!;
const steps = (form: Form, name = '') => (!form.startsWith('int8-dynamic') ? 2 : name === 'ppocr-cls' ? 8 : name === 'unet' ? 2 : 1);

interface Outputs { got: Float32Array[]; want: Float32Array[]; dims: number[] }

/** Runs `count` evaluation inputs through both runtimes in batches; returns the first output per batch. */
async function runBoth(name: string, form: Form, count: number, batch: number, freeDimensions?: Record<string, number>): Promise<Outputs> {
  const { dir, manifest, evalInputs } = ensureConverted(name);
  assert.ok(manifest.forms[form], `${name} has no ${form} form`);
  const bytes = new Uint8Array(readFileSync(join(dir, manifest.forms[form])));
  const per = manifest.dims.slice(1).reduce((a, b) => a * b, 1);
  const s = await InferenceSession.create(bytes, freeDimensions || batch > 1 ? { freeDimensions: freeDimensions ?? { batch } } : {});
  const out: Outputs = { got: [], want: [], dims: [] };
  try {
    for (let i = 0; i < count; i += batch) {
      const x = new Tensor('float32', evalInputs.slice(i * per, (i + batch) * per), [batch, ...manifest.dims.slice(1)]);
      const got = await s.run({ [manifest.input]: x });
      const want = await runReference(bytes, { [manifest.input]: x }, { optimized: form === 'int8-qdq' });
      const key = Object.keys(want)[0];
      out.got.push(Float32Array.from(got[key].data as Float32Array));
      out.want.push(Float32Array.from(want[key].data as Float32Array));
      out.dims = [...want[key].dims];
    }
  } finally {
    await s.release();
  }
  return out;
}

/** The output step (reference range / 255) and the largest difference in steps. */
function compare(o: Outputs): { step: number; worst: number; beyond: (k: number) => number; total: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of o.want) for (const v of w) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const step = (hi - lo) / 255;
  let worst = 0;
  const diffs: number[] = [];
  o.want.forEach((w, b) => w.forEach((v, i) => { const d = Math.abs(o.got[b][i] - v) / step; diffs.push(d); worst = Math.max(worst, d); }));
  return { step, worst, beyond: (k) => diffs.filter((d) => d > k).length, total: diffs.length };
}

const argmax = (v: Float32Array, at: number, n: number) => { let k = 0; for (let j = 1; j < n; j++) if (v[at + j] > v[at + k]) k = j; return k; };

for (const name of FASHION) {
  for (const form of FORMS) {
    test(`int8 ${name} ${form}: outputs within ${steps(form)} output steps of onnxruntime, same top-1 accuracy`, async () => {
      const { manifest } = ensureConverted(name);
      const batch = name === 'lenet5-fashion' ? 1 : BATCH; // lenet5's input has a fixed batch of 1
      const o = await runBoth(name, form, manifest.count, batch);
      const c = compare(o);
      const labels = manifest.labels!;
      const classes = o.dims[1];
      let [okF, okO, flips] = [0, 0, 0];
      o.want.forEach((w, b) => {
        for (let r = 0; r < w.length / classes; r++) {
          const i = b * batch + r;
          const [pf, po] = [argmax(o.got[b], r * classes, classes), argmax(w, r * classes, classes)];
          okF += Number(pf === labels[i]);
          okO += Number(po === labels[i]);
          if (pf === po) continue;
          flips++;
          // A differing prediction must be a near tie in onnxruntime's logits.
          const margin = Math.abs(w[r * classes + po] - w[r * classes + pf]);
          assert.ok(margin <= c.step, `image ${i}: Fovea predicts ${pf}, onnxruntime ${po} with a margin of ${(margin / c.step).toFixed(2)} steps`);
        }
      });
      console.log(`[int8] ${name} ${form}: worst ${c.worst.toFixed(3)} steps (step ${c.step.toExponential(2)}), accuracy Fovea ${okF}/${manifest.count} onnxruntime ${okO}/${manifest.count}, ${flips} near-tie flips`);
      assert.ok(c.worst <= steps(form), `worst difference ${c.worst.toFixed(2)} output steps`);
      assert.ok(Math.abs(okF - okO) <= flips, `accuracy ${okF} vs ${okO} with ${flips} near-tie flips`);
    });
  }
}

for (const [name, count] of OTHERS) {
  for (const form of FORMS) {
    test(`int8 ${name} ${form}: ${count} inputs within ${steps(form, name)} output steps of onnxruntime`, async () => {
      const free = name.startsWith('ppocr') ? { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 } : undefined;
      const o = await runBoth(name, form, count, 1, free);
      const c = compare(o);
      console.log(`[int8] ${name} ${form}: worst ${c.worst.toFixed(3)} steps (step ${c.step.toExponential(2)}), ${c.beyond(0)} of ${c.total} differ`);
      assert.ok(c.worst <= steps(form, name), `worst difference ${c.worst.toFixed(2)} output steps`);
      if (name === 'ppocr-cls') o.got.forEach((g, i) => assert.equal(argmax(g, 0, 2), argmax(o.want[i], 0, 2), `input ${i}: orientation`));
    });
  }
}

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (r: Box) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return (w * h) / (area(a) + area(b) - w * h);
}

test('int8 ppocr-det, every form: the text boxes of the fp32 model are found, 99% of the map within 2 steps', async () => {
  const { dir, manifest, evalInputs } = ensureConverted('ppocr-det');
  const [, , H, W] = manifest.dims;
  const free = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': H, 'p2o.DynamicDimension.2': W };
  const per = 3 * H * W;
  const fp32 = new Uint8Array(readFileSync(join(dir, manifest.fp32)));
  const expected: Box[][] = [];
  for (let i = 0; i < manifest.count; i++) {
    const x = new Tensor('float32', evalInputs.slice(i * per, (i + 1) * per), [1, 3, H, W]);
    const map = Object.values(await runReference(fp32, { [manifest.input]: x }))[0].data as Float32Array;
    expected.push(textBoxes(Float32Array.from(map), W, H));
  }
  assert.ok(expected.every((b) => b.length > 0), 'the fp32 detector finds text on every page');
  for (const form of FORMS) {
    const o = await runBoth('ppocr-det', form, manifest.count, 1, free);
    const c = compare(o);
    const found = o.got.map((m) => textBoxes(m, W, H));
    const best = expected.map((boxes, p) => boxes.map((e) => Math.max(0, ...found[p].map((f) => iou(e, f)))));
    console.log(`[int8] ppocr-det ${form}: worst ${c.worst.toFixed(1)} steps, ${c.beyond(2)} of ${c.total} beyond 2 steps; boxes fp32 ${expected.map((b) => b.length).join(',')} int8 ${found.map((b) => b.length).join(',')}, worst IoU ${Math.min(...best.flat()).toFixed(2)}`);
    assert.ok(c.beyond(2) <= 0.01 * c.total, `${form}: ${c.beyond(2)} of ${c.total} pixels beyond 2 steps`);
    for (const [p, ious] of best.entries()) assert.ok(ious.every((v) => v >= 0.5), `${form} page ${p}: fp32 boxes matched with IoU ${ious.map((v) => v.toFixed(2)).join(' ')}`);
  }
});
