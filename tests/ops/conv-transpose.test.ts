// ConvTranspose against onnxruntime-node: 1-D, 2-D and 3-D; strides 1, 2 and 3; symmetric and
// asymmetric pads; output_padding; output_shape with and without auto_pad (odd total padding
// too); auto_pad SAME_UPPER / SAME_LOWER / VALID; dilations (with strides that share a factor);
// groups (2 and depthwise); with and without bias; batch 2; odd channel counts (ragged
// channel tiles); the 2x2 stride-2 and 4x4 stride-2 pad-1 upsampling layers; weights as graph
// inputs; opset 1 and 11 models; a U-Net-style up-block. Every case runs with both kernels
// (forceAlgorithm 'convtranspose-tiled' and 'convtranspose-direct').
// Also: the kernel variants chosen, shape errors, the older [N, C, ...] output_shape form, and
// auto_pad SAME with a kernel shorter than the stride, where Fovea follows the spec's
// out = in * stride (onnxruntime gives a shorter output; the shared part is compared).
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
import { DEFAULT_LIMITS } from '../../runtime/gpu/device.js';

const TOL = { rtol: 1e-3, atol: 1e-4 };
const ALGORITHMS = ['convtranspose-tiled', 'convtranspose-direct'];
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number) => new Tensor('float32', randomFloats(count(dims), seed), dims);

interface Case {
  name: string;
  x: number[];
  /** [C, M/group, k...] */
  w: number[];
  attrs?: Record<string, AttrInput>;
  bias?: boolean;
  /** W (and B) as graph inputs instead of initializers. */
  weightsAsInputs?: boolean;
  opset?: number;
}

function model(c: Case, seed = 1): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(c.opset ?? 13);
  const feeds: Feeds = { x: f32(c.x, seed) };
  b.input('x', c.x);
  const M = c.w[1] * Number(c.attrs?.group ?? 1);
  const inputs = ['x', ...addConvWeights(b, feeds, { w: c.w, biasLength: c.bias ? M : undefined, asInputs: c.weightsAsInputs, seed })];
  b.node('ConvTranspose', inputs, c.attrs ?? {}, ['y']);
  b.output('y');
  return { model: b.build(), feeds };
}

const CASES: Case[] = [
  // 2-D basics.
  { name: 'stride 1, 3x3, bias, batch 2', x: [2, 3, 5, 6], w: [3, 4, 3, 3], bias: true },
  { name: 'stride 1, pads 1', x: [1, 4, 6, 5], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: '2x2 stride 2 (U-Net up-conv), bias', x: [1, 8, 5, 7], w: [8, 6, 2, 2], attrs: { strides: [2, 2] }, bias: true },
  { name: '4x4 stride 2 pad 1 (FCN/DCGAN), bias, batch 2', x: [2, 6, 6, 5], w: [6, 10, 4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'stride 3, 3x3', x: [1, 3, 4, 5], w: [3, 5, 3, 3], attrs: { strides: [3, 3] }, bias: true },
  { name: 'stride 3, 5x5 pads 2, odd channels', x: [1, 5, 4, 4], w: [5, 7, 5, 5], attrs: { strides: [3, 3], pads: [2, 2, 2, 2] } },
  { name: 'stride 3, kernel 2 (shorter than the stride: gaps hold only the bias)', x: [1, 3, 4, 3], w: [3, 5, 2, 2], attrs: { strides: [3, 3] }, bias: true },
  { name: 'per-axis strides, kernel and asymmetric pads', x: [2, 3, 5, 6], w: [3, 9, 3, 4], attrs: { strides: [2, 3], pads: [0, 2, 1, 1] }, bias: true },
  { name: 'asymmetric pads larger than the stride', x: [1, 4, 5, 5], w: [4, 3, 5, 5], attrs: { strides: [2, 2], pads: [3, 1, 0, 4] } },
  { name: 'output_padding 1, stride 2', x: [1, 3, 4, 5], w: [3, 4, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, bias: true },
  { name: 'output_padding per axis, stride 3', x: [2, 2, 3, 4], w: [2, 5, 3, 2], attrs: { strides: [3, 3], output_padding: [2, 1] } },
  { name: 'dilation 2', x: [1, 3, 5, 6], w: [3, 4, 3, 3], attrs: { dilations: [2, 2] }, bias: true },
  { name: 'dilation 2, stride 2 (shared factor), pads', x: [1, 3, 5, 5], w: [3, 5, 3, 3], attrs: { dilations: [2, 2], strides: [2, 2], pads: [1, 2, 2, 1] } },
  { name: 'dilation 3, stride 2, output_padding 1', x: [1, 2, 4, 4], w: [2, 3, 3, 2], attrs: { dilations: [3, 3], strides: [2, 2], output_padding: [1, 0] } },
  { name: 'group 2, bias', x: [2, 6, 4, 5], w: [6, 5, 3, 3], attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'group 3, 9 output channels per group', x: [1, 6, 4, 4], w: [6, 9, 2, 2], attrs: { group: 3, strides: [2, 2] } },
  { name: 'depthwise (group = C), stride 2, bias', x: [2, 5, 5, 4], w: [5, 1, 4, 4], attrs: { group: 5, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: 'depthwise with channel multiplier 3', x: [1, 4, 4, 5], w: [4, 3, 3, 3], attrs: { group: 4, strides: [2, 2] } },
  { name: 'single output channel', x: [1, 7, 5, 6], w: [7, 1, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { name: '13 output channels (two 8-channel tiles, ragged)', x: [1, 5, 6, 7], w: [5, 13, 3, 3], attrs: { strides: [2, 2], pads: [1, 0, 0, 1] }, bias: true },
  { name: '3 output channels (one 4-channel tile, ragged)', x: [2, 3, 5, 5], w: [3, 3, 4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '1x1 kernel, stride 2', x: [1, 6, 4, 5], w: [6, 5, 1, 1], attrs: { strides: [2, 2] }, bias: true },
  { name: 'wide rows (several column blocks), stride 2', x: [1, 3, 3, 21], w: [3, 4, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'kernel_shape given', x: [1, 2, 4, 4], w: [2, 3, 3, 2], attrs: { kernel_shape: [3, 2], strides: [2, 1] } },
  // output_shape and auto_pad.
  { name: 'output_shape, even total padding', x: [1, 3, 4, 5], w: [3, 4, 3, 3], attrs: { strides: [2, 2], output_shape: [7, 9] }, bias: true },
  { name: 'output_shape, odd total padding (NOTSET: extra at the start)', x: [1, 3, 4, 5], w: [3, 4, 4, 4], attrs: { strides: [2, 2], output_shape: [9, 10] } },
  { name: 'output_shape with output_padding', x: [1, 2, 4, 4], w: [2, 3, 3, 3], attrs: { strides: [2, 2], output_padding: [1, 1], output_shape: [8, 9] } },
  { name: 'output_shape past the full output (extra at the end)', x: [1, 2, 3, 4], w: [2, 3, 3, 3], attrs: { strides: [3, 3], output_shape: [11, 12] }, bias: true },
  { name: 'output_shape, pads ignored', x: [1, 2, 4, 4], w: [2, 3, 3, 3], attrs: { strides: [2, 2], pads: [2, 2, 2, 2], output_shape: [8, 7] } },
  { name: 'output_shape with auto_pad SAME_UPPER (odd total)', x: [1, 3, 4, 5], w: [3, 4, 4, 4], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER', output_shape: [9, 10] }, bias: true },
  { name: 'output_shape with auto_pad SAME_LOWER (odd total)', x: [1, 3, 4, 5], w: [3, 4, 4, 4], attrs: { strides: [2, 2], auto_pad: 'SAME_LOWER', output_shape: [9, 10] } },
  { name: 'output_shape with auto_pad VALID', x: [1, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: [1, 2], auto_pad: 'VALID', output_shape: [5, 8] } },
  { name: 'auto_pad SAME_UPPER, stride 2, kernel 3 (odd total)', x: [1, 3, 4, 5], w: [3, 4, 3, 3], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, bias: true },
  { name: 'auto_pad SAME_LOWER, stride 2, kernel 3 (odd total)', x: [1, 3, 4, 5], w: [3, 4, 3, 3], attrs: { strides: [2, 2], auto_pad: 'SAME_LOWER' }, bias: true },
  { name: 'auto_pad SAME_UPPER with output_padding', x: [1, 2, 3, 4], w: [2, 3, 3, 3], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER', output_padding: [1, 1] } },
  { name: 'auto_pad SAME_LOWER, stride 3, kernel 4', x: [2, 2, 3, 3], w: [2, 5, 4, 4], attrs: { strides: [3, 3], auto_pad: 'SAME_LOWER' } },
  { name: 'auto_pad VALID, output_padding', x: [1, 3, 4, 4], w: [3, 4, 3, 3], attrs: { strides: [2, 2], auto_pad: 'VALID', output_padding: [1, 0] }, bias: true },
  // 1-D and 3-D.
  { name: '1-D: stride 2, pads, bias, batch 2', x: [2, 5, 9], w: [5, 6, 4], attrs: { strides: [2], pads: [1, 1] }, bias: true },
  { name: '1-D: stride 3, dilation 2, output_padding, group 2', x: [1, 4, 7], w: [4, 3, 3], attrs: { strides: [3], dilations: [2], output_padding: [1], group: 2 } },
  { name: '1-D: output_shape, SAME_LOWER', x: [1, 3, 6], w: [3, 2, 5], attrs: { strides: [2], auto_pad: 'SAME_LOWER', output_shape: [13] } },
  { name: '3-D: 2x2x2 stride 2, bias', x: [1, 4, 3, 4, 3], w: [4, 6, 2, 2, 2], attrs: { strides: [2, 2, 2] }, bias: true },
  { name: '3-D: 3x3x3 stride 2 pads 1 output_padding 1, batch 2', x: [2, 3, 3, 3, 4], w: [3, 5, 3, 3, 3], attrs: { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], output_padding: [1, 1, 1] }, bias: true },
  { name: '3-D: per-axis strides and dilations, group 2, asymmetric pads', x: [1, 4, 3, 4, 4], w: [4, 3, 2, 3, 2], attrs: { strides: [1, 2, 3], dilations: [2, 1, 2], pads: [0, 1, 1, 1, 0, 2], group: 2 } },
  { name: '3-D: auto_pad SAME_UPPER', x: [1, 2, 3, 3, 3], w: [2, 3, 3, 3, 3], attrs: { strides: [2, 2, 2], auto_pad: 'SAME_UPPER' } },
  // Weights as inputs and older opsets.
  { name: 'weights and bias as graph inputs', x: [1, 4, 5, 5], w: [4, 6, 4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, weightsAsInputs: true },
  { name: 'weights as graph inputs, group 2, 3-D', x: [1, 4, 2, 3, 3], w: [4, 3, 2, 2, 2], attrs: { strides: [2, 2, 2], group: 2 }, weightsAsInputs: true },
  { name: 'opset 1 model', x: [1, 3, 4, 4], w: [3, 4, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, bias: true, opset: 1 },
  { name: 'opset 11 model, output_shape', x: [1, 3, 4, 4], w: [3, 4, 3, 3], attrs: { strides: [2, 2], output_shape: [8, 8] }, bias: true, opset: 11 },
];

for (const c of CASES) {
  for (const algo of ALGORITHMS) {
    test(`ConvTranspose ${c.name} [${algo}]`, async () => {
      const { model: m, feeds } = model(c);
      await checkAgainstReference(m, feeds, TOL, { forceAlgorithm: algo });
    });
  }
}

// A U-Net decoder step: ConvTranspose 2x2 stride 2 (halving the channels, doubling the size),
// concatenation with the encoder's skip tensor, then two Conv 3x3 + BatchNormalization + Relu; and
// an FCN/DCGAN-style 4x4 stride-2 pad-1 ConvTranspose + BatchNormalization (folded into W by the
// fold-batch-norm pass, so the re-laid-out weights are the folded ones) + Relu.
function upBlockModel(): { model: Uint8Array; feeds: Feeds } {
  const b = new ModelBuilder(13);
  const [N, C, H, W] = [2, 16, 5, 6];
  b.input('x', [N, C, H, W]);
  b.input('skip', [N, C / 2, 2 * H, 2 * W]);
  let seed = 100;
  const init = (name: string, dims: number[], lo = -0.5, hi = 0.5) => b.init(name, { dtype: 'float32', dims, data: randomFloats(count(dims), seed++, lo, hi) });
  const bn = (input: string, ch: number, tag: string) => {
    init(`${tag}_s`, [ch], 0.5, 1.5);
    init(`${tag}_b`, [ch]);
    init(`${tag}_m`, [ch]);
    init(`${tag}_v`, [ch], 0.5, 1.5);
    return b.node('BatchNormalization', [input, `${tag}_s`, `${tag}_b`, `${tag}_m`, `${tag}_v`])[0];
  };
  init('up_w', [C, C / 2, 2, 2]);
  init('up_b', [C / 2]);
  const [up] = b.node('ConvTranspose', ['x', 'up_w', 'up_b'], { strides: [2, 2], kernel_shape: [2, 2] });
  const [cat] = b.node('Concat', [up, 'skip'], { axis: 1 });
  init('c1_w', [C / 2, C, 3, 3]);
  const [c1] = b.node('Conv', [cat, 'c1_w'], { pads: [1, 1, 1, 1] });
  const [r1] = b.node('Relu', [bn(c1, C / 2, 'bn1')]);
  init('c2_w', [C / 2, C / 2, 3, 3]);
  const [c2] = b.node('Conv', [r1, 'c2_w'], { pads: [1, 1, 1, 1] });
  const [r2] = b.node('Relu', [bn(c2, C / 2, 'bn2')]);
  init('up2_w', [C / 2, 5, 4, 4]);
  const [up2] = b.node('ConvTranspose', [r2, 'up2_w'], { strides: [2, 2], pads: [1, 1, 1, 1] });
  b.node('Relu', [bn(up2, 5, 'bn3')], {}, ['y']);
  b.output('y');
  return { model: b.build(), feeds: { x: f32([N, C, H, W], 1), skip: f32([N, C / 2, 2 * H, 2 * W], 2) } };
}

for (const algo of ALGORITHMS) {
  test(`ConvTranspose U-Net-style up-block (up-conv, concat, conv, BN, Relu) [${algo}]`, async () => {
    const { model: m, feeds } = upBlockModel();
    await checkAgainstReference(m, feeds, TOL, { forceAlgorithm: algo });
  });
}

/** A plain scatter-form ConvTranspose on the host (any rank), for the cases onnxruntime rejects. */
function hostConvTranspose(x: Tensor, w: Float32Array, wDims: number[], bias: Float32Array | undefined, group: number, strides: number[], dilations: number[], padsBegin: number[], out: number[]): Float32Array {
  const [N, C, ...inS] = x.dims as number[];
  const [, Mg, ...ks] = wDims;
  const r = inS.length;
  const Cg = C / group;
  const M = Mg * group;
  const outCount = count(out);
  const y = new Float32Array(N * M * outCount);
  const xd = x.data as Float32Array;
  const idx = (v: number, shape: number[]) => {
    const c: number[] = [];
    for (let i = shape.length - 1; i >= 0; i--) {
      c[i] = v % shape[i];
      v = Math.floor(v / shape[i]);
    }
    return c;
  };
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < C; ci++) {
      const g = Math.floor(ci / Cg);
      for (let iv = 0; iv < count(inS); iv++) {
        const xv = xd[(n * C + ci) * count(inS) + iv];
        const ic = idx(iv, inS);
        for (let m = 0; m < Mg; m++) {
          for (let t = 0; t < count(ks); t++) {
            const tc = idx(t, ks);
            let o = 0;
            let inside = true;
            for (let a = 0; a < r; a++) {
              const oa = ic[a] * strides[a] - padsBegin[a] + tc[a] * dilations[a];
              if (oa < 0 || oa >= out[a]) inside = false;
              o = o * out[a] + oa;
            }
            if (inside) y[(n * M + g * Mg + m) * outCount + o] += xv * w[(ci * Mg + m) * count(ks) + t];
          }
        }
      }
    }
  }
  if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[Math.floor(i / outCount) % M];
  return y;
}

/** Runs a ConvTranspose in Fovea with every kernel; returns the outputs. */
async function runFovea(m: Uint8Array, feeds: Feeds): Promise<Tensor[]> {
  const outs: Tensor[] = [];
  for (const algo of ALGORITHMS) {
    const s = await InferenceSession.create(m, { forceAlgorithm: algo });
    try {
      outs.push((await s.run(feeds)).y);
    } finally {
      await s.release();
    }
  }
  return outs;
}

test('ConvTranspose auto_pad SAME with a kernel shorter than the stride: out = in * stride (spec), extra elements at the end', async () => {
  // total_padding = stride*(in-1) + k - in*stride < 0. onnxruntime shortens the output instead
  // (to the full size), so it is compared on the part both have; the host scatter checks all.
  const x = [1, 3, 4, 5];
  const w = [3, 2, 2, 2];
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER']) {
    const c: Case = { name: '', x, w, attrs: { strides: [3, 3], auto_pad: autoPad }, bias: true };
    const { model: m, feeds } = model(c);
    const wData = randomFloats(count(w), 2);
    const bData = randomFloats(2, 3);
    const want = hostConvTranspose(feeds.x, wData, w, bData, 1, [3, 3], [1, 1], [0, 0], [12, 15]);
    const ref = await runReference(m, feeds);
    assert.deepEqual([...ref.y.dims], [1, 2, 11, 14], 'onnxruntime gives the full output');
    for (const got of await runFovea(m, feeds)) {
      assert.deepEqual([...got.dims], [1, 2, 12, 15]);
      assertClose(got.data as Float32Array, want, TOL, `y (${autoPad}) vs host`);
      const shared: number[] = [];
      const gd = got.data as Float32Array;
      for (let ch = 0; ch < 2; ch++) for (let h = 0; h < 11; h++) for (let ww = 0; ww < 14; ww++) shared.push(gd[(ch * 12 + h) * 15 + ww]);
      assertClose(shared, ref.y.data as Float32Array, TOL, `y (${autoPad}) vs onnxruntime on the shared part`);
    }
  }
});

test('ConvTranspose output_padding up to the dilation when it exceeds the stride (spec; onnxruntime rejects it)', async () => {
  // stride 2, dilation 3: output_padding 2 < max(2, 3) is legal and adds one more row/column.
  const x = [1, 2, 3, 4];
  const w = [2, 3, 3, 3];
  const { model: m, feeds } = model({ name: '', x, w, attrs: { strides: [2, 2], dilations: [3, 3], output_padding: [2, 2] }, bias: true });
  const want = hostConvTranspose(feeds.x, randomFloats(count(w), 2), w, randomFloats(3, 3), 1, [2, 2], [3, 3], [0, 0], [13, 15]);
  for (const got of await runFovea(m, feeds)) {
    assert.deepEqual([...got.dims], [1, 3, 13, 15]);
    assertClose(got.data as Float32Array, want, TOL, 'y vs host');
  }
});

test('ConvTranspose accepts the older [N, C, ...] form of output_shape', async () => {
  const x = [2, 3, 4, 5];
  const w = [3, 4, 4, 4];
  const spatial = model({ name: '', x, w, attrs: { strides: [2, 2], output_shape: [9, 10] }, bias: true, opset: 1 });
  const full = model({ name: '', x, w, attrs: { strides: [2, 2], output_shape: [2, 4, 9, 10] }, bias: true, opset: 1 });
  const want = await runReference(spatial.model, spatial.feeds);
  for (const got of await runFovea(full.model, full.feeds)) {
    assert.deepEqual([...got.dims], [2, 4, 9, 10]);
    assertClose(got.data as Float32Array, want.y.data, TOL, 'y');
  }
});

const LIMITS = DEFAULT_LIMITS;

async function variants(c: Case, forceAlgorithm?: string): Promise<string[]> {
  const g = runPasses(await decodeModel(model(c).model), { verify: true });
  return planGraph(g, LIMITS, { forceAlgorithm }).dispatches.filter((d) => d.op === 'ConvTranspose').map((d) => d.variant);
}

test('ConvTranspose kernel variants: channel tile by output channels per group, column tile by width', async () => {
  const up = (Mg: number, extra: Partial<Case> = {}) => ({ name: '', x: [1, 4, 6, 6], w: [4, Mg, 4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, ...extra });
  assert.deepEqual(await variants(up(32)), ['convtranspose-tiled 8x4']);
  assert.deepEqual(await variants(up(5)), ['convtranspose-tiled 8x4']);
  assert.deepEqual(await variants(up(3)), ['convtranspose-tiled 4x4']);
  // Depthwise and W given at run time: one channel per invocation.
  assert.deepEqual(await variants({ ...up(1), attrs: { strides: [2, 2], group: 4 } }), ['convtranspose-tiled 1x4']);
  assert.deepEqual(await variants(up(8, { weightsAsInputs: true })), ['convtranspose-tiled 1x4']);
  // Narrow outputs: fewer columns per invocation (3 columns of one residue -> 2; 1 -> 1).
  assert.deepEqual(await variants({ name: '', x: [1, 4, 2, 2], w: [4, 8, 2, 2], attrs: { strides: [2, 2] } }), ['convtranspose-tiled 8x2']);
  assert.deepEqual(await variants({ name: '', x: [1, 4, 2, 1], w: [4, 8, 1, 1], attrs: { strides: [1, 2] } }), ['convtranspose-tiled 8x1']);
  assert.deepEqual(await variants(up(32), 'convtranspose-direct'), ['convtranspose-direct 1x1']);
  // Names that belong to other ops' variants leave the default alone.
  assert.deepEqual(await variants(up(32), 'direct'), ['convtranspose-tiled 8x4']);
});

test('ConvTranspose infers shapes from the spec equations', async () => {
  const shape = async (c: Case) => {
    const g = runPasses(await decodeModel(model(c).model), { verify: true });
    return g.values.get('y')!.shape;
  };
  // stride*(in-1) + output_padding + (k-1)*dilation + 1 - pads
  assert.deepEqual(await shape({ name: '', x: [2, 3, 28, 28], w: [3, 5, 4, 4], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } }), [2, 5, 56, 56]);
  assert.deepEqual(await shape({ name: '', x: [1, 4, 7], w: [4, 3, 3], attrs: { strides: [3], dilations: [2], output_padding: [1], pads: [0, 2], group: 2 } }), [1, 6, 22]);
  assert.deepEqual(await shape({ name: '', x: [1, 2, 3, 4, 5], w: [2, 1, 2, 2, 2], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 3, 1] } }), [1, 1, 6, 12, 5]);
  assert.deepEqual(await shape({ name: '', x: [1, 2, 3, 4], w: [2, 1, 3, 3], attrs: { auto_pad: 'VALID', strides: [2, 2] } }), [1, 1, 7, 9]);
  assert.deepEqual(await shape({ name: '', x: [1, 2, 3, 4], w: [2, 1, 3, 3], attrs: { output_shape: [6, 8], strides: [2, 2] } }), [1, 1, 6, 8]);
});

test('ConvTranspose rejects invalid shapes and attributes with ShapeError', async () => {
  const bad: Case[] = [
    { name: 'rank 2', x: [2, 3], w: [3, 2] },
    { name: '4-D spatial', x: [1, 2, 2, 2, 2, 2], w: [2, 1, 1, 1, 1, 1] },
    { name: 'W channels do not match X', x: [1, 4, 5, 5], w: [3, 3, 3, 3] },
    { name: 'group does not divide C', x: [1, 3, 5, 5], w: [3, 2, 3, 3], attrs: { group: 2 } },
    { name: 'kernel_shape does not match W', x: [1, 2, 5, 5], w: [2, 3, 3, 3], attrs: { kernel_shape: [2, 2] } },
    { name: 'pads of the wrong length', x: [1, 2, 5, 5], w: [2, 3, 3, 3], attrs: { pads: [1, 1] } },
    { name: 'negative pads', x: [1, 2, 5, 5], w: [2, 3, 3, 3], attrs: { pads: [-1, 0, 0, 0] } },
    { name: 'pads leave no output', x: [1, 2, 1, 1], w: [2, 3, 2, 2], attrs: { pads: [1, 1, 1, 1] } },
    { name: 'output_padding not below max(stride, dilation)', x: [1, 2, 5, 5], w: [2, 3, 3, 3], attrs: { strides: [2, 2], output_padding: [2, 0] } },
    { name: 'output_padding of the wrong length', x: [1, 2, 5, 5], w: [2, 3, 3, 3], attrs: { strides: [2, 2], output_padding: [1] } },
    { name: 'output_shape a stride past the full output', x: [1, 2, 3, 3], w: [2, 3, 3, 3], attrs: { strides: [2, 2], output_shape: [9, 7] } },
    { name: 'output_shape of the wrong length', x: [1, 2, 3, 3], w: [2, 3, 3, 3], attrs: { output_shape: [5, 5, 5] } },
    { name: 'stride 0', x: [1, 2, 3, 3], w: [2, 3, 3, 3], attrs: { strides: [0, 1] } },
  ];
  for (const c of bad) {
    await assert.rejects(InferenceSession.create(model(c).model), ShapeError, c.name);
  }
  // A bias of the wrong length.
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 3, 3]);
  b.init('w', { dtype: 'float32', dims: [2, 3, 3, 3], data: randomFloats(54, 1) });
  b.init('b', { dtype: 'float32', dims: [2], data: randomFloats(2, 2) });
  b.node('ConvTranspose', ['x', 'w', 'b'], {}, ['y']);
  b.output('y');
  await assert.rejects(InferenceSession.create(b.build()), ShapeError, 'bias length');
});
