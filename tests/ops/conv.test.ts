// Conv against onnxruntime-node: 1-D and 2-D, odd sizes and channel counts, batch > 1, strides,
// dilations, groups (depthwise included), every auto_pad mode, asymmetric pads, with and without
// bias, 1x1 and 7x7 kernels, weights as graph inputs; every case runs with both kernels
// (forceAlgorithm 'implicit-gemm' and 'direct'), and the GEMM's tile shapes are all exercised.
// Also: the default kernel choice, the epilogue activation hook, and shape errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { addConvWeights } from '../util/conv-weights.js';
import { randomFloats } from '../util/rng.js';
import { assertClose, checkAgainstReference, runReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { runPasses } from '../../runtime/passes/index.js';
import { planGraph } from '../../runtime/gpu/plan.js';
import { ShapeError } from '../../runtime/errors.js';
import { CONV_ACTIVATION_ATTR } from '../../runtime/ops/nn/conv.js';
import { DEFAULT_LIMITS } from '../../runtime/gpu/device.js';

const TOL = { rtol: 1e-3, atol: 1e-4 };
const ALGORITHMS = ['implicit-gemm', 'direct'];
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(count(dims), seed), dims);

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  attrs?: Record<string, AttrInput>;
  bias?: boolean;
  /** W (and B) as graph inputs instead of initializers. */
  weightsAsInputs?: boolean;
  opset?: number;
}

function convModel(c: ConvCase, seed = 1): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(c.opset ?? 13);
  const feeds: Feeds = { x: f32(c.x, seed) };
  b.input('x', c.x);
  const M = c.w[0];
  const inputs = ['x', ...addConvWeights(b, feeds, { w: c.w, biasLength: c.bias ? M : undefined, asInputs: c.weightsAsInputs, seed })];
  b.node('Conv', inputs, c.attrs ?? {}, ['y']);
  b.output('y');
  return { model: b.build(), feeds };
}

const CASES: ConvCase[] = [
  { name: '3x3 pad 1, batch 2, bias', x: [2, 3, 7, 9], w: [5, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { name: 'stride 2, no bias', x: [2, 5, 11, 10], w: [6, 5, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'dilation 2', x: [1, 4, 12, 11], w: [7, 4, 3, 3], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] }, bias: true },
  { name: 'per-axis dilation, stride and pads', x: [1, 3, 13, 10], w: [4, 3, 3, 2], attrs: { dilations: [2, 1], strides: [1, 3], pads: [1, 0, 2, 1] } },
  { name: 'group 2, asymmetric pads', x: [2, 6, 8, 7], w: [10, 3, 3, 3], attrs: { group: 2, pads: [1, 0, 1, 2] }, bias: true },
  { name: 'depthwise (group = C), stride 2', x: [2, 8, 9, 9], w: [8, 1, 3, 3], attrs: { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'depthwise with channel multiplier 2', x: [1, 5, 8, 7], w: [10, 1, 3, 3], attrs: { group: 5, pads: [1, 1, 1, 1] } },
  { name: 'auto_pad SAME_UPPER, even kernel, stride 2', x: [1, 3, 9, 8], w: [5, 3, 4, 4], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, bias: true },
  { name: 'auto_pad SAME_LOWER, even kernel, stride 2', x: [1, 3, 9, 8], w: [5, 3, 4, 4], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, bias: true },
  // (onnxruntime rejects auto_pad SAME_* with dilations, so those are not compared.)
  { name: 'auto_pad SAME_UPPER, stride 3, odd kernel', x: [1, 2, 10, 11], w: [3, 2, 3, 5], attrs: { auto_pad: 'SAME_UPPER', strides: [3, 2] } },
  { name: 'auto_pad SAME_LOWER, kernel smaller than the stride', x: [1, 2, 7, 8], w: [3, 2, 1, 2], attrs: { auto_pad: 'SAME_LOWER', strides: [3, 3] } },
  { name: 'auto_pad VALID', x: [1, 3, 9, 8], w: [4, 3, 3, 2], attrs: { auto_pad: 'VALID', strides: [2, 1] } },
  { name: 'auto_pad NOTSET with explicit asymmetric pads', x: [1, 4, 6, 7], w: [5, 4, 3, 3], attrs: { auto_pad: 'NOTSET', pads: [0, 1, 2, 3] } },
  { name: '1x1 kernel, bias', x: [2, 13, 5, 6], w: [17, 13, 1, 1], bias: true },
  { name: '1x1 kernel, stride 2', x: [1, 7, 9, 9], w: [9, 7, 1, 1], attrs: { strides: [2, 2] } },
  { name: '1-D conv: stride, pads, dilation, bias', x: [2, 5, 17], w: [6, 5, 3], attrs: { strides: [2], pads: [1, 2], dilations: [2] }, bias: true },
  { name: '1-D conv: group 2, SAME_UPPER, stride 3', x: [1, 4, 12], w: [6, 2, 4], attrs: { group: 2, auto_pad: 'SAME_UPPER', strides: [3] } },
  { name: '7x7 stride 2 pad 3 (ResNet stem), batch 2', x: [2, 3, 23, 23], w: [8, 3, 7, 7], attrs: { strides: [2, 2], pads: [3, 3, 3, 3] }, bias: true },
  // Tile coverage: Mg 70 -> 32-row tiles (3 of them), K = 333 (ragged K chunks).
  { name: '70 output channels, K not a multiple of 16', x: [1, 37, 6, 7], w: [70, 37, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  // Mg 128 -> 128-row tiles; Mg 48 -> 64-row tiles; several column tiles with batch 3.
  { name: '128 output channels', x: [1, 8, 5, 5], w: [128, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: '48 output channels, batch 3, several column tiles', x: [3, 4, 13, 14], w: [48, 4, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { name: 'kernel_shape given, non-square kernel', x: [1, 2, 5, 6], w: [3, 2, 2, 3], attrs: { kernel_shape: [2, 3] } },
  { name: 'weights and bias as graph inputs', x: [1, 3, 6, 6], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, weightsAsInputs: true },
  { name: 'opset 1 model', x: [1, 2, 6, 5], w: [3, 2, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 1] }, bias: true, opset: 1 },
];

for (const c of CASES) {
  for (const algo of ALGORITHMS) {
    test(`Conv ${c.name} [${algo}]`, async () => {
      const { model, feeds } = convModel(c);
      await checkAgainstReference(model, feeds, TOL, { forceAlgorithm: algo });
    });
  }
}

const LIMITS = DEFAULT_LIMITS;

async function convVariants(model: Uint8Array, forceAlgorithm?: string): Promise<string[]> {
  const g = runPasses(await decodeModel(model), { verify: true });
  return planGraph(g, LIMITS, { forceAlgorithm }).dispatches.filter((d) => d.op === 'Conv').map((d) => d.variant);
}

test('Conv picks implicit-gemm by default, depthwise for depthwise; forceAlgorithm overrides both', async () => {
  const dense = convModel({ name: '', x: [1, 8, 6, 6], w: [24, 8, 3, 3] }).model;
  const depthwise = convModel({ name: '', x: [1, 8, 6, 6], w: [8, 1, 3, 3], attrs: { group: 8 } }).model;
  assert.deepEqual(await convVariants(dense), ['implicit-gemm 32x128']);
  assert.deepEqual(await convVariants(depthwise), ['depthwise 4x4 vy']);
  assert.deepEqual(await convVariants(dense, 'direct'), ['direct']);
  assert.deepEqual(await convVariants(depthwise, 'implicit-gemm'), ['implicit-gemm 16x256']);
  // Names that belong to other ops' variants leave the default alone.
  assert.deepEqual(await convVariants(dense, 'softmax-thread'), ['implicit-gemm 32x128']);
});

test('Conv tile height follows the output channels per group', async () => {
  // (Forced: on outputs this small the automatic choice is im2col, see conv-variants.test.ts.)
  const tile = async (M: number, group = 1) => (await convVariants(convModel({ name: '', x: [1, 2 * group, 4, 4], w: [M, 2, 3, 3], attrs: { group } }).model, 'implicit-gemm'))[0];
  assert.equal(await tile(16), 'implicit-gemm 16x256');
  assert.equal(await tile(64), 'implicit-gemm 64x64');
  assert.equal(await tile(256), 'implicit-gemm 128x32');
  assert.equal(await tile(96, 2), 'implicit-gemm 64x64');
});

test('Conv epilogue applies the fused activation named by fovea.activation (fusion hook)', async () => {
  const x = [2, 3, 7, 6];
  const w = [6, 3, 3, 3];
  const build = (fused: boolean) => {
    const b = new ModelBuilder(13);
    b.input('x', x);
    b.init('w', { dtype: 'float32', dims: w, data: randomFloats(count(w), 31) });
    b.init('b', { dtype: 'float32', dims: [6], data: randomFloats(6, 32) });
    if (fused) {
      b.node('Conv', ['x', 'w', 'b'], { pads: [1, 1, 1, 1], [CONV_ACTIVATION_ATTR]: 'Relu' }, ['y']);
    } else {
      const [c] = b.node('Conv', ['x', 'w', 'b'], { pads: [1, 1, 1, 1] });
      b.node('Relu', [c], {}, ['y']);
    }
    b.output('y');
    return b.build();
  };
  const feeds = { x: f32(x, 30) };
  const want = await runReference(build(false), feeds);
  let negatives = 0;
  for (const v of want.y.data as Float32Array) if (v === 0) negatives++;
  assert.ok(negatives > 0, 'the test data must have outputs that the activation clamps');
  for (const algo of ALGORITHMS) {
    const s = await InferenceSession.create(build(true), { forceAlgorithm: algo });
    try {
      const got = await s.run(feeds);
      assertClose(got.y.data as Float32Array, want.y.data, TOL, `y [${algo}]`);
    } finally {
      await s.release();
    }
  }
});

test('Conv rejects a fovea.activation that is not a known activation name, or has the wrong parameters', async () => {
  // Model files are untrusted: the attribute names a table entry, its text never reaches WGSL.
  const bad: Record<string, AttrInput>[] = [
    { [CONV_ACTIVATION_ATTR]: 'v; y[0] = 1.0' },
    { [CONV_ACTIVATION_ATTR]: 'max(v, 0.0)' },
    { [CONV_ACTIVATION_ATTR]: 'Softmax' },
    { [CONV_ACTIVATION_ATTR]: 'Clip', 'fovea.activation_params': [0.5] },
    { [CONV_ACTIVATION_ATTR]: 'Relu', 'fovea.activation_params': [0.5] },
    { 'fovea.activation_params': [0.5, 1.5] },
  ];
  for (const attrs of bad) {
    const c: ConvCase = { name: '', x: [1, 2, 4, 4], w: [3, 2, 3, 3], attrs };
    await assert.rejects(InferenceSession.create(convModel(c).model), ShapeError, JSON.stringify(attrs));
  }
});

test('Conv rejects invalid shapes with ShapeError', async () => {
  const bad: ConvCase[] = [
    { name: '4-D conv', x: [1, 2, 4, 4, 4, 4], w: [3, 2, 3, 3, 3, 3] },
    { name: 'channels do not match W', x: [1, 4, 5, 5], w: [3, 3, 3, 3] },
    { name: 'group does not divide M', x: [1, 4, 5, 5], w: [3, 2, 3, 3], attrs: { group: 2 } },
    { name: 'kernel_shape does not match W', x: [1, 2, 5, 5], w: [3, 2, 3, 3], attrs: { kernel_shape: [2, 2] } },
    { name: 'window larger than the padded input', x: [1, 2, 2, 2], w: [3, 2, 3, 3] },
    { name: 'pads of the wrong length', x: [1, 2, 5, 5], w: [3, 2, 3, 3], attrs: { pads: [1, 1] } },
  ];
  for (const c of bad) {
    await assert.rejects(InferenceSession.create(convModel(c).model), ShapeError, c.name);
  }
});
