// The reference oracle: onnxruntime-node on the CPU, and comparison with explicit tolerances.
import * as ort from 'onnxruntime-node';
import { Tensor, InferenceSession } from '../../runtime/index.node.js';
import { halfBitsOf } from '../../runtime/tensor.js';
import { fromHalfBits } from '../../runtime/ir/half.js';
import assert from 'node:assert/strict';
import { EXACT_ORT_EXTRA, exactIntegerProducts } from './ort-exact.js';

export type Feeds = Record<string, Tensor>;

function toOrt(t: Tensor): ort.Tensor {
  // float16: onnxruntime-node takes the half bits in a Uint16Array, as Fovea's Tensor holds them.
  if (t.type === 'float16') return new ort.Tensor('float16', halfBitsOf(t.data), t.dims as number[]);
  return new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims as number[]);
}

/** Plain numbers of a tensor's data: float16 bits (Uint16Array or Float16Array) as the values they hold. */
export function valuesOf(type: string, data: ArrayLike<number | bigint>): ArrayLike<number | bigint> {
  if (type !== 'float16') return data;
  return fromHalfBits(halfBitsOf(data as unknown as Tensor['data']));
}

/** Runs the model on onnxruntime-node's CPU provider, with its graph optimisations off (each node
 * as the ONNX spec defines it), or with `optimized` as a user's session runs it (e.g. QDQ groups
 * fused into QLinear* kernels, which round differently from the float path). */
export async function runReference(model: Uint8Array, feeds: Feeds, opts: { optimized?: boolean } = {}): Promise<Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[]; type: string }>> {
  const s = await ort.InferenceSession.create(exactIntegerProducts(model), { executionProviders: ['cpu'], graphOptimizationLevel: opts.optimized ? 'all' : 'disabled', extra: EXACT_ORT_EXTRA });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as ArrayLike<number>, dims: v.dims, type: v.type }]));
}

/** One onnxruntime-node CPU session for many runs (runReference makes one per call). */
export async function referenceSession(model: Uint8Array): Promise<{ run(feeds: Feeds): Promise<Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[]; type: string }>>; release(): Promise<void> }> {
  const s = await ort.InferenceSession.create(exactIntegerProducts(model), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  return {
    async run(feeds) {
      const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as ArrayLike<number>, dims: v.dims, type: v.type }]));
    },
    release: () => s.release(),
  };
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Asserts |a - b| <= atol + rtol * |b| elementwise; reports the worst element. */
export function assertClose(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, tol: Tolerance = {}, what = 'output'): { maxAbs: number; maxRel: number } {
  const rtol = tol.rtol ?? 1e-3;
  const atol = tol.atol ?? 1e-5;
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs expected ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = Number(expected[i]);
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    const d = Math.abs(a - b);
    maxAbs = Math.max(maxAbs, d);
    if (b !== 0) maxRel = Math.max(maxRel, d / Math.abs(b));
    const excess = d - (atol + rtol * Math.abs(b));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${what}: element ${worst} is ${Number(actual[worst])}, expected ${Number(expected[worst])} (rtol ${rtol}, atol ${atol}; max abs err ${maxAbs})`);
  }
  return { maxAbs, maxRel };
}

/** Relative error of the whole tensor: max|a-b| / max|b| (for whole-model comparisons). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num = Math.max(num, Math.abs(actual[i] - expected[i]));
    den = Math.max(den, Math.abs(expected[i]));
  }
  return den === 0 ? num : num / den;
}

/** Builds a Fovea session and a reference run, compares every output; returns the kernels that ran. */
export async function checkAgainstReference(model: Uint8Array, feeds: Feeds, tol: Tolerance = {}, opts: Parameters<typeof InferenceSession.create>[1] = {}): Promise<string[]> {
  const s = await InferenceSession.create(model, opts);
  try {
    const got = await s.run(feeds);
    const want = await runReference(model, feeds);
    for (const [name, w] of Object.entries(want)) {
      assert.ok(got[name], `missing output ${name}`);
      assert.deepEqual([...got[name].dims], [...w.dims], `${name}: dims`);
      assert.equal(got[name].type, w.type, `${name}: element type`);
      assertClose(valuesOf(got[name].type, got[name].data as ArrayLike<number>), valuesOf(w.type, w.data), tol, name);
    }
    return (await s.stats()).kernels.map((k) => k.variant);
  } finally {
    await s.release();
  }
}
