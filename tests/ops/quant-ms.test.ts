// onnxruntime's com.microsoft quantized ops (what its quantizer emits for CNNs) against
// onnxruntime-node's CPU kernels on seeded data: QLinearAdd, QLinearMul (with broadcasting),
// QLinearSigmoid, QLinearLeakyRelu, QLinearConcat, QLinearGlobalAveragePool, QLinearAveragePool.
// Tolerance atol 1 (one quantization step): onnxruntime computes these through 256-entry tables
// or MLAS kernels whose f32 steps differ from a direct dequantize-compute-quantize, so a value at
// a .5 tie may round the other way; the number of differing elements is printed.
import { test } from 'node:test';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { compareWithOrt, f32spec, q8, q8spec } from './quant-helpers.js';
import assert from 'node:assert/strict';
import { Tensor } from '../../runtime/index.node.js';

const MS = 'com.microsoft';
type Q = 'uint8' | 'int8';

/** Adds per-tensor scale and zero point initializers; returns their names. */
function qparams(b: ModelBuilder, t: Q, tag: string, seed: number, lo = 0.01, hi = 0.05): [string, string] {
  return [b.init(`${tag}_s`, f32spec([], seed, lo, hi)), b.init(`${tag}_z`, q8spec(t, [], seed + 1))];
}

async function run(name: string, b: ModelBuilder, feeds: Record<string, Tensor>): Promise<void> {
  const r = await compareWithOrt(b.build(), feeds, 1);
  console.log(`${name}: ${r.differing} of ${r.total} elements differ from onnxruntime by one step`);
}

for (const t of ['uint8', 'int8'] as const) {
  for (const op of ['QLinearAdd', 'QLinearMul']) {
    test(`${op} ${t}: broadcast [2,3,4,5] with [3,1,1]`, async () => {
      const b = new ModelBuilder(13);
      b.input('a', [2, 3, 4, 5], t);
      b.input('b', [3, 1, 1], t);
      const [as, az] = qparams(b, t, 'a', 1);
      const [bs, bz] = qparams(b, t, 'b', 3);
      const [cs, cz] = qparams(b, t, 'c', 5, op === 'QLinearMul' ? 0.5 : 0.03, op === 'QLinearMul' ? 1 : 0.08);
      b.node(op, ['a', as, az, 'b', bs, bz, cs, cz], {}, ['y'], MS);
      b.output('y', [], t);
      await run(`${op} ${t}`, b, { a: q8(t, [2, 3, 4, 5], 7), b: q8(t, [3, 1, 1], 8) });
    });
  }

  for (const [op, attrs] of [['QLinearSigmoid', {}], ['QLinearLeakyRelu', { alpha: 0.2 }]] as [string, Record<string, AttrInput>][]) {
    test(`${op} ${t}: every 8-bit value`, async () => {
      const b = new ModelBuilder(13);
      b.input('x', [256], t);
      const [xs, xz] = qparams(b, t, 'x', 10, 0.02, 0.06);
      const [ys, yz] = qparams(b, t, 'y', 12, 0.004, 0.01);
      b.node(op, ['x', xs, xz, ys, yz], attrs, ['y'], MS);
      b.output('y', [], t);
      const all = Array.from({ length: 256 }, (_, i) => (t === 'int8' ? i - 128 : i));
      const x = t === 'int8' ? new Tensor('int8', Int8Array.from(all), [256]) : new Tensor('uint8', Uint8Array.from(all), [256]);
      await run(`${op} ${t}`, b, { x });
    });
  }
}

// QLinearAdd at ties: every pair of 8-bit values with scale ratios of exactly 1/2 (PP-OCR's residual
// adds: C_scale = A_scale + B_scale, equal zero points), where half of all results are .5 ties.
// onnxruntime's MLAS kernel folds the zero points into one f32 constant and rounds after adding
// C_zp (q-linear-add.ts); Fovea follows it per broadcast span kind, and every output is asserted
// equal (measured on lavapipe: 0 of 65536 differ; the scalar-B case can differ by one step where
// the adapter's WGSL fma is not fused, see q-linear-add.ts).
for (const t of ['uint8', 'int8'] as const) {
  for (const [span, bDims] of [['both varying', [256, 256]], ['B broadcast along the inner dim', [256, 1]], ['A broadcast (B varies inside the span)', [1, 256]]] as const) {
    test(`QLinearAdd ${t}: scale ratio 1/2 ties, ${span}`, async () => {
      const b = new ModelBuilder(13);
      const z = t === 'uint8' ? 133 : 5;
      const aDims = span.startsWith('A') ? [256, 1] : [256, 256];
      b.input('a', aDims, t);
      b.input('b', [...bDims], t);
      const I = (name: string, v: number, dt: 'float32' | Q) => b.init(name, { dtype: dt, dims: [], data: [v] });
      b.node('QLinearAdd', ['a', I('sa', 6.315584659576416, 'float32'), I('za', z, t), 'b', I('sb', 6.315584659576416, 'float32'), I('zb', z, t), I('sc', 12.631169319152832, 'float32'), I('zc', z, t)], {}, ['y'], MS);
      b.output('y', [], t);
      const all = (dims: readonly number[], major: boolean) => {
        const n = dims[0] * dims[1];
        const v = Array.from({ length: n }, (_, i) => (major ? Math.floor(i / dims[1]) : i % dims[1]) % 256 - (t === 'int8' ? 128 : 0));
        return new Tensor(t, t === 'int8' ? Int8Array.from(v) : Uint8Array.from(v), [...dims]);
      };
      const r = await compareWithOrt(b.build(), { a: all(aDims, true), b: all(bDims, bDims[0] === 256 && bDims[1] === 1) }, 0);
      assert.equal(r.differing, 0);
      // Operands of y's shape take the 4-elements-an-invocation kernel (whole packed words).
      assert.equal(r.kernels.some((k) => k.includes('QLinearAdd-same4')), span === 'both varying', `kernels: ${r.kernels}`);
    });
  }
}

for (const t of ['uint8', 'int8'] as const) {
  test(`QLinearConcat ${t}: axis 1, three inputs, one with Y's own scale and zero point (a copy)`, async () => {
    const b = new ModelBuilder(13);
    const [ys, yz] = qparams(b, t, 'y', 20, 0.02, 0.04);
    const ins = [ys, yz];
    const feeds: Record<string, Tensor> = {};
    [[2, 3, 4, 5], [2, 1, 4, 5], [2, 6, 4, 5]].forEach((dims, i) => {
      ins.push(b.input(`x${i}`, dims, t), ...(i === 1 ? [ys, yz] : qparams(b, t, `x${i}`, 22 + 2 * i, 0.01, 0.06)));
      feeds[`x${i}`] = q8(t, dims, 30 + i);
    });
    b.node('QLinearConcat', ins, { axis: 1 }, ['y'], MS);
    b.output('y', [], t);
    await run(`QLinearConcat ${t}`, b, feeds);
  });

  for (const last of [0, 1]) {
    test(`QLinearGlobalAveragePool ${t}, channels_last ${last}`, async () => {
      const dims = last ? [2, 7, 6, 5] : [2, 5, 7, 6];
      const b = new ModelBuilder(13);
      b.input('x', dims, t);
      const [xs, xz] = qparams(b, t, 'x', 40);
      const [ys, yz] = qparams(b, t, 'y', 42, 0.005, 0.02);
      b.node('QLinearGlobalAveragePool', ['x', xs, xz, ys, yz], { channels_last: last }, ['y'], MS);
      b.output('y', [], t);
      await run(`QLinearGlobalAveragePool ${t} channels_last ${last}`, b, { x: q8(t, dims, 44) });
    });
  }

  const POOLS: [string, number[], Record<string, AttrInput>][] = [
    ['3x3 stride 2 pads 1', [1, 3, 9, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['count_include_pad, ceil_mode', [2, 2, 7, 7], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1, ceil_mode: 1 }],
    ['1-D SAME_UPPER', [1, 4, 11], { kernel_shape: [4], auto_pad: 'SAME_UPPER' }],
    ['channels_last 2x2', [1, 6, 6, 3], { kernel_shape: [2, 2], strides: [2, 2], channels_last: 1 }],
  ];
  for (const [name, dims, attrs] of POOLS) {
    test(`QLinearAveragePool ${t}: ${name}`, async () => {
      const b = new ModelBuilder(13);
      b.input('x', dims, t);
      const [xs, xz] = qparams(b, t, 'x', 50);
      const [ys, yz] = qparams(b, t, 'y', 52, 0.01, 0.03);
      b.node('QLinearAveragePool', ['x', xs, xz, ys, yz], attrs, ['y'], MS);
      b.output('y', [], t);
      await run(`QLinearAveragePool ${t} ${name}`, b, { x: q8(t, dims, 54) });
    });
  }
}
