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
import { randomFloats } from '../util/rng.js';
import { assertClose, checkAgainstReference, runReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { runPasses } from '../../runtime/passes/index.js';
import { planGraph } from '../../runtime/gpu/plan.js';
import { ShapeError } from '../../runtime/errors.js';

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
  const inputs = ['x', 'w'];
  const M = c.w[1] * Number(c.attrs?.group ?? 1);
  if (c.weightsAsInputs) {
    b.input('w', c.w);
    feeds.w = f32(c.w, seed + 1);
  } else {
    b.init('w', { dtype: 'float32', dims: c.w, data: randomFloats(count(c.w), seed + 1) });
  }
  if (c.bias) {
    inputs.push('b');
    if (c.weightsAsInputs) {
      b.input('b', [M]);
      feeds.b = f32([M], seed + 2);
    } else {
      b.init('b', { dtype: 'float32', dims: [M], data: randomFloats(M, seed + 2) });
    }
  }
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
