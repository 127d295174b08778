// Conv kernel variants against onnxruntime-node: 'depthwise' (conv-depthwise.ts), 'pointwise'
// and 'im2col' (conv-gemm.ts) on 1-D/2-D convs, and 3-D convs ('implicit-gemm', 'direct',
// 'pointwise'). Every case runs through each variant that can run it (session option
// convAlgorithm, checked in the plan to be the kernel that ran; 'pointwise' and 'im2col' with each
// GEMM kernel, option gemmKernel) and the automatic choice, twice:
// as a plain Conv, and as Conv + Add(skip) + Relu, which the fusion passes fold into the Conv's
// epilogue (residual and activation; checked too). Cases: odd sizes, channel counts that are not
// multiples of 4, batch 2 and 3, every auto_pad mode and asymmetric pads, strides 2 and 3,
// dilations, groups, channel multipliers, tiny planes, weights as graph inputs, and shapes that
// select each GEMM tile. Also a small 3-D ResNet (Conv3d + BN + Relu, residual adds, a strided
// 1x1x1 shortcut), the automatic choice per shape, and the convAlgorithm / convAlgorithmByNode
// options with their errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { addConvWeights } from '../util/conv-weights.js';
import { randomFloats } from '../util/rng.js';
import { checkAgainstReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor, acquireDevice } from '../../runtime/index.node.js';
import { kernelLimits } from '../../runtime/gpu/device.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { runPasses } from '../../runtime/passes/index.js';
import { planGraph } from '../../runtime/gpu/plan.js';
import { InputError } from '../../runtime/errors.js';
import type { KernelOptions } from '../../runtime/ops/types.js';
import { DEFAULT_LIMITS } from '../../runtime/gpu/device.js';

const TOL = { rtol: 1e-3, atol: 1e-4 };
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(count(dims), seed, lo, hi), dims);

interface Case {
  name: string;
  x: number[];
  w: number[];
  attrs?: Record<string, AttrInput>;
  bias?: boolean;
  /** W (and B) as graph inputs: the GEMM reads W in its ONNX layout instead of re-laid out. */
  weightsAsInputs?: boolean;
  /** Variants to force, besides the automatic choice. */
  variants: string[];
  /** The automatic choice's variant label prefix, where the case pins it. */
  auto?: string;
}

type Epilogue = 'none' | 'residual+Relu';

/** Conv(x, w, b), or Add(Conv(x, w, b), skip) -> Relu. The output shape comes from the reference. */
function build(c: Case, epilogue: Epilogue, yShape: number[] | undefined, seed = 1): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  const feeds: Feeds = { x: f32(c.x, seed) };
  b.input('x', c.x);
  const M = c.w[0];
  const inputs = ['x', ...addConvWeights(b, feeds, { w: c.w, biasLength: c.bias ? M : undefined, asInputs: c.weightsAsInputs, seed })];
  if (epilogue === 'none') {
    b.node('Conv', inputs, c.attrs ?? {}, ['y']);
  } else {
    b.input('skip', yShape!);
    feeds.skip = f32(yShape!, seed + 3);
    const [conv] = b.node('Conv', inputs, c.attrs ?? {});
    const [sum] = b.node('Add', [conv, 'skip']);
    b.node('Relu', [sum], {}, ['y']);
  }
  b.output('y');
  return { model: b.build(), feeds };
}

const LIMITS = DEFAULT_LIMITS;

async function deviceHasSubgroups(): Promise<boolean> {
  const { device, adapterInfo } = await acquireDevice();
  return kernelLimits(device, adapterInfo).subgroupMinSize >= 4;
}

/** The optimised graph's Conv nodes and the variant labels of the Conv dispatches, as the session would plan them. */
async function planned(
  model: Uint8Array,
  options: KernelOptions = {},
): Promise<{ variants: string[]; byNode: Map<string, string>; convs: { name: string; attributes: Record<string, unknown> }[]; ops: string[] }> {
  const g = runPasses(await decodeModel(model), { verify: true });
  const plan = planGraph(g, LIMITS, options);
  const byNode = new Map<string, string>();
  for (const d of plan.dispatches) if (d.op === 'Conv' && !byNode.has(d.node)) byNode.set(d.node, d.variant.split(' ')[0]);
  return {
    variants: plan.dispatches.filter((d) => d.op === 'Conv').map((d) => d.variant),
    byNode,
    convs: g.nodes.filter((n) => n.opType === 'Conv'),
    ops: plan.dispatches.map((d) => d.op),
  };
}

/** The output shape of a plain Conv of the case (from the reference run's dims is simplest: plan it). */
async function outputShape(c: Case): Promise<number[]> {
  const g = runPasses(await decodeModel(build(c, 'none', undefined).model), { verify: true });
  return g.values.get('y')!.shape!;
}

// 'X sg': variant X with gemmKernel 'subgroup' (shaders/conv-gemm-sg.wgsl), which the test device
// (lavapipe/SwiftShader: subgroups of 8) runs for constant weights; plain 'pointwise' / 'im2col'
// force gemmKernel 'tiled'.
const dw = ['depthwise', 'im2col'];
const pw = ['pointwise', 'pointwise sg', 'im2col', 'im2col sg', 'implicit-gemm'];
const gen = ['im2col', 'im2col sg', 'implicit-gemm'];

/** Planner and session options of a variant name of the cases ('auto', 'X' or 'X sg'): the
 * session's convAlgorithm is the planner's variantByOp.Conv. */
function variantOptions(algo: string): KernelOptions & { convAlgorithm?: string } {
  if (algo === 'auto') return {};
  const [conv, sg] = algo.split(' ');
  return { variantByOp: { Conv: conv }, convAlgorithm: conv, gemmKernel: sg ? 'subgroup' : 'tiled' };
}
const vol = ['implicit-gemm', 'direct', 'im2col', 'im2col sg'];

const CASES: Case[] = [
  // Depthwise: group = C, one input channel per group.
  { name: 'depthwise 3x3 pad 1, batch 2, odd plane', x: [2, 5, 9, 11], w: [5, 1, 3, 3], attrs: { group: 5, pads: [1, 1, 1, 1] }, bias: true, variants: dw, auto: 'depthwise 4x4' },
  { name: 'depthwise 3x3 stride 2, multiplier 2', x: [1, 6, 13, 10], w: [12, 1, 3, 3], attrs: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, variants: dw, auto: 'depthwise 4x4' },
  { name: 'depthwise 5x5, dilation [2, 1], asymmetric pads', x: [1, 3, 11, 9], w: [3, 1, 5, 5], attrs: { group: 3, dilations: [2, 1], pads: [4, 2, 3, 1] }, variants: dw },
  { name: 'depthwise 5x5 stride 2, SAME_UPPER, batch 2', x: [2, 7, 10, 9], w: [7, 1, 5, 5], attrs: { group: 7, strides: [2, 2], auto_pad: 'SAME_UPPER' }, bias: true, variants: dw },
  { name: 'depthwise 3x3 stride 2, SAME_LOWER, even plane', x: [1, 4, 8, 8], w: [4, 1, 3, 3], attrs: { group: 4, strides: [2, 2], auto_pad: 'SAME_LOWER' }, variants: dw },
  { name: 'depthwise VALID, multiplier 3', x: [1, 3, 6, 5], w: [9, 1, 3, 3], attrs: { group: 3, auto_pad: 'VALID' }, bias: true, variants: dw },
  { name: 'depthwise on a 1x3 output plane (1x3 patch)', x: [2, 4, 1, 3], w: [4, 1, 1, 3], attrs: { group: 4, pads: [0, 1, 0, 1] }, variants: dw, auto: 'depthwise 1x3' },
  { name: 'depthwise 7x7 dilation 2 (input patch over the register budget: 1x1 patch)', x: [1, 3, 15, 14], w: [3, 1, 7, 7], attrs: { group: 3, dilations: [2, 2], pads: [6, 6, 6, 6] }, bias: true, variants: dw, auto: 'depthwise 1x1' },
  { name: 'depthwise 7x7 stride 2 (2x4 patch)', x: [1, 3, 15, 14], w: [3, 1, 7, 7], attrs: { group: 3, strides: [2, 2], pads: [3, 3, 3, 3] }, variants: dw, auto: 'depthwise 2x4' },
  { name: 'depthwise non-square kernel, strides [1, 2], dilations [1, 2]', x: [1, 5, 7, 12], w: [10, 1, 2, 3], attrs: { group: 5, strides: [1, 2], dilations: [1, 2], pads: [1, 0, 0, 1] }, variants: dw },
  { name: 'depthwise 1-D, stride 2', x: [2, 6, 17], w: [6, 1, 5], attrs: { group: 6, strides: [2], pads: [2, 2] }, bias: true, variants: dw, auto: 'depthwise 1x4' },
  { name: 'depthwise, weights as graph inputs', x: [1, 4, 6, 7], w: [4, 1, 3, 3], attrs: { group: 4, pads: [1, 1, 1, 1] }, bias: true, weightsAsInputs: true, variants: dw },
  // vec4 rows (shaders/conv-depthwise.wgsl VEC_X / VEC_Y): planes whose width is a multiple of 4.
  { name: 'depthwise vec4 rows in and out, batch 2, ragged last patch row', x: [2, 3, 10, 16], w: [3, 1, 3, 3], attrs: { group: 3, pads: [1, 1, 1, 1] }, bias: true, variants: dw, auto: 'depthwise 4x4 vx vy' },
  { name: 'depthwise vec4 rows in, 5x5 stride 2 pad 2 (offset 2 in the first quad)', x: [1, 4, 9, 12], w: [4, 1, 5, 5], attrs: { group: 4, strides: [2, 2], pads: [2, 2, 2, 2] }, variants: dw, auto: 'depthwise 4x4 vx' },
  { name: 'depthwise vec4 rows, no padding, multiplier 2', x: [1, 2, 7, 8], w: [4, 1, 3, 3], attrs: { group: 2 }, bias: true, variants: dw, auto: 'depthwise 4x4 vx' },
  { name: 'depthwise vec4 rows out only (6-wide input, 4-wide output), residual', x: [2, 3, 6, 6], w: [3, 1, 3, 3], attrs: { group: 3 }, bias: true, variants: dw, auto: 'depthwise 4x4 vy' },
  { name: 'depthwise vec4 rows, dilation 2, asymmetric pads', x: [1, 3, 12, 16], w: [3, 1, 3, 3], attrs: { group: 3, dilations: [2, 2], pads: [2, 3, 2, 1] }, variants: dw, auto: 'depthwise 4x4 vx vy' },
  // Pointwise: 1x1, stride 1, no padding.
  { name: 'pointwise, batch 2, plane of 30 (scalar B)', x: [2, 7, 5, 6], w: [9, 7, 1, 1], bias: true, variants: pw, auto: 'pointwise 64x64 scalar' },
  { name: 'pointwise, batch 3, plane of 32 (vec4 B)', x: [3, 13, 4, 8], w: [17, 13, 1, 1], bias: true, variants: pw, auto: 'pointwise 32x128' },
  { name: 'pointwise, group 2', x: [2, 6, 3, 5], w: [10, 3, 1, 1], attrs: { group: 2 }, variants: pw },
  { name: 'pointwise, weights as graph inputs, no bias', x: [1, 5, 7, 7], w: [70, 5, 1, 1], weightsAsInputs: true, variants: pw },
  { name: 'pointwise 1-D', x: [2, 9, 10], w: [11, 9, 1], bias: true, variants: pw },
  { name: 'pointwise, 300 rows x 4 columns (512x8 tile)', x: [1, 20, 2, 2], w: [300, 20, 1, 1], bias: true, variants: pw, auto: 'pointwise 512x8' },
  { name: 'pointwise, 160 rows x 16 columns (256x16 tile)', x: [1, 24, 4, 4], w: [160, 24, 1, 1], bias: true, variants: pw, auto: 'pointwise 256x16' },
  { name: 'pointwise, 12 rows x 256 columns (16x256 tile)', x: [1, 5, 16, 16], w: [12, 5, 1, 1], variants: pw, auto: 'pointwise 16x256' },
  { name: 'pointwise, 60 rows x 60 columns (64x64 tile)', x: [1, 9, 6, 10], w: [60, 9, 1, 1], bias: true, variants: pw, auto: 'pointwise 64x64' },
  { name: 'pointwise, 100 rows x 30 columns (128x32 tile)', x: [1, 8, 5, 6], w: [100, 8, 1, 1], variants: pw, auto: 'pointwise 128x32' },
  // Strided 1x1 (ResNet's downsample shortcuts): a strided subset of the plane's columns.
  { name: 'pointwise 1x1 stride 2, odd plane', x: [1, 7, 9, 9], w: [9, 7, 1, 1], attrs: { strides: [2, 2] }, bias: true, variants: pw, auto: 'pointwise 128x32 strided' },
  { name: 'pointwise 1x1 strides [3, 2], batch 2, group 2', x: [2, 6, 10, 7], w: [10, 3, 1, 1], attrs: { strides: [3, 2], group: 2 }, bias: true, variants: pw },
  { name: 'pointwise 1x1 stride 2, 70 rows, SAME_UPPER', x: [2, 12, 8, 8], w: [70, 12, 1, 1], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, variants: pw },
  { name: 'pointwise 1-D stride 3', x: [2, 5, 16], w: [6, 5, 1], attrs: { strides: [3] }, bias: true, variants: pw },
  // Dense convs through im2col (and the implicit GEMM for comparison).
  { name: '3x3 pad 1, batch 2', x: [2, 3, 7, 9], w: [5, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, variants: gen },
  { name: 'stride 2, no bias', x: [2, 5, 11, 10], w: [6, 5, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, variants: gen },
  { name: 'dilation 2', x: [1, 4, 12, 11], w: [7, 4, 3, 3], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] }, bias: true, variants: gen },
  { name: 'group 2, asymmetric pads', x: [2, 6, 8, 7], w: [10, 3, 3, 3], attrs: { group: 2, pads: [1, 0, 1, 2] }, bias: true, variants: gen },
  { name: 'SAME_UPPER, even kernel, stride 2', x: [1, 3, 9, 8], w: [5, 3, 4, 4], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, bias: true, variants: gen },
  { name: 'SAME_LOWER, even kernel, stride 2', x: [1, 3, 9, 8], w: [5, 3, 4, 4], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, bias: true, variants: gen },
  { name: 'VALID, strides [3, 1]', x: [1, 3, 10, 8], w: [4, 3, 3, 2], attrs: { auto_pad: 'VALID', strides: [3, 1] }, variants: gen },
  { name: '1-D: stride, pads, dilation', x: [2, 5, 17], w: [6, 5, 3], attrs: { strides: [2], pads: [1, 2], dilations: [2] }, bias: true, variants: gen },
  { name: '70 -> 160 3x3 stride 2 at 8x8 (tiny output: im2col by default)', x: [1, 70, 8, 8], w: [160, 70, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] }, bias: true, variants: gen, auto: 'im2col' },
  { name: '37 -> 70 at 6x6, 5x5', x: [1, 37, 6, 6], w: [70, 37, 5, 5], attrs: { pads: [2, 2, 2, 2] }, variants: gen, auto: 'im2col' },
  { name: 'im2col, weights as graph inputs', x: [1, 3, 6, 6], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, weightsAsInputs: true, variants: gen },
  // 3-D convs (N, C, D, H, W).
  { name: '3-D 3x3x3 pad 1, batch 2', x: [2, 3, 5, 6, 7], w: [5, 3, 3, 3, 3], attrs: { pads: [1, 1, 1, 1, 1, 1] }, bias: true, variants: vol, auto: 'implicit-gemm' },
  { name: '3-D strides, dilations, group 2, non-cubic kernel', x: [1, 4, 5, 6, 7], w: [6, 2, 2, 3, 1], attrs: { group: 2, strides: [2, 1, 2], dilations: [1, 2, 1] }, variants: vol },
  { name: '3-D SAME_UPPER stride 2', x: [1, 3, 5, 6, 7], w: [4, 3, 3, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2, 2] }, bias: true, variants: vol },
  { name: '3-D SAME_LOWER even kernel', x: [2, 2, 4, 5, 6], w: [5, 2, 2, 2, 2], attrs: { auto_pad: 'SAME_LOWER' }, variants: vol },
  { name: '3-D VALID', x: [1, 3, 4, 6, 5], w: [6, 3, 2, 3, 2], attrs: { auto_pad: 'VALID' }, bias: true, variants: vol },
  { name: '3-D asymmetric pads', x: [1, 2, 4, 5, 6], w: [3, 2, 3, 3, 3], attrs: { pads: [0, 1, 2, 2, 0, 1] }, variants: vol },
  { name: '3-D depthwise (direct by default)', x: [2, 4, 4, 5, 6], w: [4, 1, 3, 3, 3], attrs: { group: 4, pads: [1, 1, 1, 1, 1, 1] }, bias: true, variants: vol, auto: 'direct 3d' },
  { name: '3-D 1x1x1 (pointwise), batch 2', x: [2, 6, 3, 4, 5], w: [10, 6, 1, 1, 1], bias: true, variants: [...vol, 'pointwise'], auto: 'pointwise' },
  { name: '3-D 1x1x1 stride 2 (downsample shortcut)', x: [1, 6, 5, 5, 5], w: [8, 6, 1, 1, 1], attrs: { strides: [2, 2, 2] }, variants: vol, auto: 'implicit-gemm' },
  { name: '3-D weights as graph inputs, 70 output channels', x: [1, 3, 3, 4, 5], w: [70, 3, 3, 3, 3], attrs: { pads: [1, 1, 1, 1, 1, 1] }, bias: true, weightsAsInputs: true, variants: vol },
];

for (const c of CASES) {
  for (const algo of [...c.variants, 'auto']) {
    for (const epilogue of ['none', 'residual+Relu'] as const) {
      test(`Conv ${c.name} [${algo}, ${epilogue}]`, async () => {
        const y = await outputShape(c);
        const { model, feeds } = build(c, epilogue, y);
        const options = variantOptions(algo);
        const p = await planned(model, options);
        assert.equal(p.variants.length >= 1, true);
        const label = p.variants.join(' + ');
        if (algo !== 'auto') assert.ok(label.startsWith(algo.split(' ')[0]), `planned ${label}, forced ${algo}`);
        else if (c.auto) assert.ok(label.startsWith(c.auto), `planned ${label}, expected ${c.auto}`);
        if (epilogue !== 'none') {
          // The Add and the Relu are the Conv's epilogue now: one node, no other dispatch.
          assert.deepEqual(p.ops.filter((op) => op !== 'Conv'), []);
          assert.equal(p.convs[0].attributes['fovea.residual'], 1);
          assert.equal(p.convs[0].attributes['fovea.activation'], 'Relu');
        }
        const ran = (await checkAgainstReference(model, feeds, TOL, options as never)).join(' + ');
        // The subgroup GEMM runs where the device has subgroups and the weights are constant.
        if (algo.endsWith(' sg') && !c.weightsAsInputs && (await deviceHasSubgroups())) assert.match(ran, / sg\d+/, `ran ${ran}`);
        if (algo !== 'auto' && !algo.endsWith(' sg')) assert.doesNotMatch(ran, / sg\d+/, `ran ${ran}`);
      });
    }
  }
}

test('Conv variants apply a parameterised fused activation (LeakyRelu, Clip)', async () => {
  const byName = (prefix: string) => CASES.find((c) => c.name.startsWith(prefix))!;
  const cases = [byName('depthwise 3x3 stride 2'), byName('pointwise, batch 3'), byName('37 -> 70'), byName('3-D 3x3x3')];
  for (const [act, attrs] of [
    ['LeakyRelu', { alpha: 0.2 }],
    ['Clip', {}],
  ] as const) {
    for (const c of cases) {
      const b = new ModelBuilder(13);
      b.input('x', c.x);
      b.init('w', { dtype: 'float32', dims: c.w, data: randomFloats(count(c.w), 2) });
      const [conv] = b.node('Conv', ['x', 'w'], c.attrs ?? {});
      if (act === 'Clip') {
        b.init('lo', { dtype: 'float32', dims: [], data: [-0.25] });
        b.init('hi', { dtype: 'float32', dims: [], data: [0.5] });
        b.node('Clip', [conv, 'lo', 'hi'], {}, ['y']);
      } else {
        b.node(act, [conv], attrs, ['y']);
      }
      b.output('y');
      const model = b.build();
      const p = await planned(model);
      assert.equal(p.convs[0].attributes['fovea.activation'], act);
      for (const algo of [...c.variants, 'auto']) {
        await checkAgainstReference(model, { x: f32(c.x, 1) }, TOL, variantOptions(algo) as never);
      }
    }
  }
});

/** Conv3d + BatchNorm3d (+ Relu), as a 3-D ResNet's layers are exported. */
function conv3dBn(b: ModelBuilder, x: string, C: number, M: number, k: number, stride: number, seed: number, relu: boolean): string {
  const pad = k >> 1;
  const fan = C * k * k * k;
  b.init(`w${seed}`, { dtype: 'float32', dims: [M, C, k, k, k], data: randomFloats(M * fan, seed, -Math.sqrt(3 / fan), Math.sqrt(3 / fan)) });
  const [c] = b.node('Conv', [x, `w${seed}`], { pads: [pad, pad, pad, pad, pad, pad], strides: [stride, stride, stride] });
  const p = (name: string, lo: number, hi: number, s: number) => b.init(`${name}${seed}`, { dtype: 'float32', dims: [M], data: randomFloats(M, s, lo, hi) });
  const [bn] = b.node('BatchNormalization', [c, p('scale', 0.5, 1.5, seed + 1), p('shift', -0.2, 0.2, seed + 2), p('mean', -0.2, 0.2, seed + 3), p('var', 0.5, 1.5, seed + 4)], {
    epsilon: 1e-5,
  });
  return relu ? b.node('Relu', [bn])[0] : bn;
}

test('3-D ResNet blocks (Conv3d + BN + Relu x 2, residual adds, strided 1x1x1 shortcut) match onnxruntime-node', async () => {
  const b = new ModelBuilder(13);
  const x = b.input('x', [2, 8, 4, 6, 6]);
  // Block 1: identity shortcut.
  const a1 = conv3dBn(b, x, 8, 8, 3, 1, 10, true);
  const a2 = conv3dBn(b, a1, 8, 8, 3, 1, 20, false);
  const [s1] = b.node('Add', [a2, x]);
  const [r1] = b.node('Relu', [s1]);
  // Block 2: stride 2, 8 -> 12 channels, with a 1x1x1 Conv3d + BN downsample shortcut.
  const b1 = conv3dBn(b, r1, 8, 12, 3, 2, 30, true);
  const b2 = conv3dBn(b, b1, 12, 12, 3, 1, 40, false);
  const down = conv3dBn(b, r1, 8, 12, 1, 2, 50, false);
  const [s2] = b.node('Add', [b2, down]);
  b.node('Relu', [s2], {}, ['y']);
  b.output('y');
  const model = b.build();
  // BatchNorm folds into the convs, the adds and relus into their epilogues: 5 Conv dispatches.
  const p = await planned(model);
  assert.deepEqual(p.ops, ['Conv', 'Conv', 'Conv', 'Conv', 'Conv']);
  assert.equal(p.convs.filter((n) => n.attributes['fovea.residual'] === 1).length, 2);
  for (const algo of ['auto', 'implicit-gemm', 'direct']) {
    await checkAgainstReference(model, { x: f32([2, 8, 4, 6, 6], 1) }, TOL, algo === 'auto' ? {} : { convAlgorithm: algo as never });
  }
});

/** A model with a depthwise 3x3, a dense 3x3 (on a large enough plane that im2col is not picked)
 * and a pointwise conv, in that order (nodes Conv_0, Conv_1, Conv_2). */
function mixedModel(): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  b.input('x', [1, 6, 24, 24]);
  b.init('wd', { dtype: 'float32', dims: [6, 1, 3, 3], data: randomFloats(54, 2) });
  b.init('wc', { dtype: 'float32', dims: [8, 6, 3, 3], data: randomFloats(432, 3) });
  b.init('wp', { dtype: 'float32', dims: [5, 8, 1, 1], data: randomFloats(40, 4) });
  const [d] = b.node('Conv', ['x', 'wd'], { group: 6, pads: [1, 1, 1, 1] });
  const [c] = b.node('Conv', [d, 'wc'], { pads: [1, 1, 1, 1], strides: [2, 2] });
  b.node('Conv', [c, 'wp'], {}, ['y']);
  b.output('y');
  return { model: b.build(), feeds: { x: f32([1, 6, 24, 24], 1) } };
}

test('Conv automatic choice per layer: depthwise, implicit GEMM, pointwise', async () => {
  const { model } = mixedModel();
  assert.deepEqual((await planned(model)).variants, ['depthwise 4x4 vx vy', 'implicit-gemm 16x256', 'pointwise 16x256']);
});

test('GEMM variants upload constant weights once, re-laid out (the ONNX-layout W is not uploaded too)', async () => {
  const { model } = mixedModel();
  for (const [convAlgorithm, want] of [
    ['auto', ['const wd', 'const wc', 'Conv_1/ktab', 'Conv_2/wt']],
    ['im2col', ['Conv_0/wt', 'Conv_1/wt', 'Conv_2/wt']],
  ] as const) {
    const g = runPasses(await decodeModel(model), { verify: true });
    const labels = planGraph(g, LIMITS, { variantByOp: { Conv: convAlgorithm } }).buffers.filter((b) => b.init).map((b) => b.label);
    assert.deepEqual(labels, want, convAlgorithm);
  }
});

test('convAlgorithm applies to the convs it can run; convAlgorithmByNode wins per node; forceAlgorithm comes last', async () => {
  const { model } = mixedModel();
  // The variant of each node (im2col is two dispatches).
  const v = async (o: KernelOptions) => [...(await planned(model, o)).byNode.values()];
  assert.deepEqual(await v({ variantByOp: { Conv: 'im2col' } }), ['im2col', 'im2col', 'im2col']);
  assert.deepEqual(await v({ variantByOp: { Conv: 'pointwise' } }), ['depthwise', 'implicit-gemm', 'pointwise']);
  assert.deepEqual(await v({ variantByOp: { Conv: 'direct' } }), ['direct', 'direct', 'direct']);
  assert.deepEqual(await v({ variantByOp: { Conv: 'auto' }, forceAlgorithm: 'direct' }), ['direct', 'direct', 'direct']);
  assert.deepEqual(await v({ variantByOp: { Conv: 'im2col' }, forceAlgorithm: 'direct' }), ['im2col', 'im2col', 'im2col']);
  assert.deepEqual(await v({ variantByOp: { Conv: 'direct' }, variantByNode: { Conv_1: 'im2col', Conv_2: 'auto' } }), ['direct', 'im2col', 'pointwise']);
  assert.deepEqual(await v({ variantByNode: { Conv_0: 'implicit-gemm' } }), ['implicit-gemm', 'implicit-gemm', 'pointwise']);
});

test('convAlgorithm / convAlgorithmByNode through the session, against onnxruntime-node', async () => {
  const { model, feeds } = mixedModel();
  await checkAgainstReference(model, feeds, TOL, { convAlgorithm: 'im2col', convAlgorithmByNode: { Conv_0: 'direct', Conv_2: 'pointwise' } });
  const s = await InferenceSession.create(model, { convAlgorithmByNode: { Conv_0: 'direct', Conv_1: 'im2col' } });
  try {
    const out = await s.run(feeds, { profile: true });
    assert.deepEqual(
      out.profile!.dispatches.map((d) => `${d.node}: ${d.variant.split(' ')[0]}`),
      ['Conv_0: direct', 'Conv_1: im2col', 'Conv_1: im2col', 'Conv_2: pointwise'],
    );
  } finally {
    await s.release();
  }
});

test('Conv variant options are checked: unknown names, unknown nodes, a variant that cannot run the node', async () => {
  const { model } = mixedModel();
  const bad: [string, object][] = [
    ['unknown convAlgorithm', { convAlgorithm: 'fft' }],
    ['convAlgorithm of the wrong type', { convAlgorithm: 3 }],
    ['unknown variant by node', { convAlgorithmByNode: { Conv_1: 'fft' } }],
    ['convAlgorithmByNode not an object', { convAlgorithmByNode: 'im2col' }],
    ['unknown node', { convAlgorithmByNode: { Conv_9: 'direct' } }],
    ['pointwise on a 3x3 conv', { convAlgorithmByNode: { Conv_1: 'pointwise' } }],
    ['depthwise on a dense conv', { convAlgorithmByNode: { Conv_2: 'depthwise' } }],
  ];
  for (const [what, options] of bad) {
    await assert.rejects(InferenceSession.create(model, options as never), InputError, what);
  }
  // A 3-D conv has no depthwise variant, a strided 3-D one no pointwise variant.
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 3, 4, 5]);
  b.init('w', { dtype: 'float32', dims: [2, 1, 3, 3, 3], data: randomFloats(54, 2) });
  b.node('Conv', ['x', 'w'], { group: 2, pads: [1, 1, 1, 1, 1, 1] }, ['y']);
  b.output('y');
  await assert.rejects(InferenceSession.create(b.build(), { convAlgorithmByNode: { Conv_0: 'depthwise' } }), InputError, 'depthwise');
  const p = new ModelBuilder(13);
  p.input('x', [1, 2, 3, 4, 5]);
  p.init('w', { dtype: 'float32', dims: [2, 2, 1, 1, 1], data: randomFloats(4, 2) });
  p.node('Conv', ['x', 'w'], { strides: [2, 2, 2] }, ['y']);
  p.output('y');
  await assert.rejects(InferenceSession.create(p.build(), { convAlgorithmByNode: { Conv_0: 'pointwise' } }), InputError, 'pointwise');
});
