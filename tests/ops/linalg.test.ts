// Gemm and MatMul against onnxruntime-node: attributes, C broadcasting, ragged sizes, both kernel
// variants, numpy MatMul batching, constant folding, and the splitting of operands that exceed
// the storage-binding limit (forced on small matrices with the maxStorageBufferBindingSize option).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { randomFloats } from '../util/rng.js';
import { assertClose, checkAgainstReference, runReference, type Feeds, type Tolerance } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { LimitError } from '../../runtime/errors.js';
import type { SessionStats } from '../../runtime/session.js';
import { GEMM_ALGORITHMS } from '../../runtime/ops/linalg/gemm-kernel.js';

const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed), dims);
const spec = (dims: number[], seed: number) => ({ dtype: 'float32' as const, dims, data: randomFloats(dims.reduce((a, b) => a * b, 1), seed) });

/** Runs a session, compares every output with the reference, returns the plan's stats. */
async function checkWithStats(model: Uint8Array, feeds: Feeds, tol: Tolerance, opts: Parameters<typeof InferenceSession.create>[1]): Promise<SessionStats> {
  const s = await InferenceSession.create(model, opts);
  try {
    const got = await s.run(feeds);
    const want = await runReference(model, feeds);
    for (const [name, w] of Object.entries(want)) {
      assert.deepEqual([...got[name].dims], [...w.dims], `${name}: dims`);
      assertClose(got[name].data as ArrayLike<number>, w.data, tol, name);
    }
    return await s.stats();
  } finally {
    await s.release();
  }
}

interface GemmCase {
  M: number;
  K: number;
  N: number;
  transA?: number;
  transB?: number;
  alpha?: number;
  beta?: number;
  /** C's shape; undefined: no C. */
  c?: number[];
  opset?: number;
}

function gemmModel(g: GemmCase, seed = 1): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(g.opset ?? 13);
  const aDims = g.transA ? [g.K, g.M] : [g.M, g.K];
  const bDims = g.transB ? [g.N, g.K] : [g.K, g.N];
  const feeds: Feeds = { a: f32(aDims, seed), b: f32(bDims, seed + 1) };
  b.input('a', aDims);
  b.input('b', bDims);
  const inputs = ['a', 'b'];
  if (g.c) {
    b.input('c', g.c);
    feeds.c = f32(g.c, seed + 2);
    inputs.push('c');
  }
  const attrs: Record<string, number | { float: number }> = {};
  if (g.transA !== undefined) attrs.transA = g.transA;
  if (g.transB !== undefined) attrs.transB = g.transB;
  // { float } keeps integral values such as 2.0 FLOAT attributes.
  if (g.alpha !== undefined) attrs.alpha = { float: g.alpha };
  if (g.beta !== undefined) attrs.beta = { float: g.beta };
  b.node('Gemm', inputs, attrs, ['y']);
  b.output('y', [g.M, g.N]);
  return { model: b.build(), feeds };
}

for (const algo of GEMM_ALGORITHMS) {
  test(`Gemm ${algo}: every transA/transB with alpha, beta and C [M,N], odd sizes`, async () => {
    for (const transA of [0, 1]) {
      for (const transB of [0, 1]) {
        const { model, feeds } = gemmModel({ M: 3, K: 37, N: 29, transA, transB, alpha: 0.75, beta: -1.5, c: [3, 29] }, 10 + 2 * transA + transB);
        await checkAgainstReference(model, feeds, {}, { forceAlgorithm: algo });
      }
    }
  });

  test(`Gemm ${algo}: several ragged blocks in both directions, transposed operands`, async () => {
    // 70 x 130 spans 2 x 3 blocks of the tiled kernel and 9 x 2 of the skinny one; K = 45 leaves a partial K step.
    for (const [transA, transB] of [[0, 0], [1, 1]]) {
      const { model, feeds } = gemmModel({ M: 70, K: 45, N: 130, transA, transB, c: [130] }, 20 + transA);
      await checkAgainstReference(model, feeds, {}, { forceAlgorithm: algo });
    }
  });
}

// The GEMV kernel (shaders/gemv.wgsl): 1 to 4 rows, B^T stored [N, K] (transB), K a multiple of
// 4; checked to be the kernel that ran, forced and (on software adapters) by default.
test('Gemm gemm-gemv: 1 to 4 rows, alpha, beta, C broadcast or full, ragged last columns, fused Relu', async () => {
  for (const M of [1, 2, 3, 4]) {
    for (const c of [[61], [M, 61], undefined]) {
      const { model, feeds } = gemmModel({ M, K: 44, N: 61, transB: 1, alpha: 0.75, beta: -1.5, c }, 300 + M);
      const ran = await checkAgainstReference(model, feeds, {}, { forceAlgorithm: 'gemm-gemv' });
      assert.deepEqual(ran, ['gemm-gemv']);
    }
  }
  const b = new ModelBuilder(13);
  b.input('x', [1, 256]);
  b.init('w', spec([1000, 256], 310));
  b.init('bias', spec([1000], 311));
  const [g] = b.node('Gemm', ['x', 'w', 'bias'], { transB: 1 });
  b.node('Relu', [g], {}, ['y']);
  b.output('y', [1, 1000]);
  const s = await InferenceSession.create(b.build());
  const auto = (await s.stats()).kernels.map((k) => k.variant);
  await s.release();
  assert.deepEqual(auto, [s.adapter.match(/llvmpipe|swiftshader/i) ? 'gemm-gemv' : 'gemm-skinny']);
  await checkAgainstReference(b.build(), { x: f32([1, 256], 312) }, {}, { forceAlgorithm: 'gemm-gemv' });
});

test('Gemm gemm-gemv: a constant B over the binding limit runs in column chunks', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 300]);
  b.init('w', spec([200, 300], 320));
  b.init('bias', spec([200], 321));
  b.node('Gemm', ['x', 'w', 'bias'], { transB: 1 }, ['y']);
  b.output('y', [2, 200]);
  const s = await InferenceSession.create(b.build(), { forceAlgorithm: 'gemm-gemv', maxStorageBufferBindingSize: 64 * 1024 });
  const kernels = (await s.stats()).kernels.map((k) => k.variant);
  await s.release();
  assert.ok(kernels.length >= 4 && kernels.every((v) => v === 'gemm-gemv split'), `${kernels}`);
  await checkAgainstReference(b.build(), { x: f32([2, 300], 322) }, {}, { forceAlgorithm: 'gemm-gemv', maxStorageBufferBindingSize: 64 * 1024 });
});

test('Gemm: C in every unidirectionally broadcastable shape, and no C', async () => {
  const M = 5;
  const N = 7;
  for (const c of [[], [1], [N], [1, N], [M, 1], [1, 1], [M, N], undefined]) {
    const { model, feeds } = gemmModel({ M, K: 9, N, alpha: 2, beta: 0.5, c }, 30);
    await checkAgainstReference(model, feeds);
  }
  // K = 0: the product is empty and Y = beta * C. onnxruntime returns C unscaled there (it
  // copies C into Y and leaves the beta scaling to the product it skips), so the reference is
  // the spec's formula itself.
  const { model, feeds } = gemmModel({ M, K: 0, N, beta: 2, c: [N] }, 31);
  const s = await InferenceSession.create(model);
  const y = (await s.run(feeds)).y;
  await s.release();
  const c = feeds.c.data as Float32Array;
  assertClose(y.data as Float32Array, Float32Array.from({ length: M * N }, (_, i) => 2 * c[i % N]));
});

test('Gemm: default attributes, opset 7 / 9 / 11 forms, C optional from 11', async () => {
  for (const opset of [7, 9, 11, 13]) {
    const { model, feeds } = gemmModel({ M: 4, K: 6, N: 3, c: [3], opset }, 40 + opset);
    await checkAgainstReference(model, feeds);
  }
  const { model, feeds } = gemmModel({ M: 4, K: 6, N: 3, opset: 11, transB: 1 }, 50);
  await checkAgainstReference(model, feeds);
});

test('Gemm: beta = 0 ignores C, even where C holds NaN', async () => {
  const { model, feeds } = gemmModel({ M: 2, K: 3, N: 4, beta: 0, c: [2, 4] }, 55);
  feeds.c = new Tensor('float32', new Float32Array(8).fill(NaN), [2, 4]);
  await checkAgainstReference(model, feeds);
});

test('Gemm before opset 7: the broadcast attribute', async () => {
  // onnxruntime implements Gemm from opset 7 only, so opset 6 is checked against a host product.
  const M = 3;
  const K = 4;
  const N = 5;
  const build = (broadcast: number, cDims: number[]) => {
    const b = new ModelBuilder(6);
    b.input('a', [M, K]);
    b.input('b', [K, N]);
    b.input('c', cDims);
    b.node('Gemm', ['a', 'b', 'c'], { broadcast, alpha: 0.5 }, ['y']);
    b.output('y', [M, N]);
    return b.build();
  };
  const a = randomFloats(M * K, 60);
  const bm = randomFloats(K * N, 61);
  const expect = (c: Float32Array, full: boolean) => {
    const y = new Float32Array(M * N);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[m * K + k] * bm[k * N + n];
        y[m * N + n] = 0.5 * s + c[full ? m * N + n : n];
      }
    }
    return y;
  };
  const feeds = (c: Float32Array, dims: number[]) => ({ a: new Tensor('float32', a, [M, K]), b: new Tensor('float32', bm, [K, N]), c: new Tensor('float32', c, dims) });

  const cRow = randomFloats(N, 62);
  let s = await InferenceSession.create(build(1, [N]));
  assertClose((await s.run(feeds(cRow, [N]))).y.data as Float32Array, expect(cRow, false));
  await s.release();

  const cFull = randomFloats(M * N, 63);
  s = await InferenceSession.create(build(0, [M, N]));
  assertClose((await s.run(feeds(cFull, [M, N]))).y.data as Float32Array, expect(cFull, true));
  await s.release();

  // broadcast = 0 with a C that would need broadcasting is invalid.
  await assert.rejects(InferenceSession.create(build(0, [N])), /broadcast=0/);
});

test('Gemm: invalid shapes are rejected with the node named', async () => {
  const b = new ModelBuilder(13);
  b.input('a', [3, 4]);
  b.input('b', [5, 6]);
  b.node('Gemm', ['a', 'b'], {}, ['y']);
  b.output('y', [3, 6]);
  await assert.rejects(InferenceSession.create(b.build()), /inner dimensions differ.*Gemm node "Gemm_0"/);
  const { model } = gemmModel({ M: 3, K: 4, N: 5, c: [2, 5] });
  await assert.rejects(InferenceSession.create(model), /not unidirectionally broadcastable/);
});

test('Gemm: classifier head M=1, K=2048, N=1000 with bias (transB=1 like PyTorch exports)', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2048]);
  b.init('w', spec([1000, 2048], 70));
  b.init('bias', spec([1000], 71));
  b.node('Gemm', ['x', 'w', 'bias'], { transB: 1 }, ['y']);
  b.output('y', [1, 1000]);
  // 2048-term sums of magnitude ~25 in f32 with a different summation order: atol 1e-4.
  await checkAgainstReference(b.build(), { x: f32([1, 2048], 72) }, { atol: 1e-4 });
});

/** A model whose output `p` is `opType` of constant inputs, next to a Relu of a run-time input
 * (so that the session has something to run); checks `p` folded and matches the reference. */
async function checkFolded(opType: string, inits: Record<string, number[]>, attrs: Record<string, AttrInput>, pDims: number[]): Promise<void> {
  const b = new ModelBuilder(13);
  b.input('x', [3]);
  let seed = 80;
  for (const [name, dims] of Object.entries(inits)) b.init(name, spec(dims, seed++));
  b.node(opType, Object.keys(inits), attrs, ['p']);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('p', pDims);
  b.output('y', [3]);
  const model = b.build();
  const s = await InferenceSession.create(model);
  assert.ok((await s.graph()).initializers.has('p'), `${opType} of constants is folded`);
  await s.release();
  await checkAgainstReference(model, { x: f32([3], 90) });
}

test('Gemm and MatMul of constants fold on the host', async () => {
  await checkFolded('Gemm', { a: [5, 3], w: [4, 5], c: [4] }, { transA: 1, transB: 1, alpha: { float: 0.25 }, beta: { float: 3 } }, [3, 4]);
  await checkFolded('MatMul', { p0: [2, 4, 6], q0: [6, 3] }, {}, [2, 4, 3]);
  await checkFolded('MatMul', { p0: [1, 2, 4, 6], q0: [3, 1, 6, 5] }, {}, [3, 2, 4, 5]);
  await checkFolded('MatMul', { p0: [6], q0: [2, 6, 5] }, {}, [2, 5]);
});

interface MatMulCase {
  a: number[];
  b: number[];
  out: number[];
}

function matMulModel(m: MatMulCase, seed: number, dtype: 'float32' | 'int32' = 'float32'): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  b.input('a', m.a, dtype);
  b.input('b', m.b, dtype);
  b.node('MatMul', ['a', 'b'], {}, ['y']);
  b.output('y', m.out, dtype);
  const make = (dims: number[], s: number) => {
    if (dtype === 'float32') return f32(dims, s);
    const n = dims.reduce((x, y) => x * y, 1);
    return new Tensor('int32', Int32Array.from(randomFloats(n, s, -20, 20), Math.trunc), dims);
  };
  return { model: b.build(), feeds: { a: make(m.a, seed), b: make(m.b, seed + 1) } };
}

const MATMUL_CASES: MatMulCase[] = [
  { a: [3, 37], b: [37, 29], out: [3, 29] },
  { a: [70, 33], b: [33, 65], out: [70, 65] },
  { a: [37], b: [37, 29], out: [29] },
  { a: [6, 37], b: [37], out: [6] },
  { a: [37], b: [37], out: [] },
  { a: [2, 5, 7], b: [2, 7, 3], out: [2, 5, 3] },
  { a: [2, 3, 5, 7], b: [3, 7, 4], out: [2, 3, 5, 4] },
  { a: [2, 1, 5, 7], b: [1, 3, 7, 4], out: [2, 3, 5, 4] },
  { a: [4, 5, 7], b: [7, 6], out: [4, 5, 6] },
  { a: [5, 7], b: [3, 7, 6], out: [3, 5, 6] },
  { a: [37], b: [2, 37, 3], out: [2, 3] },
  { a: [2, 3, 4, 5], b: [5], out: [2, 3, 4] },
  { a: [2, 1, 3, 1, 4, 5], b: [1, 2, 1, 2, 5, 3], out: [2, 2, 3, 2, 4, 3] },
  // Empty products: no rows (no dispatch), and K = 0 (all zeros).
  { a: [0, 5], b: [5, 3], out: [0, 3] },
  { a: [3, 0], b: [0, 4], out: [3, 4] },
];

test('MatMul: 2-D, 1-D promotion, batched 3-D to 6-D with broadcasting', async () => {
  let seed = 100;
  for (const m of MATMUL_CASES) {
    const { model, feeds } = matMulModel(m, (seed += 2));
    await checkAgainstReference(model, feeds);
  }
});

test('MatMul: both kernel variants on a batched product', async () => {
  for (const algo of GEMM_ALGORITHMS) {
    const { model, feeds } = matMulModel({ a: [3, 1, 20, 33], b: [2, 33, 70], out: [3, 2, 20, 70] }, 140);
    await checkAgainstReference(model, feeds, {}, { forceAlgorithm: algo });
  }
});

test('MatMul: int32 operands', async () => {
  for (const m of [
    { a: [4, 9], b: [9, 5], out: [4, 5] },
    { a: [2, 3, 9], b: [2, 9, 4], out: [2, 3, 4] },
  ]) {
    const { model, feeds } = matMulModel(m, 150, 'int32');
    await checkAgainstReference(model, feeds, { rtol: 0, atol: 0 });
  }
});

// Splitting. With the binding limit capped at 64 KiB, a 300 x 200 float weight (240 000 bytes)
// needs at least 4 chunks; each chunk is its own dispatch.
const CAP = 64 * 1024;
const chunksNeeded = (elements: number) => Math.ceil((elements * 4) / CAP);

for (const transB of [0, 1]) {
  test(`split: constant B [${transB ? '200,300' : '300,200'}] (transB=${transB}) over the binding limit, with bias`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [5, 300]);
    b.init('w', spec(transB ? [200, 300] : [300, 200], 200 + transB));
    b.init('bias', spec([200], 202));
    b.node('Gemm', ['x', 'w', 'bias'], { transB, alpha: { float: 0.5 } }, ['y']);
    b.output('y', [5, 200]);
    const stats = await checkWithStats(b.build(), { x: f32([5, 300], 203) }, {}, { maxStorageBufferBindingSize: CAP });
    assert.ok(stats.dispatches >= chunksNeeded(300 * 200), `${stats.dispatches} dispatches`);
  });
}

test('split: the same Gemm without the cap is one dispatch', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [5, 300]);
  b.init('w', spec([200, 300], 201));
  b.node('Gemm', ['x', 'w'], { transB: 1 }, ['y']);
  b.output('y', [5, 200]);
  const stats = await checkWithStats(b.build(), { x: f32([5, 300], 203) }, {}, {});
  assert.equal(stats.dispatches, 1);
});

test('split: MatMul of a batched activation with a constant [300, 200] weight, both variants', async () => {
  for (const [batch, algo] of [[[2, 3], undefined], [[4, 15], 'gemm-tiled']] as const) {
    const b = new ModelBuilder(13);
    b.input('x', [...batch, 300]);
    b.init('w', spec([300, 200], 210));
    b.node('MatMul', ['x', 'w'], {}, ['y']);
    b.output('y', [...batch, 200]);
    const stats = await checkWithStats(b.build(), { x: f32([...batch, 300], 211) }, {}, { maxStorageBufferBindingSize: CAP, forceAlgorithm: algo });
    assert.ok(stats.dispatches >= chunksNeeded(300 * 200), `${stats.dispatches} dispatches`);
  }
});

test('split: run-time A over the limit is split by rows (offset bindings)', async () => {
  const { model, feeds } = gemmModel({ M: 300, K: 64, N: 10, c: [10] }, 220);
  const stats = await checkWithStats(model, feeds, {}, { maxStorageBufferBindingSize: CAP });
  assert.ok(stats.dispatches >= chunksNeeded(300 * 64), `${stats.dispatches} dispatches`);
  // K = 37 rows (148 bytes) only reach 256-byte aligned offsets every 64 rows.
  const odd = gemmModel({ M: 500, K: 37, N: 3 }, 221);
  const s2 = await checkWithStats(odd.model, odd.feeds, {}, { maxStorageBufferBindingSize: CAP });
  assert.ok(s2.dispatches >= chunksNeeded(500 * 37), `${s2.dispatches} dispatches`);
});

test('split: run-time B^T over the limit is split by rows of B (offset bindings)', async () => {
  const { model, feeds } = gemmModel({ M: 4, K: 300, N: 200, transB: 1 }, 230);
  const stats = await checkWithStats(model, feeds, {}, { maxStorageBufferBindingSize: CAP });
  assert.ok(stats.dispatches >= chunksNeeded(300 * 200), `${stats.dispatches} dispatches`);
});

test('split: constant A and constant B both over the limit (transA=1, transB=0), run-time C', async () => {
  // A' is [40, 400] (64 000 bytes), B' [400, 50] (80 000 bytes), Y [40, 50] (8 000 bytes): with a
  // 32 KiB cap A takes 2 row chunks and B 3 column chunks, re-laid out on the host.
  const b = new ModelBuilder(13);
  b.init('a', spec([400, 40], 240));
  b.init('w', spec([400, 50], 241));
  b.input('c', [40, 1]);
  b.node('Gemm', ['a', 'w', 'c'], { transA: 1, beta: { float: -1 } }, ['y']);
  b.output('y', [40, 50]);
  const stats = await checkWithStats(b.build(), { c: f32([40, 1], 242) }, {}, { maxStorageBufferBindingSize: 32 * 1024 });
  assert.ok(stats.dispatches >= 2 * 3, `${stats.dispatches} dispatches`);
});

test('split: operands that cannot be split are refused with a LimitError and a hint', async () => {
  // Run-time B with transB=0: its column chunks are not contiguous.
  const { model } = gemmModel({ M: 4, K: 300, N: 200 }, 250);
  await assert.rejects(InferenceSession.create(model, { maxStorageBufferBindingSize: CAP }), (e: unknown) => {
    assert.ok(e instanceof LimitError, String(e));
    assert.match(e.message, /B \(computed at run time\).*hint: .*transB=1/);
    return true;
  });
  // One row of A (K = 300 floats, 1200 bytes) alone exceeds a 1 KiB cap: would need a K split.
  const deep = gemmModel({ M: 2, K: 300, N: 3 }, 251);
  await assert.rejects(InferenceSession.create(deep.model, { maxStorageBufferBindingSize: 1024 }), (e: unknown) => {
    assert.ok(e instanceof LimitError, String(e));
    assert.match(e.message, /splitting along K is not supported/);
    return true;
  });
  // A batched operand over the limit.
  const batched = matMulModel({ a: [2, 3, 40], b: [2, 40, 300], out: [2, 3, 300] }, 252);
  await assert.rejects(InferenceSession.create(batched.model, { maxStorageBufferBindingSize: CAP }), LimitError);
});
