// float16 convolutions against onnxruntime-node (CPU): every Conv kernel variant (implicit-gemm,
// im2col, pointwise, winograd, winograd-f2, depthwise, direct; the GEMM-based ones on both
// gemmKernel 'tiled' and 'subgroup'), plain and with the fused residual Add + Relu epilogue,
// grouped, 1-D and 3-D convs, ConvTranspose (both variants), standalone BatchNormalization (both
// variants) and a small float16 CNN, each on the three storage paths: f16 storage (lavapipe has
// 'shader-f16'), float16 packed two per word (p16: `shaderF16: false`, as on devices without the
// feature) and f32 storage of float16 values (`shaderF16: false, packedF16: false`).
// Tolerances. onnxruntime computes a float16 Conv in float32 (MLAS; casting around it where it
// has no f16 kernel) and rounds the result once to float16; Fovea loads f16 as f32, accumulates
// in f32 and rounds once on store, so both round nearly the same f32 sum: the f32 sums differ by
// the accumulation order, ~K * 2^-24 of the largest product (K <= 108 here: < 1e-5 relative), so
// the results differ by at most one float16 rounding step, 2^-10 relative (9.8e-4) at worst, when
// the f32 sums straddle a rounding boundary. CONV_TOL allows two steps (rtol 2e-3), and atol 2e-3
// for outputs near zero (cancellation in the sum: the f32 order difference is then relative to
// the products, |x||w| <= 1 here, not to the result; and float16's spacing is 2^-11 near 1, 2^-14
// near 2^-4). Fused epilogues round once (conv + bias + residual, then the activation, in f32),
// where onnxruntime rounds the conv and then the Add: one more step (rtol 3e-3).
// Winograd keeps its transformed filter U, tiles V and products in f32 on both paths (f16 U
// was measured at ~5e-3 of the output scale for F(4x4): runtime/ops/nn/conv-winograd.ts), so its
// GEMM's label has no ' f16'; its extra error is F(4x4)'s f32 error (~1e-5 of the output scale),
// far below one float16 step, and WINOGRAD_TOL is CONV_TOL's with the fused epilogue's margin.
// Deeper chains (the CNN: two convs, BN, Relu, Add) compound one rounding per op (~5): CNN_TOL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { randomFloats } from '../util/rng.js';
import { checkAgainstReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';
import type { ConvAlgorithmName } from '../../runtime/ops/nn/conv.js';

const CONV_TOL = { rtol: 2e-3, atol: 2e-3 };
const FUSED_TOL = { rtol: 3e-3, atol: 3e-3 };
const WINOGRAD_TOL = { rtol: 3e-3, atol: 3e-3 };
const CNN_TOL = { rtol: 6e-3, atol: 6e-3 };
/** The storage paths: session options, the test-name tag, the variant-label suffix (none: f32). */
const STORAGE = [
  { opts: { shaderF16: true }, tag: 'f16 storage', half: 'f16' },
  { opts: { shaderF16: false }, tag: 'p16 storage', half: 'p16' },
  { opts: { shaderF16: false, packedF16: false }, tag: 'f32 storage', half: undefined },
] as const;
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f16 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float16', Array.from(randomFloats(size(dims), seed, lo, hi)), dims);
const halfInit = (b: ModelBuilder, name: string, dims: number[], seed: number, lo = -1, hi = 1) =>
  b.init(name, { dtype: 'float16', dims, data: Array.from(randomFloats(size(dims), seed, lo, hi)) });

interface Variant {
  /** The session option convAlgorithm. */
  algo: ConvAlgorithmName;
  gemm?: 'tiled' | 'subgroup';
  /** Prefix of the kernel label that must have run (then ' f16' on the f16 path). */
  label: RegExp;
}

interface Case {
  name: string;
  x: number[];
  w: number[];
  /** Output shape (needed for the residual input). */
  y: number[];
  attrs?: Record<string, AttrInput>;
  bias?: boolean;
  variants: Variant[];
}

const GEMM = ['tiled', 'subgroup'] as const;
/** The variant on both GEMM kernels; label: the tiled label, the subgroup one is `<variant> sg`. */
const onBothGemms = (algo: ConvAlgorithmName, tiled: RegExp, sg: RegExp): Variant[] => GEMM.map((gemm) => ({ algo, gemm, label: gemm === 'tiled' ? tiled : sg }));

const CASES: Case[] = [
  {
    name: '2-D 3x3 pad 1 (K = 72)',
    x: [1, 8, 9, 11],
    w: [12, 8, 3, 3],
    y: [1, 12, 9, 11],
    attrs: { pads: [1, 1, 1, 1] },
    bias: true,
    variants: [
      { algo: 'implicit-gemm', gemm: 'tiled', label: /^implicit-gemm \d+x\d+/ },
      ...onBothGemms('im2col', /^im2col gemm \d+x\d+/, /^im2col gemm sg\d+/),
      ...onBothGemms('winograd', /^winograd gemm \d+x\d+/, /^winograd gemm sg\d+/),
      ...onBothGemms('winograd-f2', /^winograd-f2 gemm \d+x\d+/, /^winograd-f2 gemm sg\d+/),
      { algo: 'direct', label: /^direct/ },
    ],
  },
  {
    name: '2-D 1x1 (pointwise, vec4 columns)',
    x: [2, 16, 6, 8],
    w: [20, 16, 1, 1],
    y: [2, 20, 6, 8],
    bias: true,
    variants: [...onBothGemms('pointwise', /^pointwise \d+x\d+/, /^pointwise sg\d+/), { algo: 'implicit-gemm', label: /^implicit-gemm/ }],
  },
  {
    name: '2-D 1x1 stride 2 (strided pointwise, odd plane)',
    x: [1, 12, 7, 9],
    w: [8, 12, 1, 1],
    y: [1, 8, 4, 5],
    attrs: { strides: [2, 2] },
    variants: onBothGemms('pointwise', /^pointwise \d+x\d+ strided/, /^pointwise sg\d+ strided/),
  },
  {
    name: 'depthwise 3x3 pad 1 (vec4 rows)',
    x: [1, 8, 10, 12],
    w: [8, 1, 3, 3],
    y: [1, 8, 10, 12],
    attrs: { group: 8, pads: [1, 1, 1, 1] },
    bias: true,
    variants: [{ algo: 'depthwise', label: /^depthwise \dx4 vx vy/ }, { algo: 'direct', label: /^direct/ }],
  },
  {
    name: 'depthwise multiplier 2, stride 2, odd plane',
    x: [2, 4, 9, 7],
    w: [8, 1, 3, 3],
    y: [2, 8, 5, 4],
    attrs: { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] },
    bias: true,
    variants: [{ algo: 'depthwise', label: /^depthwise/ }],
  },
  {
    name: 'grouped 3x3 stride 2 (2 groups)',
    x: [1, 8, 7, 7],
    w: [12, 4, 3, 3],
    y: [1, 12, 3, 3],
    attrs: { group: 2, strides: [2, 2] },
    bias: true,
    variants: [
      { algo: 'implicit-gemm', label: /^implicit-gemm/ },
      ...onBothGemms('im2col', /^im2col gemm \d+x\d+/, /^im2col gemm sg\d+/),
      { algo: 'direct', label: /^direct/ },
    ],
  },
  {
    name: '1-D kernel 5 pad 2 (batch 2)',
    x: [2, 6, 17],
    w: [10, 6, 5],
    y: [2, 10, 17],
    attrs: { pads: [2, 2] },
    bias: true,
    variants: [
      { algo: 'implicit-gemm', label: /^implicit-gemm/ },
      ...onBothGemms('im2col', /^im2col gemm \d+x\d+/, /^im2col gemm sg\d+/),
      { algo: 'direct', label: /^direct/ },
    ],
  },
  {
    name: '3-D 3x3x3 pad 1 (K = 108)',
    x: [1, 4, 5, 6, 7],
    w: [8, 4, 3, 3, 3],
    y: [1, 8, 5, 6, 7],
    attrs: { pads: [1, 1, 1, 1, 1, 1] },
    bias: true,
    variants: [
      { algo: 'implicit-gemm', label: /^implicit-gemm \d+x\d+/ },
      ...onBothGemms('im2col', /^im2col gemm \d+x\d+/, /^im2col gemm sg\d+/),
      { algo: 'direct', label: /^direct 3d/ },
    ],
  },
  {
    name: '3-D 1x1x1 (pointwise)',
    x: [1, 8, 3, 4, 5],
    w: [6, 8, 1, 1, 1],
    y: [1, 6, 3, 4, 5],
    variants: onBothGemms('pointwise', /^pointwise \d+x\d+/, /^pointwise sg\d+/),
  },
];

type Epilogue = 'none' | 'residual+Relu';

/** Conv(x, w, b) -> y, or Relu(Add(Conv(x, w, b), skip)) -> y (fused into the Conv), all float16. */
function convModel(c: Case, epilogue: Epilogue, seed: number): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  b.input('x', c.x, 'float16');
  const feeds: Feeds = { x: f16(c.x, seed) };
  const inputs = ['x', halfInit(b, 'w', c.w, seed + 1)];
  if (c.bias) inputs.push(halfInit(b, 'b', [c.w[0]], seed + 2));
  if (epilogue === 'none') {
    b.node('Conv', inputs, c.attrs ?? {}, ['y']);
  } else {
    b.input('skip', c.y, 'float16');
    feeds.skip = f16(c.y, seed + 3);
    const [conv] = b.node('Conv', inputs, c.attrs ?? {});
    const [sum] = b.node('Add', [conv, 'skip']);
    b.node('Relu', [sum], {}, ['y']);
  }
  b.output('y', c.y, 'float16');
  return { model: b.build(), feeds };
}

/** The float16 storage a kernel label says it ran specialised on ('f16', 'p16' or none). */
const halfOf = (k: string) => k.match(/[ -](f16|p16)$/)?.[1];
/** Winograd's GEMM runs on its f32 scratch whatever the conv's type. */
const isF32Scratch = (k: string) => /^winograd(-f2)? gemm /.test(k);

/** The kernels that ran include `label` (every kernel with the storage's ' f16' / ' p16' exactly on
 * that path, but Winograd's f32 GEMM) and, with the fused epilogue, no separate Add or Relu. */
function assertRan(kernels: string[], label: RegExp, half: string | undefined, fused: boolean): void {
  const hit = kernels.filter((k) => label.test(k));
  assert.ok(hit.length > 0, `expected ${label} among ${kernels.join(', ')}`);
  for (const k of kernels) assert.equal(halfOf(k), isF32Scratch(k) ? undefined : half, `storage label on ${half ?? 'f32'} storage: ${k}`);
  if (fused) assert.ok(!kernels.some((k) => /^(Add|Relu)\b/.test(k)), `Add and Relu fused into the Conv: ${kernels.join(', ')}`);
}

for (const { opts, tag, half } of STORAGE) {
  for (const c of CASES) {
    test(`float16 Conv ${c.name}: every variant, plain and fused (${tag})`, async () => {
      let seed = 10;
      for (const v of c.variants) {
        for (const epilogue of ['none', 'residual+Relu'] as const) {
          const { model, feeds } = convModel(c, epilogue, seed++);
          const winograd = v.algo.startsWith('winograd');
          const tol = winograd ? WINOGRAD_TOL : epilogue === 'none' ? CONV_TOL : FUSED_TOL;
          const kernels = await checkAgainstReference(model, feeds, tol, { ...opts, convAlgorithm: v.algo, ...(v.gemm ? { gemmKernel: v.gemm } : {}) });
          assertRan(kernels, v.label, half, epilogue !== 'none');
        }
      }
    });
  }

  test(`float16 Conv with a fused LeakyRelu (an activation parameter) and no bias (${tag})`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [1, 6, 8, 8], 'float16');
    const [conv] = b.node('Conv', ['x', halfInit(b, 'w', [8, 6, 3, 3], 5)], { pads: [1, 1, 1, 1] });
    b.node('LeakyRelu', [conv], { alpha: 0.2 }, ['y']);
    b.output('y', [1, 8, 8, 8], 'float16');
    const kernels = await checkAgainstReference(b.build(), { x: f16([1, 6, 8, 8], 6) }, FUSED_TOL, { ...opts, convAlgorithm: 'implicit-gemm' });
    assertRan(kernels, /^implicit-gemm/, half, false);
    assert.ok(!kernels.some((k) => k.startsWith('LeakyRelu')), kernels.join());
  });

  for (const algo of ['convtranspose-tiled', 'convtranspose-direct']) {
    test(`float16 ConvTranspose ${algo}: stride 2, pads, bias; grouped; W as a graph input (${tag})`, async () => {
      const cases: { x: number[]; w: number[]; attrs: Record<string, AttrInput>; bias: boolean; wInput?: boolean }[] = [
        { x: [1, 6, 5, 7], w: [6, 8, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, bias: true },
        { x: [2, 4, 6], w: [4, 3, 4], attrs: { strides: [2], group: 2 }, bias: true },
        { x: [1, 4, 5, 5], w: [4, 2, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: false, wInput: true },
      ];
      let seed = 40;
      for (const c of cases) {
        const b = new ModelBuilder(13);
        b.input('x', c.x, 'float16');
        const feeds: Feeds = { x: f16(c.x, seed++) };
        let w: string;
        if (c.wInput) {
          w = b.input('w', c.w, 'float16');
          feeds.w = f16(c.w, seed++);
        } else {
          w = halfInit(b, 'w', c.w, seed++);
        }
        const inputs = [
          'x',
          w,
          ...(c.bias ? [halfInit(b, 'b', [c.w[1] * (typeof c.attrs.group === 'number' ? c.attrs.group : 1)], seed++)] : []),
        ];
        b.node('ConvTranspose', inputs, c.attrs, ['y']);
        b.output('y', [], 'float16');
        const kernels = await checkAgainstReference(b.build(), feeds, CONV_TOL, { ...opts, forceAlgorithm: algo });
        assertRan(kernels, new RegExp(`^${algo} `), half, false);
      }
    });
  }

  test(`float16 BatchNormalization: constant parameters (precomputed) and graph inputs (generic) (${tag})`, async () => {
    for (const asInputs of [false, true]) {
      const C = 5;
      const b = new ModelBuilder(15);
      b.input('x', [2, C, 3, 4], 'float16');
      const feeds: Feeds = { x: f16([2, C, 3, 4], 60, -2, 2) };
      const params = ['scale', 'bias', 'mean', 'var'].map((name, i) => {
        const [lo, hi] = name === 'var' ? [0.2, 2] : [-1, 1];
        if (!asInputs) return halfInit(b, name, [C], 61 + i, lo, hi);
        feeds[name] = f16([C], 61 + i, lo, hi);
        return b.input(name, [C], 'float16');
      });
      b.node('BatchNormalization', ['x', ...params], { epsilon: 1e-3 }, ['y']);
      b.output('y', [2, C, 3, 4], 'float16');
      // A handful of f32 operations rounded once (onnxruntime: likewise, or per step in f16).
      const kernels = await checkAgainstReference(b.build(), feeds, CONV_TOL, opts);
      assertRan(kernels, asInputs ? /^generic/ : /^precomputed/, half, false);
    }
  });

  test(`float16 CNN: Conv-BN-Relu-Conv-Add-Relu, depthwise and pointwise convs, default choices (${tag})`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [1, 3, 16, 16], 'float16');
    const [c1] = b.node('Conv', ['x', halfInit(b, 'w1', [16, 3, 3, 3], 70, -0.5, 0.5), halfInit(b, 'b1', [16], 71)], { pads: [1, 1, 1, 1] });
    const bn = ['s', 'o', 'm', 'v'].map((n, i) => halfInit(b, `bn_${n}`, [16], 72 + i, n === 'v' ? 0.5 : -0.5, n === 'v' ? 1.5 : 0.5));
    const [n1] = b.node('BatchNormalization', [c1, ...bn], {});
    const [r1] = b.node('Relu', [n1]);
    const [c2] = b.node('Conv', [r1, halfInit(b, 'w2', [16, 16, 3, 3], 76, -0.15, 0.15), halfInit(b, 'b2', [16], 77)], { pads: [1, 1, 1, 1] });
    const [a2] = b.node('Add', [c2, r1]);
    const [r2] = b.node('Relu', [a2]);
    const [dw] = b.node('Conv', [r2, halfInit(b, 'w3', [16, 1, 3, 3], 78, -0.3, 0.3)], { group: 16, pads: [1, 1, 1, 1], strides: [2, 2] });
    const [r3] = b.node('Relu', [dw]);
    b.node('Conv', [r3, halfInit(b, 'w4', [8, 16, 1, 1], 79, -0.3, 0.3), halfInit(b, 'b4', [8], 80)], {}, ['y']);
    b.output('y', [1, 8, 8, 8], 'float16');
    const kernels = await checkAgainstReference(b.build(), { x: f16([1, 3, 16, 16], 81) }, CNN_TOL, opts);
    for (const k of kernels) assert.equal(halfOf(k), isF32Scratch(k) ? undefined : half, `${k} in ${kernels.join(', ')}`);
    assert.ok(kernels.some((k) => k.startsWith('depthwise')), kernels.join());
    // The residual Add and the Relus after convs are fused into them; the Relu after the
    // standalone BatchNormalization (not folded into float16 weights) runs on its own.
    assert.ok(!kernels.some((k) => /^Add\b/.test(k)), kernels.join());
    assert.equal(kernels.filter((k) => /^Relu\b/.test(k)).length, 1, kernels.join());
  });
}

test('float16 Conv/ConvTranspose: mixing float16 and float32 inputs on one node is a ShapeError', async () => {
  for (const op of ['Conv', 'ConvTranspose']) {
    for (const [wType, bType] of [['float32', 'float16'], ['float16', 'float32']] as const) {
      const b = new ModelBuilder(13);
      b.input('x', [1, 4, 5, 5], 'float16');
      b.init('w', { dtype: wType, dims: [4, 4, 3, 3], data: new Array(144).fill(0.5) });
      b.init('b', { dtype: bType, dims: [4], data: [1, 2, 3, 4] });
      b.node(op, ['x', 'w', 'b'], {}, ['y']);
      b.output('y', [], 'float16');
      await assert.rejects(InferenceSession.create(b.build()), ShapeError, `${op} W ${wType} B ${bType}`);
    }
  }
});
