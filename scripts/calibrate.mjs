// Calibration helper for scripts/convert-precision.py: runs an ONNX model on onnxruntime-node's CPU
// provider over a set of calibration samples and prints, for every graph output, its min/max over
// all samples and its dims on the first one, as JSON on stdout.
//
// Why Node: there is no onnxruntime Python package here, and static quantization needs the range of
// every intermediate activation (what onnxruntime.quantization's MinMax calibrator collects by
// adding each tensor as a graph output). The Python side writes that augmented model; this script
// only runs it, so that the calibration numerics are ORT's own.
//
// Usage: node scripts/calibrate.mjs SPEC.json
//   SPEC: { "model": "augmented.onnx", "count": N,
//           "inputs": [{ "name": "input", "dims": [1, 1, 28, 28], "file": "samples.f32" }] }
//   each input file holds N samples back to back, float32 little-endian, row-major.
// Prints: { "tensorName": { "min": m, "max": M, "dims": [...] }, ... }
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(spec.model, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2 });
const inputs = spec.inputs.map((i) => {
  const size = i.dims.reduce((a, b) => a * b, 1);
  const bytes = readFileSync(i.file);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (all.length !== size * spec.count) throw new Error(`${i.file}: ${all.length} floats, expected ${spec.count} x ${size}`);
  return { ...i, size, all };
});

const stats = {};
for (let s = 0; s < spec.count; s++) {
  const feeds = {};
  for (const i of inputs) feeds[i.name] = new ort.Tensor('float32', i.all.subarray(s * i.size, (s + 1) * i.size), i.dims);
  const outs = await session.run(feeds);
  for (const [name, t] of Object.entries(outs)) {
    if (t.type !== 'float32') continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of t.data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const st = (stats[name] ??= { min: Infinity, max: -Infinity, dims: [...t.dims] });
    st.min = Math.min(st.min, lo);
    st.max = Math.max(st.max, hi);
  }
}
// An empty tensor has no range: report 0..0 (JSON has no Infinity).
for (const st of Object.values(stats)) if (!Number.isFinite(st.min)) [st.min, st.max] = [0, 0];
process.stdout.write(JSON.stringify(stats));
