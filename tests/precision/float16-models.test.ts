// Whole float16 models against onnxruntime-node (CPU) on the same files: every float16 form
// scripts/convert-models.py makes of the project's models (fp16: float16 I/O; fp16-keep-io:
// float32 I/O with boundary Casts; fp16-mixed: some ops float32 with Casts between;
// fp16-weights: float16 initializers cast to float32), on the manifest's evaluation inputs,
// on both storage paths of float16 values: f16 where the device has shader-f16, p16 (packed two
// per word, the path of devices without it; the f32-widened storage is covered op by op in
// float16.test.ts and float16-conv.test.ts).
// Tolerance: relative to the output's largest magnitude (max|a-b| / max|b|). onnxruntime rounds
// every op's result to float16; Fovea rounds on every store too but accumulates each dot product
// in f32 in another order — so the two drift
// apart by a few float16 steps per layer: 1e-2 covers ~20 layers of 2^-11 steps (mobilenet_v2,
// whose own fp16-vs-fp32 error on onnxruntime is 1.6e-2, gets 3e-2). fp16-weights computes in
// float32 after folding the Casts at load: float32 tolerance.
// PP-OCR's detector ends in a Sigmoid probability map that is nearly binary: one pixel at the
// threshold that rounds the other way is a 1.0-scale difference, so the map is held to its mean
// absolute error (5e-3) and to the overlap of the maps thresholded at 0.3 (the DB post-processing
// threshold, demo/text-boxes.ts): IoU >= 0.98.
// The Fashion-MNIST models' top-1 accuracy over evaluation images equals onnxruntime's on the
// same file, up to images whose top two onnxruntime logits lie within the tolerance (counted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureConverted } from '../util/converted-models.js';
import { referenceSession, relativeError, valuesOf } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';

const FORMS = ['fp16', 'fp16-keep-io', 'fp16-mixed', 'fp16-weights'] as const;
/** Model -> [relative tolerance, evaluation samples compared, samples for the accuracy check]. */
const MODELS: Record<string, [number, number, number]> = {
  'lenet5-fashion': [1e-2, 4, 500],
  'resnet-fashion': [1e-2, 4, 200],
  'mobilenet-fashion': [1e-2, 4, 200],
  'vgg-fashion': [1e-2, 4, 200],
  resnet18: [1e-2, 2, 0],
  mobilenet_v2: [3e-2, 2, 0],
  unet: [1e-2, 2, 0],
  'ppocr-cls': [1e-2, 4, 0],
  'ppocr-det': [1e-2, 2, 0],
};

function feed(type: string, x: Float32Array, dims: number[]): Tensor {
  return type === 'float16' ? new Tensor('float16', Array.from(x), dims) : new Tensor('float32', x, dims);
}

const numbers = (t: { type: string; data: ArrayLike<number | bigint> }) => Float32Array.from(valuesOf(t.type, t.data) as ArrayLike<number>);

for (const [name, [tol, samples, accuracyOn]] of Object.entries(MODELS)) {
  test(`float16 forms of ${name} match onnxruntime on the same files`, async (t) => {
    const { dir, manifest, evalInputs } = ensureConverted(name);
    const per = manifest.dims.reduce((a, b) => a * b, 1);
    for (const form of FORMS) {
      const file = manifest.forms[form];
      if (!file) continue;
      const model = new Uint8Array(readFileSync(join(dir, file)));
      for (const shaderF16 of [true, false]) {
        const storage = shaderF16 ? 'f16' : 'p16';
        const s = await InferenceSession.create(model, { shaderF16 });
        const ref = await referenceSession(model);
        const type = s.inputMetadata[0].type as string;
        const out = s.outputNames[0];
        let worst = 0;
        let meanErr = 0;
        let iou = 1;
        for (let i = 0; i < samples; i++) {
          const x = feed(type, evalInputs.subarray(i * per, (i + 1) * per), manifest.dims);
          const got = (await s.run({ [manifest.input]: x }))[out];
          const want = (await ref.run({ [manifest.input]: x }))[out];
          assert.equal(got.type, want.type, `${form}: output type`);
          const [a, b] = [numbers(got), numbers(want)];
          worst = Math.max(worst, relativeError(a, b));
          meanErr = Math.max(meanErr, a.reduce((acc, v, j) => acc + Math.abs(v - b[j]), 0) / a.length);
          let both = 0;
          let either = 0;
          a.forEach((v, j) => {
            both += v > 0.3 && b[j] > 0.3 ? 1 : 0;
            either += v > 0.3 || b[j] > 0.3 ? 1 : 0;
          });
          iou = Math.min(iou, either ? both / either : 1);
        }
        // (fp16-weights computes in float32: its Casts fold into float32 weights at load.)
        const ran = (await s.stats()).kernels.map((k) => k.variant);
        assert.ok(ran.some((v) => v.endsWith(storage)) === (form !== 'fp16-weights'), `${form}: ${storage} kernels: ${ran.join()}`);
        if (name === 'ppocr-det') {
          t.diagnostic(`${form} (${storage} storage): mean abs error ${meanErr.toExponential(2)}, map IoU ${iou.toFixed(4)}`);
          assert.ok(meanErr <= 5e-3 && iou >= 0.98, `${form}: mean error ${meanErr}, IoU ${iou}`);
          await s.release();
          await ref.release();
          continue;
        }
        t.diagnostic(`${form} (${storage} storage): max relative error ${worst.toExponential(2)}`);
        assert.ok(worst <= (form === 'fp16-weights' ? 1e-4 : tol), `${name} ${form} (shaderF16 ${shaderF16}): relative error ${worst} > ${tol}`);
        if (accuracyOn && shaderF16 && (form === 'fp16' || form === 'fp16-keep-io')) {
          let fovea = 0;
          let ort = 0;
          let ties = 0;
          for (let i = 0; i < accuracyOn; i++) {
            const x = feed(type, evalInputs.subarray(i * per, (i + 1) * per), manifest.dims);
            const a = numbers((await s.run({ [manifest.input]: x }))[out]);
            const b = numbers((await ref.run({ [manifest.input]: x }))[out]);
            const top = (v: Float32Array) => v.indexOf(Math.max(...v));
            const label = manifest.labels![i];
            fovea += top(a) === label ? 1 : 0;
            ort += top(b) === label ? 1 : 0;
            if (top(a) !== top(b)) {
              const sorted = [...b].sort((p, q) => q - p);
              const scale = Math.max(...b.map(Math.abs));
              assert.ok(sorted[0] - sorted[1] <= 2 * tol * scale, `${form} image ${i}: top-1 ${top(a)} vs onnxruntime ${top(b)}, not a near tie`);
              ties++;
            }
          }
          t.diagnostic(`${form}: top-1 ${fovea}/${accuracyOn} (onnxruntime ${ort}/${accuracyOn}), ${ties} near ties differ`);
          assert.ok(Math.abs(fovea - ort) <= ties, `${form}: accuracy ${fovea} vs onnxruntime ${ort}`);
        }
        await s.release();
        await ref.release();
      }
    }
  });
}
