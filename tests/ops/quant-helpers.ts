// Seeded data for the quantized-op tests: float tensors, 8-bit tensors over their whole range,
// and the same as onnx-builder initializer specs.
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { assertClose, runReference } from '../util/reference.js';
import { randomFloats, rng } from '../util/rng.js';
import type { TensorSpec } from '../util/onnx-builder.js';

/** Exact comparison (integer outputs computed by the same formula as onnxruntime). */
export const EXACT = { rtol: 0, atol: 0 };
/** One quantization step: requantised outputs (see the QLinear tests' comments). */
export const ONE_STEP = { rtol: 0, atol: 1 };

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export function f32(dims: number[], seed: number, lo = -1, hi = 1): Tensor {
  return new Tensor('float32', randomFloats(size(dims), seed, lo, hi), dims);
}

export function f32spec(dims: number[], seed: number, lo = -1, hi = 1): TensorSpec {
  return { dtype: 'float32', dims, data: randomFloats(size(dims), seed, lo, hi) };
}

/** n integers uniform over the type's range (int32: ±1000). */
export function ints(dt: 'uint8' | 'int8' | 'int32', n: number, seed: number): number[] {
  const r = rng(seed);
  const [lo, hi] = dt === 'uint8' ? [0, 255] : dt === 'int8' ? [-128, 127] : [-1000, 1000];
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

export function q8(dt: 'uint8' | 'int8' | 'int32', dims: number[], seed: number): Tensor {
  const v = ints(dt, size(dims), seed);
  const data = dt === 'uint8' ? Uint8Array.from(v) : dt === 'int8' ? Int8Array.from(v) : Int32Array.from(v);
  return new Tensor(dt, data, dims);
}

export function q8spec(dt: 'uint8' | 'int8' | 'int32', dims: number[], seed: number): TensorSpec {
  return { dtype: dt, dims, data: ints(dt, size(dims), seed) };
}

/** Runs Fovea and onnxruntime on one model; asserts dims and |a - b| <= atol on every output;
 * `refModel` (default: the same) is what onnxruntime runs, for forms it lacks; returns how many elements differ at all (requantised outputs may differ by one step) and the
 * kernels that ran. Fovea runs twice, with 8-bit values packed four per word (the default) and
 * widened to i32 (`packedInt8: false`); both must match, and equal each other exactly (the same
 * integer arithmetic on either storage). */
export async function compareWithOrt(model: Uint8Array, feeds: Record<string, Tensor>, atol: number, opts: Parameters<typeof InferenceSession.create>[1] = {}, refModel = model): Promise<{ differing: number; total: number; kernels: string[] }> {
  const want = await runReference(refModel, feeds);
  const widened = await runFovea(model, feeds, { ...opts, packedInt8: false });
  const { got, kernels } = await runFovea(model, feeds, opts);
  let differing = 0;
  let total = 0;
  for (const [name, w] of Object.entries(want)) {
    assert.ok(got[name], `missing output ${name}`);
    assert.deepEqual([...got[name].dims], [...w.dims], `${name}: dims`);
    assertClose(got[name].data as ArrayLike<number>, w.data, { rtol: 0, atol }, name);
    assertClose(got[name].data as ArrayLike<number>, widened.got[name].data as ArrayLike<number>, EXACT, `${name}: packed vs widened 8-bit storage`);
    const g = got[name].data as ArrayLike<number>;
    for (let i = 0; i < w.data.length; i++) if (Number(g[i]) !== Number(w.data[i])) differing++;
    total += w.data.length;
  }
  return { differing, total, kernels };
}

export async function runFovea(model: Uint8Array, feeds: Record<string, Tensor>, opts: Parameters<typeof InferenceSession.create>[1]): Promise<{ got: Record<string, Tensor>; kernels: string[] }> {
  const s = await InferenceSession.create(model, opts);
  try {
    const got = await s.run(feeds);
    return { got, kernels: (await s.stats()).kernels.map((k) => k.variant) };
  } finally {
    await s.release();
  }
}
