// Winograd Conv (runtime/ops/nn/conv-winograd.ts), F(2x2,3x3) ('winograd-f2') and F(4x4,3x3)
// ('winograd'), against onnxruntime-node: ragged tiles (H, W not multiples of the tile), channel
// counts that are not multiples of 4 and that leave ragged GEMM tiles (every GEMM tile shape is
// exercised), batch 2, pads 0, 1, 2, asymmetric and auto_pad, with and without bias; the fused
// epilogue (BatchNorm folded, residual Add, then Relu, LeakyRelu or Clip) on Conv+BN+Add+act
// graphs with graphOptimizationLevel 'all' (Fovea's default); the fallback of inapplicable convs;
// the automatic choice and the overrides; a ResNet-style stack compared as a whole; and, on the
// host, that the transform matrices compute the 3x3 correlation exactly.
// Tolerances, elementwise |a - b| <= atol + rtol * |b|:
//   F(2x2,3x3): rtol 1e-3, atol 1e-4, as tests/ops/conv.test.ts: its transforms only add,
//     subtract and halve, so it rounds like a direct conv in another summation order.
//   F(4x4,3x3): rtol 1e-3, atol 1e-3. Its transforms multiply by up to 8 (Aᵀ) and 1/24 (G), so
//     rounding errors scale with the tile's largest values, not with each output: an output that
//     nearly cancels gets an absolute error of up to ~1e-5 times the layer's largest outputs
//     (measured: 1.8e-4 at outputs up to 32 in the 64-channel case; see conv-winograd.ts), which
//     no rtol alone covers. atol 1e-3 keeps a margin of 2.5 or more for the data below (inputs and
//     weights in [-1, 1), up to 70 channels, outputs up to ~40).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { assertClose, relativeError, runReference, type Feeds, type Tolerance } from '../util/reference.js';
import { InferenceSession, Tensor, acquireDevice, type GemmKernel } from '../../runtime/index.node.js';
import { kernelLimits } from '../../runtime/gpu/device.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { runPasses } from '../../runtime/passes/index.js';
import { planGraph } from '../../runtime/gpu/plan.js';
import { WINOGRAD_F2, WINOGRAD_F4, WINOGRAD_GEMM_TILES, winogradFilter, type WinogradTransform } from '../../runtime/ops/nn/conv-winograd.js';
import { DEFAULT_LIMITS } from '../../runtime/gpu/device.js';

const TOL: Record<string, Tolerance> = {
  'winograd-f2': { rtol: 1e-3, atol: 1e-4 },
  winograd: { rtol: 1e-3, atol: 1e-3 },
};
const VARIANTS = ['winograd-f2', 'winograd'] as const;
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(count(dims), seed, lo, hi), dims);

const LIMITS = DEFAULT_LIMITS;

/** The kernel variants the planner picks for the model's Conv nodes, one per dispatch. */
async function convVariants(model: Uint8Array, forceAlgorithm?: string): Promise<string[]> {
  const g = runPasses(await decodeModel(model), { verify: true });
  return planGraph(g, LIMITS, { forceAlgorithm }).dispatches.filter((d) => d.op === 'Conv').map((d) => d.variant);
}

/** Runs the model on Fovea and on the reference; compares output y. */
async function compare(model: Uint8Array, feeds: Feeds, algo: string, tol: Tolerance, gemmKernel?: GemmKernel): Promise<{ maxAbs: number; maxRel: number }> {
  const want = await runReference(model, feeds);
  const s = await InferenceSession.create(model, { forceAlgorithm: algo, graphOptimizationLevel: 'all', gemmKernel });
  try {
    const got = await s.run(feeds);
    assert.deepEqual([...got.y.dims], [...want.y.dims], 'dims');
    if (gemmKernel) {
      // The GEMM ran on the kernel asked for (the subgroup one where the device has subgroups).
      const gemm = (await s.stats()).kernels.map((k) => k.variant).filter((v) => v.includes(' gemm'));
      const { device, adapterInfo } = await acquireDevice();
      const sg = gemmKernel === 'subgroup' && kernelLimits(device, adapterInfo).subgroupMinSize >= 4;
      assert.ok(gemm.length > 0 && gemm.every((v) => / sg\d+/.test(v) === sg), `${gemmKernel}: ran ${gemm}`);
    }
    return assertClose(got.y.data as Float32Array, want.y.data, tol, `y [${algo}${gemmKernel ? `, ${gemmKernel}` : ''}]`);
  } finally {
    await s.release();
  }
}

test('Winograd transform matrices compute the 3x3 correlation exactly (float64, host)', () => {
  const mul = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) =>
    a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
  const tr = (a: readonly (readonly number[])[]) => a[0].map((_, j) => a.map((row) => row[j]));
  for (const t of [WINOGRAD_F2, WINOGRAD_F4]) {
    const r = rng(7);
    const d = Array.from({ length: t.alpha }, () => Array.from({ length: t.alpha }, () => r() * 2 - 1));
    const g = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => r() * 2 - 1));
    const U = mul(mul(t.G, g), tr(t.G));
    const V = mul(mul(t.BT, d), tr(t.BT));
    const Y = mul(mul(t.AT, U.map((row, i) => row.map((u, j) => u * V[i][j]))), tr(t.AT));
    for (let i = 0; i < t.m; i++) {
      for (let j = 0; j < t.m; j++) {
        let want = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) want += d[i + a][j + b] * g[a][b];
        assert.ok(Math.abs(Y[i][j] - want) < 1e-12, `${t.algorithm} (${i}, ${j}): ${Y[i][j]} vs ${want}`);
      }
    }
  }
});

test('Winograd filter transform lays out U = G g Gᵀ as [point, C, M rounded up to 4]', () => {
  const check = (t: WinogradTransform, M: number, C: number) => {
    const w = randomFloats(M * C * 9, 3);
    const u = winogradFilter(t, w, M, C);
    const Mp = Math.ceil(M / 4) * 4;
    assert.equal(u.length, t.alpha * t.alpha * C * Mp);
    for (const [m, c] of [[0, 0], [M - 1, C - 1], [M >> 1, C >> 1]]) {
      for (let i = 0; i < t.alpha; i++) {
        for (let j = 0; j < t.alpha; j++) {
          let want = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) want += t.G[i][a] * w[(m * C + c) * 9 + a * 3 + b] * t.G[j][b];
          const got = u[((i * t.alpha + j) * C + c) * Mp + m];
          assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${t.algorithm} U[${i},${j}][${c}][${m}]`);
        }
      }
    }
    // Rows past M are zeros (the GEMM reads whole quads).
    for (let m = M; m < Mp; m++) assert.equal(u[m], 0);
  };
  check(WINOGRAD_F2, 7, 5);
  check(WINOGRAD_F4, 6, 3);
});

interface Case {
  name: string;
  x: number[];
  /** Output channels. */
  M: number;
  pads?: number[];
  bias?: boolean;
  attrs?: Record<string, AttrInput>;
}

function convModel(c: Case, seed = 1): { model: Uint8Array; feeds: Feeds } {
  const C = c.x[1];
  const b = new ModelBuilder(13);
  b.input('x', c.x);
  b.init('w', { dtype: 'float32', dims: [c.M, C, 3, 3], data: randomFloats(c.M * C * 9, seed + 1) });
  const inputs = ['x', 'w'];
  if (c.bias) inputs.push(b.init('b', { dtype: 'float32', dims: [c.M], data: randomFloats(c.M, seed + 2) }));
  b.node('Conv', inputs, { ...(c.pads ? { pads: c.pads } : {}), ...c.attrs }, ['y']);
  b.output('y');
  return { model: b.build(), feeds: { x: f32(c.x, seed) } };
}

const CASES: Case[] = [
  { name: 'pads 1, odd H and W, bias', x: [1, 3, 7, 9], M: 5, pads: [1, 1, 1, 1], bias: true },
  { name: 'pads 0, batch 2, channels not multiples of 4', x: [2, 5, 9, 11], M: 7, pads: [0, 0, 0, 0] },
  { name: 'asymmetric pads, batch 2, bias', x: [2, 6, 10, 7], M: 6, pads: [0, 1, 2, 0], bias: true },
  { name: 'pads 2 (output larger than the input)', x: [1, 4, 5, 6], M: 3, pads: [2, 2, 2, 2], bias: true },
  { name: 'auto_pad SAME_LOWER', x: [1, 3, 6, 5], M: 4, attrs: { auto_pad: 'SAME_LOWER' } },
  { name: 'a single output pixel', x: [1, 4, 3, 3], M: 9 },
  { name: 'a single input channel', x: [2, 1, 8, 8], M: 2, pads: [1, 1, 1, 1], bias: true },
  // Ragged GEMM tiles: K = 37 (not a multiple of the chunk), M = 70 (several row tiles, not a
  // multiple of 4), and with batch 2 several column tiles.
  { name: '37 -> 70 channels, batch 2', x: [2, 37, 13, 11], M: 70, pads: [1, 1, 1, 1], bias: true },
  { name: '8 -> 130 channels', x: [1, 8, 6, 6], M: 130, pads: [1, 1, 1, 1] },
  { name: 'many tiles (several GEMM column tiles), 3 channels', x: [2, 3, 30, 29], M: 12, pads: [1, 1, 1, 1], bias: true },
  { name: '17 -> 32 channels at 16x16, batch 2', x: [2, 17, 16, 16], M: 32, pads: [1, 1, 1, 1], bias: true },
  { name: 'ResNet-style 64 -> 64 at 14x14', x: [1, 64, 14, 14], M: 64, pads: [1, 1, 1, 1], bias: true },
];

test('Winograd Conv: the cases above run every GEMM tile', async () => {
  const used = new Set<string>();
  for (const c of CASES) {
    for (const algo of VARIANTS) {
      for (const v of await convVariants(convModel(c).model, algo)) if (v.includes(' gemm ')) used.add(v.split(' gemm ')[1]);
    }
  }
  for (const t of WINOGRAD_GEMM_TILES) {
    const name = `${t.TM}x${t.TN}${t.NARROW ? ' narrow' : ''}`;
    assert.ok(used.has(name), `tile ${name} is not exercised (used: ${[...used].join(', ')})`);
  }
});

for (const c of CASES) {
  for (const algo of VARIANTS) {
    test(`Winograd Conv ${c.name} [${algo}]`, async () => {
      const { model, feeds } = convModel(c);
      const variants = await convVariants(model, algo);
      assert.ok(variants.length === 3 && variants.every((v) => v.startsWith(`${algo} `)), `runs as ${algo}: ${variants}`);
      // Both GEMM kernels: the tiled one (workgroup memory) and the subgroup one (software adapters).
      for (const gemm of ['tiled', 'subgroup'] as const) await compare(model, feeds, algo, TOL[algo], gemm);
    });
  }
}

// A conv whose V or prod exceeds one storage binding (a 32-channel 1024x1024 map with F(4x4):
// 302 MB against lavapipe's 128 MiB) runs in chunks of tiles. Here the binding size is lowered so
// that x and y fit (3 x 30 x 29 and 12 x 30 x 29 floats, 41.8 KB at most per image pair) and V /
// prod do not: several chunks, one crossing from image 0 to image 1, and a last partial one.
test('Winograd Conv runs in chunks of tiles where V and prod exceed one binding', async () => {
  const c: Case = { name: 'chunks', x: [2, 5, 30, 29], M: 12, pads: [1, 1, 1, 1], bias: true };
  const { model, feeds } = convModel(c, 11);
  const want = await runReference(model, feeds);
  for (const algo of VARIANTS) {
    for (const gemmKernel of ['tiled', 'subgroup'] as const) {
      const s = await InferenceSession.create(model, { forceAlgorithm: algo, gemmKernel, maxStorageBufferBindingSize: 96 * 1024 });
      try {
        const chunks = (await s.stats()).kernels.filter((k) => k.variant.startsWith(`${algo} input`)).length;
        assert.ok(chunks >= 3, `${algo}: ${chunks} chunks`);
        const got = await s.run(feeds);
        assertClose(got.y.data as Float32Array, want.y.data, TOL[algo], `y [${algo}, ${gemmKernel}, ${chunks} chunks]`);
      } finally {
        await s.release();
      }
    }
  }
});

test('Winograd Conv falls back to the default kernel where it does not apply', async () => {
  const fallbacks: Case[] = [
    { name: 'stride 2', x: [1, 4, 9, 9], M: 5, pads: [1, 1, 1, 1], attrs: { strides: [2, 2] } },
    { name: 'dilation 2', x: [1, 4, 9, 9], M: 5, pads: [2, 2, 2, 2], attrs: { dilations: [2, 2] } },
    { name: 'group 2', x: [1, 4, 9, 9], M: 6, pads: [1, 1, 1, 1], attrs: { group: 2 } },
  ];
  for (const c of fallbacks) {
    const C = c.x[1] / ((c.attrs?.group as number) ?? 1);
    const b = new ModelBuilder(13);
    b.input('x', c.x);
    b.init('w', { dtype: 'float32', dims: [c.M, C, 3, 3], data: randomFloats(c.M * C * 9, 2) });
    b.node('Conv', ['x', 'w'], { pads: c.pads!, ...c.attrs }, ['y']);
    b.output('y');
    const model = b.build();
    for (const algo of VARIANTS) {
      const variants = await convVariants(model, algo);
      assert.ok(!variants.some((v) => v.startsWith('winograd')), `${c.name}: ${variants}`);
    }
    await compare(model, { x: f32(c.x, 1) }, 'winograd', TOL['winograd-f2']);
  }
  // Other kernels, a 1-D conv and weights that are graph inputs (no host filter transform).
  const other = (x: number[], w: number[], weightsAsInput: boolean, attrs: Record<string, AttrInput> = {}) => {
    const b = new ModelBuilder(13);
    b.input('x', x);
    if (weightsAsInput) b.input('w', w);
    else b.init('w', { dtype: 'float32', dims: w, data: randomFloats(count(w), 2) });
    b.node('Conv', ['x', 'w'], attrs, ['y']);
    b.output('y');
    return b.build();
  };
  const models: { name: string; model: Uint8Array; feeds: Feeds }[] = [
    { name: '5x5 kernel', model: other([1, 3, 8, 8], [4, 3, 5, 5], false), feeds: { x: f32([1, 3, 8, 8], 1) } },
    { name: '1-D kernel of 3', model: other([1, 3, 12], [4, 3, 3], false, { pads: [1, 1] }), feeds: { x: f32([1, 3, 12], 1) } },
    { name: 'weights as a graph input', model: other([1, 3, 6, 6], [4, 3, 3, 3], true), feeds: { x: f32([1, 3, 6, 6], 1), w: f32([4, 3, 3, 3], 2) } },
  ];
  for (const m of models) {
    const variants = await convVariants(m.model, 'winograd');
    assert.ok(!variants.some((v) => v.startsWith('winograd')), `${m.name}: ${variants}`);
    const want = await runReference(m.model, m.feeds);
    const s = await InferenceSession.create(m.model, { forceAlgorithm: 'winograd' });
    try {
      assertClose((await s.run(m.feeds)).y.data as Float32Array, want.y.data, TOL['winograd-f2'], m.name);
    } finally {
      await s.release();
    }
  }
});

interface Activation {
  op: string;
  attrs?: Record<string, AttrInput>;
  /** Constant inputs after X (Clip's bounds). */
  consts?: number[];
}

/**
 * A residual block tail: y = act(BN(Conv(x)) + skip), with BN folded into the Conv and the Add
 * and the activation fused into its epilogue by the default optimisation level ('all').
 */
function blockModel(x: number[], M: number, act: Activation): { model: Uint8Array; feeds: Feeds } {
  const [N, C, H, W] = x;
  const b = new ModelBuilder(13);
  b.input('x', x);
  b.input('skip', [N, M, H, W]);
  b.init('w', { dtype: 'float32', dims: [M, C, 3, 3], data: randomFloats(M * C * 9, 11) });
  b.init('b', { dtype: 'float32', dims: [M], data: randomFloats(M, 12) });
  b.init('scale', { dtype: 'float32', dims: [M], data: randomFloats(M, 13, 0.5, 1.5) });
  b.init('shift', { dtype: 'float32', dims: [M], data: randomFloats(M, 14) });
  b.init('mean', { dtype: 'float32', dims: [M], data: randomFloats(M, 15, -0.5, 0.5) });
  b.init('var', { dtype: 'float32', dims: [M], data: randomFloats(M, 16, 0.5, 2) });
  const consts = (act.consts ?? []).map((v, i) => b.init(`c${i}`, { dtype: 'float32', dims: [], data: [v] }));
  const [c] = b.node('Conv', ['x', 'w', 'b'], { pads: [1, 1, 1, 1] });
  const [bn] = b.node('BatchNormalization', [c, 'scale', 'shift', 'mean', 'var'], { epsilon: { float: 1e-5 } });
  const [sum] = b.node('Add', ['skip', bn]);
  b.node(act.op, [sum, ...consts], act.attrs ?? {}, ['y']);
  b.output('y');
  return { model: b.build(), feeds: { x: f32(x, 21), skip: f32([N, M, H, W], 22) } };
}

test('Winograd Conv runs the fused epilogue: Conv+BN+Add+Relu, +LeakyRelu, +Clip', async () => {
  const activations: Activation[] = [{ op: 'Relu' }, { op: 'LeakyRelu', attrs: { alpha: { float: 0.1 } } }, { op: 'Clip', consts: [-0.5, 2.5] }];
  for (const act of activations) {
    const { model, feeds } = blockModel([2, 6, 9, 7], 10, act);
    const g = runPasses(await decodeModel(model), { verify: true, graphOptimizationLevel: 'all' });
    assert.deepEqual(
      g.nodes.map((n) => n.opType),
      ['Conv'],
      `${act.op}: BN, Add and the activation are fused into the Conv`,
    );
    const want = await runReference(model, feeds);
    let clamped = 0;
    for (const v of want.y.data as Float32Array) if (v <= 0 || v === 2.5) clamped++;
    assert.ok(clamped > 0, 'the test data must have outputs that the activation changes');
    for (const algo of VARIANTS) {
      const variants = await convVariants(model, algo);
      assert.ok(variants.length === 3 && variants.every((v) => v.startsWith(`${algo} `)), `${act.op} [${algo}]: ${variants}`);
      await compare(model, feeds, algo, TOL[algo]);
    }
  }
});

/**
 * A ResNet-style stack at 32x32: two basic blocks, each Conv+BN+Relu -> Conv+BN, + the block's
 * input, Relu; 32 channels, He-scaled weights, random BN statistics.
 */
function resnetStack(): { model: Uint8Array; feeds: Feeds } {
  const C = 32;
  const S = 32;
  const b = new ModelBuilder(13);
  let x = b.input('x', [1, C, S, S]);
  let seed = 100;
  const convBn = (input: string) => {
    const scale = Math.sqrt(6 / (9 * C));
    const w = b.init(`w${seed}`, { dtype: 'float32', dims: [C, C, 3, 3], data: randomFloats(C * C * 9, seed++, -scale, scale) });
    const bnParams = [
      b.init(`s${seed}`, { dtype: 'float32', dims: [C], data: randomFloats(C, seed++, 0.5, 1.5) }),
      b.init(`b${seed}`, { dtype: 'float32', dims: [C], data: randomFloats(C, seed++, -0.2, 0.2) }),
      b.init(`m${seed}`, { dtype: 'float32', dims: [C], data: randomFloats(C, seed++, -0.2, 0.2) }),
      b.init(`v${seed}`, { dtype: 'float32', dims: [C], data: randomFloats(C, seed++, 0.5, 1.5) }),
    ];
    const [c] = b.node('Conv', [input, w], { pads: [1, 1, 1, 1] });
    return b.node('BatchNormalization', [c, ...bnParams])[0];
  };
  for (let block = 0; block < 2; block++) {
    const [h] = b.node('Relu', [convBn(x)]);
    const [sum] = b.node('Add', [convBn(h), x]);
    [x] = b.node('Relu', [sum], {}, block === 1 ? ['y'] : 1);
  }
  b.output('y');
  return { model: b.build(), feeds: { x: f32([1, C, S, S], 99) } };
}

test('Winograd Conv: a ResNet-style stack (4 convs with BN, Relu and residuals) matches as a whole', async () => {
  const { model, feeds } = resnetStack();
  const want = (await runReference(model, feeds)).y.data as Float32Array;
  for (const algo of [...VARIANTS, 'auto']) {
    const forceAlgorithm = algo === 'auto' ? undefined : algo;
    const variants = await convVariants(model, forceAlgorithm);
    // Four fused Convs, three dispatches each (the automatic choice is Winograd at 32 channels
    // and 32x32, see the next test).
    assert.equal(variants.length, 12, `${algo}: ${variants}`);
    assert.ok(variants.every((v) => v.startsWith('winograd')), `${algo}: ${variants}`);
    const s = await InferenceSession.create(model, { forceAlgorithm });
    try {
      const got = (await s.run(feeds)).y.data as Float32Array;
      const err = relativeError(got, want);
      assert.ok(err <= 1e-3, `${algo}: relative error ${err.toExponential(2)} > 1e-3`);
    } finally {
      await s.release();
    }
  }
});

test('Winograd Conv: the automatic choice and the overrides', async () => {
  const pick = async (x: number[], M: number, opts: Parameters<typeof planGraph>[2] = {}, attrs: Record<string, AttrInput> = {}) => {
    const { model } = convModel({ name: '', x, M, pads: [1, 1, 1, 1], attrs });
    const g = runPasses(await decodeModel(model), { verify: true });
    const v = planGraph(g, LIMITS, opts).dispatches.filter((d) => d.op === 'Conv').map((d) => d.variant);
    return v[0].startsWith('winograd') ? v[0].split(' ')[0] : v.join(',');
  };
  // ResNet stages: F(4x4) where there are enough tiles, F(2x2) at 7x7 (4 F(4x4) tiles only).
  assert.equal(await pick([1, 64, 56, 56], 64), 'winograd');
  assert.equal(await pick([1, 128, 28, 28], 128), 'winograd');
  assert.equal(await pick([1, 256, 14, 14], 256), 'winograd');
  assert.equal(await pick([1, 512, 7, 7], 512), 'winograd-f2');
  // Few input channels: the transforms cost more than the saved multiplies.
  assert.match(await pick([1, 3, 224, 224], 64), /^implicit-gemm/);
  // Overrides: another variant by name, Winograd by node name, and an inapplicable one.
  assert.match(await pick([1, 64, 56, 56], 64, { forceAlgorithm: 'implicit-gemm' }), /^implicit-gemm/);
  assert.equal(await pick([1, 64, 56, 56], 64, { variantByNode: { Conv_0: 'winograd-f2' } }), 'winograd-f2');
  assert.equal(await pick([1, 3, 224, 224], 64, { variantByOp: { Conv: 'winograd' } }), 'winograd');
  assert.match(await pick([1, 64, 56, 56], 64, { variantByOp: { Conv: 'winograd' } }, { strides: [2, 2] }), /^implicit-gemm|^im2col/);
  await assert.rejects(pick([1, 8, 9, 9], 8, { variantByNode: { Conv_0: 'winograd' } }, { dilations: [2, 2] }), /cannot run/);
});
