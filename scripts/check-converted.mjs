// Checks the converted models of scripts/convert-models.py on onnxruntime-node's CPU provider: each
// form runs on the evaluation inputs, and is compared with the float32 model sample by sample by
// the whole-tensor relative error max|a - b| / max|b| (as the model tests measure), reported as
// the worst sample's; where the manifest has labels (Fashion-MNIST, PP-OCR's orientation), also
// top-1 accuracy. float16-I/O forms get float16 inputs and are compared after widening.
//
// Usage: node scripts/check-converted.mjs [--json OUT.json] [model ...]   (default: every model
//        in $FOVEA_CACHE_DIR/precision, default ~/.cache/fovea)
// Exits 1 if a form fails to load or run.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/** float32 -> IEEE half bits, round to nearest even (ORT-node takes float16 data as Uint16Array). */
export function toHalfBits(values) {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return Uint16Array.from(values, (v) => {
    f[0] = v;
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const mant = x & 0x7fffff;
    if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
    if (exp >= 0x1f) return sign | 0x7c00;
    if (exp <= 0) {
      if (exp < -10) return sign;
      const m = (mant | 0x800000) >>> (1 - exp);
      const half = m >>> 13;
      const rest = m & 0x1fff;
      return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
    }
    const half = (exp << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
  });
}

/** IEEE half bits -> number. */
export function fromHalfBits(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Runs `file` on each sample; returns, per sample, { outputName: Float64Array-ish number[] }. */
export async function runAll(file, inputName, dims, samples) {
  // session.x64quantprecision: on x86 CPUs without VNNI onnxruntime's uint8 x int8 kernels
  // saturate pair sums to int16 (onnxruntime PR #12088); this makes it compute them as uint8 x
  // uint8 (constant weights), so the accuracy measured is the file's, not that CPU's.
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, extra: { session: { x64quantprecision: '1' } } });
  try {
    const half = session.inputMetadata?.find((m) => m.name === inputName)?.type === 'float16';
    const out = [];
    for (const x of samples) {
      const feed = half ? new ort.Tensor('float16', toHalfBits(x), dims) : new ort.Tensor('float32', x, dims);
      const r = await session.run({ [inputName]: feed });
      const values = {};
      for (const name of session.outputNames) {
        const t = r[name];
        values[name] = t.type === 'float16' ? Array.from(t.data, fromHalfBits) : Array.from(t.data);
      }
      out.push(values);
    }
    return out;
  } finally {
    await session.release();
  }
}

export function relError(got, want) {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

const argmax = (v) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

export async function checkModel(dir) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const size = m.dims.reduce((a, b) => a * b, 1);
  const bytes = readFileSync(join(dir, 'eval.f32'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const samples = Array.from({ length: m.count }, (_, i) => all.subarray(i * size, (i + 1) * size));
  const want = await runAll(join(dir, m.fp32), m.input, m.dims, samples);
  const results = { fp32: { maxRelError: 0 } };
  const accuracy = (runs) => m.labels && runs.filter((r, i) => argmax(Object.values(r)[0]) === m.labels[i]).length / m.count;
  if (m.labels) results.fp32.top1 = accuracy(want);
  for (const [form, file] of Object.entries(m.forms)) {
    try {
      const got = await runAll(join(dir, file), m.input, m.dims, samples);
      let err = 0;
      let meanErr = 0;
      let inter = 0;
      let union = 0;
      for (let s = 0; s < m.count; s++) {
        for (const name of Object.keys(want[s])) {
          const [g, w] = [got[s][name], want[s][name]];
          err = Math.max(err, relError(g, w));
          const scale = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
          meanErr += g.reduce((a, v, i) => a + Math.abs(v - w[i]), 0) / w.length / scale / m.count;
          if (m.threshold === undefined) continue;
          // A probability map (PP-OCR's detector) is near 0 or 1: one border pixel that flips makes
          // the max error 1, so also compare the thresholded maps (PaddleOCR binarises at 0.3).
          for (let i = 0; i < w.length; i++) {
            const [a, b] = [g[i] > m.threshold, w[i] > m.threshold];
            inter += a && b ? 1 : 0;
            union += a || b ? 1 : 0;
          }
        }
      }
      results[form] = { maxRelError: err, meanRelError: meanErr };
      if (m.threshold !== undefined) results[form].mapIoU = union ? inter / union : 1;
      if (m.labels) results[form].top1 = accuracy(got);
    } catch (e) {
      results[form] = { error: String(e.message ?? e).split('\n')[0] };
    }
  }
  return { name: m.name, dir, count: m.count, results };
}

async function main() {
  const args = process.argv.slice(2);
  let jsonOut = null;
  if (args[0] === '--json') [jsonOut] = args.splice(0, 2).slice(1);
  const root = join(process.env.FOVEA_CACHE_DIR || join(homedir(), '.cache', 'fovea'), 'precision');
  const names = args.length ? args : readdirSync(root).filter((n) => n !== 'exports');
  const report = [];
  let failed = false;
  for (const name of names) {
    const dirs = existsSync(join(root, name)) ? readdirSync(join(root, name)).filter((d) => !d.includes('.tmp-') && existsSync(join(root, name, d, 'manifest.json'))) : [];
    if (!dirs.length) throw new Error(`no converted ${name} in ${root}: run scripts/convert-models.py --only ${name}`);
    const r = await checkModel(join(root, name, dirs[0]));
    report.push(r);
    console.log(`${r.name} (${r.count} samples)`);
    for (const [form, v] of Object.entries(r.results)) {
      const acc = v.top1 !== undefined ? `  top-1 ${(100 * v.top1).toFixed(1)}%` : '';
      if (v.error) failed = true;
      const iou = v.mapIoU !== undefined ? `  map IoU (> 0.3) ${v.mapIoU.toFixed(3)}` : '';
      const mean = v.meanRelError !== undefined ? `, mean ${v.meanRelError.toExponential(2)}` : '';
      console.log(`  ${form.padEnd(16)} ${v.error ? `FAILED: ${v.error}` : `max rel err ${v.maxRelError.toExponential(2)}${mean}${acc}${iou}`}`);
    }
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 1));
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
