// com.microsoft QGemm against onnxruntime-node (CPU) on seeded data, for every integer kernel
// variant (INT_CONV_ALGORITHMS): transA / transB, uint8 and int8 operands, per-tensor and
// per-column b, the int32 C in each broadcast form, alpha, 8-bit and float32 outputs, B constant
// (packed on the host) and fed at run time (packed on the GPU). onnxruntime's CPU QGemm takes
// uint8 A with uint8 or int8 B, and int8 A with int8 B: the cases keep to those.
// Tolerances: 8-bit outputs within one step (atol 1): the int32 accumulator is exact on both
// sides, but onnxruntime requantises through MLAS with its own f32 multiplier, so a product at a
// .5 tie may round the other way. Float outputs: rtol 1e-6 (a few f32 ulps): both compute
// f32(acc) · alpha · a_scale · b_scale, the three-factor multiplier possibly in another order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { checkAgainstReference } from '../util/reference.js';
import { InferenceSession, type Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';
import { INT_CONV_ALGORITHMS } from '../../runtime/ops/quant/int-conv.js';
import { compareWithOrt, f32spec, q8, q8spec } from './quant-helpers.js';

const MS = 'com.microsoft';
type Q = 'uint8' | 'int8';

interface Case {
  name: string;
  M: number; K: number; N: number;
  at: Q; bt: Q; yt?: Q;
  transA?: boolean; transB?: boolean; alpha?: number;
  perColumn?: boolean;
  c?: number[];
  bInput?: boolean;
}

const CASES: Case[] = [
  { name: 'converter form: uint8 A, int8 B^T, C [N], uint8 Y', M: 5, K: 37, N: 10, at: 'uint8', bt: 'int8', yt: 'uint8', transB: true, c: [10] },
  { name: 'int8, transA, per-column b, C [M, N], alpha 0.5, int8 Y', M: 6, K: 29, N: 13, at: 'int8', bt: 'int8', yt: 'int8', transA: true, perColumn: true, c: [6, 13], alpha: 0.5 },
  { name: 'uint8 A and B, transA and transB, no C, float Y, alpha 2', M: 7, K: 18, N: 9, at: 'uint8', bt: 'uint8', transA: true, transB: true, alpha: 2 },
  { name: 'int8 A and B, C [M, 1], float Y', M: 4, K: 64, N: 11, at: 'int8', bt: 'int8', c: [4, 1] },
  { name: 'B fed at run time (packed on the GPU), transB, C scalar, uint8 Y', M: 3, K: 21, N: 8, at: 'uint8', bt: 'int8', yt: 'uint8', transB: true, c: [], bInput: true },
];

function build(c: Case): { model: Uint8Array; feeds: Record<string, Tensor> } {
  const b = new ModelBuilder(13);
  const aDims = c.transA ? [c.K, c.M] : [c.M, c.K];
  const bDims = c.transB ? [c.N, c.K] : [c.K, c.N];
  b.input('a', aDims, c.at);
  const feeds: Record<string, Tensor> = { a: q8(c.at, aDims, 1) };
  const ins = ['a', b.init('as', f32spec([], 2, 0.01, 0.03)), b.init('az', q8spec(c.at, [], 3))];
  if (c.bInput) {
    ins.push(b.input('b', bDims, c.bt));
    feeds.b = q8(c.bt, bDims, 4);
  } else {
    ins.push(b.init('b', q8spec(c.bt, bDims, 4)));
  }
  const bq = c.perColumn ? [c.N] : [];
  ins.push(b.init('bs', f32spec(bq, 5, 0.005, 0.02)), b.init('bz', q8spec(c.bt, bq, 6)));
  ins.push(c.c ? b.init('c', q8spec('int32', c.c, 7)) : '');
  // Y's scale spans the accumulator's range so that most outputs land inside the 8-bit range.
  if (c.yt) ins.push(b.init('ys', f32spec([], 8, 0.5 * c.K * 0.01, 0.8 * c.K * 0.01)), b.init('yz', q8spec(c.yt, [], 9)));
  const attrs: Record<string, AttrInput> = { transA: c.transA ? 1 : 0, transB: c.transB ? 1 : 0 };
  if (c.alpha !== undefined) attrs.alpha = { float: c.alpha };
  b.node('QGemm', ins, attrs, ['y'], MS);
  b.output('y', [c.M, c.N], c.yt ?? 'float32');
  return { model: b.build(), feeds };
}

for (const c of CASES) {
  for (const algo of INT_CONV_ALGORITHMS) {
    test(`QGemm ${c.name} (${algo})`, async () => {
      const { model, feeds } = build(c);
      if (c.yt) {
        const r = await compareWithOrt(model, feeds, 1, { forceAlgorithm: algo });
        console.log(`QGemm ${c.name} (${algo}): ${r.differing} of ${r.total} differ by one step`);
        // 'subgroup' runs convs only (a Gemm's A has its channels contiguous): the automatic choice here.
        assert.equal(r.kernels.some((k) => k.includes(algo)), algo !== 'subgroup', `kernels: ${r.kernels}`);
      } else {
        const kernels = await checkAgainstReference(model, feeds, { rtol: 1e-6, atol: 0 }, { forceAlgorithm: algo });
        assert.ok(kernels.some((k) => k.startsWith('scaled-')), `kernels: ${kernels}`);
      }
    });
  }
}

test('QGemm: typed errors for a C that does not broadcast and a y_scale without y_zero_point', async () => {
  for (const bad of ['c', 'yz'] as const) {
    const b = new ModelBuilder(13);
    b.input('a', [3, 4], 'uint8');
    const ins = ['a', b.init('as', f32spec([], 1)), b.init('az', q8spec('uint8', [], 2)), b.init('b', q8spec('int8', [4, 5], 3)), b.init('bs', f32spec([], 4)), b.init('bz', q8spec('int8', [], 5))];
    ins.push(b.init('c', q8spec('int32', bad === 'c' ? [3, 2] : [5], 6)), b.init('ys', f32spec([], 7)));
    if (bad === 'c') ins.push(b.init('yz', q8spec('uint8', [], 8)));
    b.node('QGemm', ins, {}, ['y'], MS);
    b.output('y', [3, 5], 'uint8');
    await assert.rejects(InferenceSession.create(b.build()), ShapeError);
  }
});
