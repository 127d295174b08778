// Values larger than one storage binding (runtime/passes/split-large-values.ts; Winograd's chunks
// in runtime/ops/nn/conv-winograd.ts): WebGPU binds at most maxStorageBufferBindingSize bytes to
// one shader variable (128 MiB on lavapipe), and a U-Net's 64-channel 1024x1024 map is 256 MiB.
// - The pass on its own (no GPU): after it no activation exceeds the limit, the graph verifies,
//   convs become slab convs summed by Adds, Concats of slabs disappear, and a large value it
//   cannot split (a graph output, a Transpose reading it) leaves the graph unchanged.
// - Small U-Net-style models with the binding size lowered (SessionOptions
//   maxStorageBufferBindingSize) so that their maps exceed it: every rewrite rule runs on the GPU,
//   at graphOptimizationLevel 'disabled' (the slab Adds and a BatchNormalization run as they are)
//   and 'all' (the Adds fold into the convs' epilogues), against onnxruntime-node.
// - The U-Net at its native 1024x1024 (scripts/export-unet-1024.py) on the device's own limit.
// Tolerances: rtol 1e-3, atol 1e-4 as tests/ops/conv.test.ts; a split conv sums its input slabs
// in another order than one conv does (one f32 rounding per slab more).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { assertClose, runReference, type Feeds, type Tolerance } from './util/reference.js';
import { InferenceSession, Tensor, LimitError, acquireDevice } from '../runtime/index.node.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { runPasses } from '../runtime/passes/index.js';
import { sizeOf, type Graph } from '../runtime/ir/types.js';
import type { GraphOptimizationLevel } from '../runtime/passes/index.js';

const TOL: Tolerance = { rtol: 1e-3, atol: 1e-4 };
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(sizeOf(dims), seed), dims);
const spec = (dims: number[], seed: number, lo = -0.5, hi = 0.5) => ({ dtype: 'float32' as const, dims, data: randomFloats(sizeOf(dims), seed, lo, hi) });
const F32 = { shaderF16: false };

/**
 * A U-Net-style graph at 16x16 whose 16x16 maps take 16 channels (16 KiB): conv 3->16 + BN +
 * Relu, MaxPool, conv 16->16 + PRelu, ConvTranspose 16->8 (x2), Concat with a 16-channel skip (a
 * 24-channel map), Mul by a per-channel constant, Add of a scalar, conv 24->4 + residual Add of
 * another conv, a GlobalAveragePool output. With the limit at 12 KiB the 16x16 maps of 16 and 24
 * channels exceed it.
 */
function unetish(): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  b.input('x', [1, 3, 16, 16]);
  b.init('w1', spec([16, 3, 3, 3], 1));
  b.init('b1', spec([16], 2));
  for (const [n, s] of [['s', 3], ['bb', 4], ['m', 5]] as const) b.init(`bn_${n}`, spec([16], s));
  b.init('bn_v', spec([16], 6, 0.5, 1.5));
  b.node('Conv', ['x', 'w1', 'b1'], { pads: [1, 1, 1, 1] }, ['c1']);
  b.node('BatchNormalization', ['c1', 'bn_s', 'bn_bb', 'bn_m', 'bn_v'], {}, ['n1']);
  b.node('Relu', ['n1'], {}, ['r1']);
  b.node('MaxPool', ['r1'], { kernel_shape: [2, 2], strides: [2, 2] }, ['p1']);
  b.init('w2', spec([16, 16, 3, 3], 7));
  b.node('Conv', ['p1', 'w2'], { pads: [1, 1, 1, 1] }, ['c2']);
  b.init('slope', spec([16, 1, 1], 8, 0, 0.3));
  b.node('PRelu', ['c2', 'slope'], {}, ['a2']);
  b.init('wt', spec([16, 8, 2, 2], 9));
  b.init('bt', spec([8], 10));
  b.node('ConvTranspose', ['a2', 'wt', 'bt'], { strides: [2, 2] }, ['u']);
  b.init('ws', spec([16, 16, 1, 1], 11));
  b.node('Conv', ['r1', 'ws'], {}, ['skip']);
  b.node('Concat', ['u', 'skip'], { axis: 1 }, ['cat']);
  b.init('scale', spec([1, 24, 1, 1], 12, 0.5, 1.5));
  b.node('Mul', ['cat', 'scale'], {}, ['ms']);
  b.init('half', { dtype: 'float32', dims: [], data: new Float32Array([0.5]) });
  b.node('Add', ['ms', 'half'], {}, ['mh']);
  b.init('w3', spec([4, 24, 3, 3], 13));
  b.init('b3', spec([4], 14));
  b.node('Conv', ['mh', 'w3', 'b3'], { pads: [1, 1, 1, 1] }, ['c3']);
  b.init('w4', spec([4, 16, 1, 1], 15));
  b.node('Conv', ['r1', 'w4'], {}, ['c4']);
  b.node('Add', ['c3', 'c4'], {}, ['y0']);
  b.node('Relu', ['y0'], {}, ['y']);
  b.node('GlobalAveragePool', ['r1'], {}, ['g']);
  b.output('y');
  b.output('g');
  return { model: b.build(), feeds: { x: f32([1, 3, 16, 16], 16) } };
}

const LIMIT = 12 * 1024;
const bindingLimit = { maxBytes: LIMIT, elements: F32 };

/** The activations (not initializers) above `limit` bytes as f32. */
function largeValues(g: Graph, limit: number): string[] {
  return [...g.values.values()].filter((v) => !g.initializers.has(v.name) && v.shape && sizeOf(v.shape) * 4 > limit).map((v) => v.name);
}

test('split-large-values: no activation above the binding limit, the graph verifies (no GPU)', async () => {
  const { model } = unetish();
  const g0 = runPasses(await decodeModel(model), { verify: true });
  assert.deepEqual(largeValues(g0, LIMIT).sort(), ['cat', 'mh', 'ms', 'r1', 'skip'], 'without a limit the large maps stay');
  for (const level of ['disabled', 'all'] as GraphOptimizationLevel[]) {
    const g = runPasses(await decodeModel(model), { verify: true, bindingLimit, graphOptimizationLevel: level });
    assert.deepEqual(largeValues(g, LIMIT), [], `${level}: every activation within ${LIMIT} bytes`);
    assert.ok(!g.nodes.some((n) => n.outputs.includes('cat')), `${level}: the Concat of slabs is gone`);
    const split = g.nodes.filter((n) => n.name.includes('/split/'));
    assert.ok(split.length >= 10, `${level}: ${split.length} slab nodes`);
    if (level === 'all') {
      // The slab sums fold into the convs (fuse-residual-add), the Relu after a split conv into
      // each slab conv. (Add(c3, c4) of two split convs stays an Add: both already carry a residual.)
      assert.ok(!g.nodes.some((n) => n.opType === 'Add' && /\/split\/o\d+sum/.test(n.name)), 'slab sums fused');
      assert.ok(!g.nodes.some((n) => n.opType === 'Relu' && n.name.includes('/split/')), 'slab Relus fused');
    } else {
      assert.ok(g.nodes.some((n) => n.opType === 'BatchNormalization' && n.name.includes('/split/')), 'BN per slab');
    }
  }
});

test('split-large-values leaves a graph alone where a large value cannot be split', async () => {
  // A large graph output, and a large value read by a Transpose.
  const out = new ModelBuilder(13);
  out.input('x', [1, 4, 32, 32]);
  out.node('Relu', ['x'], {}, ['y']);
  out.output('y');
  const t = new ModelBuilder(13);
  t.input('x', [1, 4, 32, 32]);
  t.node('Relu', ['x'], {}, ['r']);
  t.node('Transpose', ['r'], { perm: [0, 2, 3, 1] }, ['tr']);
  t.node('ReduceSum', ['tr'], { keepdims: 0 }, ['y']);
  t.output('y');
  for (const b of [out, t]) {
    const plain = runPasses(await decodeModel(b.build()), { verify: true });
    const g = runPasses(await decodeModel(b.build()), { verify: true, bindingLimit: { maxBytes: 8 * 1024, elements: F32 } });
    assert.deepEqual(g.nodes.map((n) => n.name), plain.nodes.map((n) => n.name));
  }
  // And the session says which binding is too large.
  const s = InferenceSession.create(t.build(), { maxStorageBufferBindingSize: 8 * 1024 });
  await assert.rejects(s, (e: unknown) => e instanceof LimitError && /maxStorageBufferBindingSize/.test(e.message));
});

test('split-large-values on the GPU: a U-Net-style model with its maps above the binding size matches onnxruntime', async () => {
  const { model, feeds } = unetish();
  const want = await runReference(model, feeds);
  for (const level of ['disabled', 'all'] as GraphOptimizationLevel[]) {
    for (const shaderF16 of [true, false]) {
      const s = await InferenceSession.create(model, { graphOptimizationLevel: level, maxStorageBufferBindingSize: LIMIT, shaderF16 });
      try {
        const kernels = (await s.stats()).kernels;
        assert.ok(kernels.some((k) => k.node.includes('/split/')), 'slab kernels ran');
        const got = await s.run(feeds);
        for (const name of ['y', 'g']) assertClose(got[name].data as Float32Array, want[name].data, TOL, `${name} [${level}]`);
      } finally {
        await s.release();
      }
    }
  }
});

test('split-large-values on the GPU: float16 values split by their 2-byte size', async () => {
  // precision 'float16': with f16 storage the maps take half the bytes, so a limit of 6 KiB splits
  // what 12 KiB splits in float32; without shader-f16 they are stored as f32 and split as float32.
  const { model, feeds } = unetish();
  const want = await runReference(model, feeds);
  for (const shaderF16 of [true, false]) {
    const s = await InferenceSession.create(model, { precision: 'float16', maxStorageBufferBindingSize: shaderF16 ? LIMIT / 2 : LIMIT, shaderF16 });
    try {
      const got = await s.run(feeds);
      // float16 activations: ~3 significant digits per op, 6 ops deep (tests/precision/float16.test.ts).
      assertClose(got.y.data as Float32Array, want.y.data, { rtol: 2e-2, atol: 2e-2 }, `y [float16, shaderF16 ${shaderF16}]`);
    } finally {
      await s.release();
    }
  }
});

/** The 1024x1024 U-Net (7.7 MB), exported once into the user cache. */
function unet1024(): string {
  const dir = join(homedir(), '.cache', 'fovea', 'models');
  const file = join(dir, 'unet1024.onnx');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname, '..', 'scripts', 'export-unet-1024.py'), dir], { stdio: 'inherit' });
    assert.equal(r.status, 0, 'scripts/export-unet-1024.py');
  }
  return file;
}

test('a U-Net at 1024x1024 (a 256 MiB map) runs on the device limit and matches onnxruntime', async () => {
  const model = readFileSync(unet1024());
  const x = f32([1, 3, 1024, 1024], 1024);
  const s = await InferenceSession.create(model);
  try {
    const { device } = await acquireDevice();
    if (device.limits.maxStorageBufferBindingSize < 256 * 1024 * 1024) {
      const kernels = (await s.stats()).kernels;
      assert.ok(kernels.some((k) => k.node.includes('/split/')), 'the decoder conv on the 64-channel map ran on slabs');
    }
    const got = await s.run({ [s.inputNames[0]]: x });
    const want = await runReference(model, { [s.inputNames[0]]: x });
    const name = s.outputNames[0];
    assert.deepEqual([...got[name].dims], [1, 2, 1024, 1024]);
    assertClose(got[name].data as Float32Array, want[name].data, TOL, 'U-Net 1024x1024');
  } finally {
    await s.release();
  }
});
