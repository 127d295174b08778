// ConvInteger, MatMulInteger, QLinearConv and QLinearMatMul against onnxruntime-node (CPU) on
// seeded data, for both kernels of shaders/quant-conv.wgsl ('packed': dot4I8Packed, 'plain': i32
// products), every int8/uint8 pairing onnxruntime implements, scalar and per-channel zero points,
// constant weights (packed on the host) and weights fed at run time (packed on the GPU).
// Tolerances: ConvInteger / MatMulInteger outputs are int32 sums: exact. QLinear* requantise
// in f32 with a multiplier x_scale * w_scale / y_scale that the GPU may round differently from
// onnxruntime (and onnxruntime's MLAS may fold it differently), so an element can land on the
// other side of a .5 tie: atol 1 (one quantization step); the differing count is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { compareWithOrt, f32spec, q8, q8spec } from './quant-helpers.js';
import { INT_CONV_ALGORITHMS } from '../../runtime/ops/quant/int-conv.js';
import { Tensor } from '../../runtime/index.node.js';

type Q = 'uint8' | 'int8';

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  attrs?: Record<string, AttrInput>;
  xt: Q;
  wt: Q;
  /** w's zero point per output channel. */
  perChannel?: boolean;
  /** w is a graph input (packed on the GPU). */
  wInput?: boolean;
}

const CONV_CASES: ConvCase[] = [
  { name: '3x3 pads 1, u8 x u8', x: [2, 5, 9, 8], w: [6, 5, 3, 3], attrs: { pads: [1, 1, 1, 1] }, xt: 'uint8', wt: 'uint8', perChannel: true },
  { name: 'strides 2, dilations 2, asymmetric pads, u8 x i8', x: [1, 7, 11, 10], w: [4, 7, 3, 2], attrs: { strides: [2, 2], dilations: [2, 1], pads: [2, 0, 1, 1] }, xt: 'uint8', wt: 'int8' },
  { name: 'group 3, SAME_UPPER, i8 x i8', x: [1, 6, 7, 7], w: [9, 2, 3, 3], attrs: { group: 3, auto_pad: 'SAME_UPPER', strides: [2, 2] }, xt: 'int8', wt: 'int8', perChannel: false },
  { name: 'depthwise 1-D, u8 x u8, w fed at run time', x: [2, 4, 13], w: [4, 1, 5], attrs: { group: 4, pads: [2, 2] }, xt: 'uint8', wt: 'uint8', wInput: true },
  { name: 'depthwise 3x3, multiplier 2, strides 2, dilations 2, u8 x i8', x: [1, 3, 9, 8], w: [6, 1, 3, 3], attrs: { group: 3, strides: [2, 2], dilations: [2, 2], pads: [2, 2, 1, 1] }, xt: 'uint8', wt: 'int8', perChannel: true },
  { name: '1x1, 37 channels, i8 x u8, w fed at run time', x: [1, 37, 4, 5], w: [8, 37, 1, 1], xt: 'int8', wt: 'uint8', wInput: true },
];

function convFeeds(c: ConvCase, seed: number): Record<string, Tensor> {
  const f: Record<string, Tensor> = { x: q8(c.xt, c.x, seed) };
  if (c.wInput) f.w = q8(c.wt, c.w, seed + 1);
  return f;
}

function addWeights(b: ModelBuilder, c: ConvCase, seed: number): void {
  if (c.wInput) b.input('w', c.w, c.wt);
  else b.init('w', q8spec(c.wt, c.w, seed + 1));
}

/** onnxruntime's ConvInteger takes a per-tensor w zero point only; for a per-channel one the
 * reference is the same arithmetic in float: Cast, subtract the zero points, float Conv, Cast to
 * int32. It is exact: every partial sum is an integer below 2^24 (|x - zx|, |w - zw| <= 255 and
 * at most 45 terms here). */
function floatConvReference(c: ConvCase, seed: number): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', c.x, c.xt);
  addWeights(b, c, seed);
  b.init('xz', q8spec(c.xt, [], seed + 2));
  b.init('wz', q8spec(c.wt, [c.w[0]], seed + 3));
  const cast = (v: string) => b.node('Cast', [v], { to: 1 })[0];
  const [wz] = b.node('Reshape', [cast('wz'), b.init('shape', { dtype: 'int64', dims: [c.w.length], data: [c.w[0], ...Array(c.w.length - 1).fill(1)] })]);
  const [x] = b.node('Sub', [cast('x'), cast('xz')]);
  const [w] = b.node('Sub', [cast('w'), wz]);
  const [y] = b.node('Conv', [x, w], c.attrs ?? {});
  b.node('Cast', [y], { to: 6 }, ['y']);
  b.output('y', [], 'int32');
  return b.build();
}

for (const algo of INT_CONV_ALGORITHMS) {
  for (const c of CONV_CASES) {
    test(`ConvInteger ${algo}: ${c.name}, ${c.perChannel ? 'per-channel' : 'scalar'} w zero point`, async () => {
      const b = new ModelBuilder(13);
      b.input('x', c.x, c.xt);
      addWeights(b, c, 30);
      b.init('xz', q8spec(c.xt, [], 32));
      b.init('wz', q8spec(c.wt, c.perChannel ? [c.w[0]] : [], 33));
      b.node('ConvInteger', ['x', 'w', 'xz', 'wz'], c.attrs ?? {}, ['y']);
      b.output('y', [], 'int32');
      const r = await compareWithOrt(b.build(), convFeeds(c, 30), 0, { forceAlgorithm: algo }, c.perChannel ? floatConvReference(c, 30) : undefined);
      // 'subgroup' needs constant weights (it re-lays them out on the host); elsewhere the
      // automatic choice runs.
      assert.equal(r.kernels.some((k) => k.includes(algo)), algo !== 'subgroup' || !c.wInput, r.kernels.join());
      // Depthwise convs pack 4 kernel taps per word on the one-output-per-invocation kernels.
      const depthwise = c.w[1] === 1 && c.w.slice(2).some((d) => d > 1);
      const oneOutput = !r.kernels.some((k) => k.includes('tiled') || k.includes('subgroup'));
      assert.equal(r.kernels.some((k) => k.endsWith('-taps')), depthwise && oneOutput, r.kernels.join());
    });

    // onnxruntime has no QLinearConv for int8 x with uint8 w (it reports no implementation).
    if (c.xt === 'int8' && c.wt === 'uint8') continue;
    const perChannel = c.perChannel !== false;
    test(`QLinearConv ${algo}: ${c.name}, per-${perChannel ? 'channel' : 'tensor'} w, bias`, async () => {
      const M = perChannel ? c.w[0] : 1;
      const b = new ModelBuilder(13);
      b.input('x', c.x, c.xt);
      addWeights(b, c, 40);
      b.init('xs', f32spec([], 41, 0.01, 0.03));
      b.init('xz', q8spec(c.xt, [], 42));
      const dims = perChannel ? [M] : [];
      b.init('ws', f32spec(dims, 43, 0.002, 0.01));
      // onnxruntime's QLinearConv takes per-channel w zero points only when all are equal (0 for int8).
      b.init('wz', { dtype: c.wt, dims, data: Array(M).fill(c.wt === 'int8' ? 0 : 128) });
      b.init('ys', f32spec([], 44, 0.05, 0.1));
      b.init('yz', q8spec(c.xt, [], 45));
      b.init('bias', q8spec('int32', [c.w[0]], 46));
      b.node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'bias'], c.attrs ?? {}, ['y']);
      b.output('y', [], c.xt);
      const r = await compareWithOrt(b.build(), convFeeds(c, 40), 1, { forceAlgorithm: algo });
      console.log(`QLinearConv ${algo} ${c.name}: ${r.differing} of ${r.total} elements differ from onnxruntime by one step`);
    });
  }

  for (const [at, bt] of [['uint8', 'uint8'], ['uint8', 'int8'], ['int8', 'int8']] as const) {
    for (const perColumn of [false, true]) {
      test(`MatMulInteger ${algo}: ${at} x ${bt}, ${perColumn ? 'per-column' : 'scalar'} b zero point, batched A`, async () => {
        const b = new ModelBuilder(13);
        b.input('a', [2, 5, 19], at);
        b.init('b', q8spec(bt, [19, 7], 50));
        b.init('az', q8spec(at, [], 51));
        b.init('bz', q8spec(bt, perColumn ? [7] : [], 52));
        b.node('MatMulInteger', ['a', 'b', 'az', 'bz'], {}, ['y']);
        b.output('y', [], 'int32');
        await compareWithOrt(b.build(), { a: q8(at, [2, 5, 19], 53) }, 0, { forceAlgorithm: algo });
      });

      test(`QLinearMatMul ${algo}: ${at} x ${bt}, per-${perColumn ? 'column' : 'tensor'} b`, async () => {
        const N = 7;
        const b = new ModelBuilder(13);
        b.input('a', [6, 23], at);
        b.input('b', [23, N], bt); // fed at run time: packed on the GPU
        b.init('as', f32spec([], 60, 0.01, 0.03));
        b.init('az', q8spec(at, [], 61));
        b.init('bs', f32spec(perColumn ? [N] : [], 62, 0.002, 0.01));
        b.init('bz', q8spec(bt, perColumn ? [N] : [], 63));
        b.init('ys', f32spec([], 64, 0.05, 0.1));
        b.init('yz', q8spec(at, [], 65));
        b.node('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], {}, ['y']);
        b.output('y', [], at);
        const r = await compareWithOrt(b.build(), { a: q8(at, [6, 23], 66), b: q8(bt, [23, N], 67) }, 1, { forceAlgorithm: algo });
        console.log(`QLinearMatMul ${algo} ${at}x${bt}: ${r.differing} of ${r.total} elements differ by one step`);
      });
    }
  }

  for (const bInput of [false, true]) {
    test(`MatMulInteger ${algo}: batched B [3, 21, 5] (${bInput ? 'fed at run time' : 'constant'}), uint8 x int8`, async () => {
      const b = new ModelBuilder(13);
      b.input('a', [3, 4, 21], 'uint8');
      if (bInput) b.input('b', [3, 21, 5], 'int8');
      else b.init('b', q8spec('int8', [3, 21, 5], 70));
      b.init('az', q8spec('uint8', [], 71));
      b.init('bz', q8spec('int8', [], 72)); // onnxruntime rejects a 1-D b zero point with a batched B
      b.node('MatMulInteger', ['a', 'b', 'az', 'bz'], {}, ['y']);
      b.output('y', [], 'int32');
      const feeds: Record<string, Tensor> = { a: q8('uint8', [3, 4, 21], 73) };
      if (bInput) feeds.b = q8('int8', [3, 21, 5], 70);
      await compareWithOrt(b.build(), feeds, 0, { forceAlgorithm: algo });
    });
  }
}

test('integer conv / MatMul: typed errors for bad zero points, scales and bias at load', async () => {
  const { InferenceSession } = await import('../../runtime/index.node.js');
  const { ShapeError } = await import('../../runtime/errors.js');
  const conv = (f: (b: ModelBuilder) => string[]) => {
    const b = new ModelBuilder(13);
    b.input('x', [1, 4, 5, 5], 'uint8');
    b.init('w', q8spec('uint8', [6, 4, 3, 3], 1));
    const [op, ...inputs] = f(b);
    b.node(op, inputs, {}, ['y']);
    b.output('y', [], 'int32');
    return b.build();
  };
  const qconv = (ws: number[], bias: number[]) => (b: ModelBuilder) => {
    b.init('s', f32spec([], 2, 0.1, 0.2));
    b.init('z', q8spec('uint8', [], 3));
    b.init('ws', f32spec(ws, 4, 0.1, 0.2));
    b.init('wz', q8spec('uint8', ws, 5));
    b.init('bias', q8spec('int32', bias, 6));
    return ['QLinearConv', 'x', 's', 'z', 'w', 'ws', 'wz', 's', 'z', 'bias'];
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['ConvInteger x zero point per channel', conv((b) => { b.init('xz', q8spec('uint8', [4], 1)); return ['ConvInteger', 'x', 'w', 'xz']; }), /x_zero_point must be a scalar/],
    ['ConvInteger w zero point of the wrong length', conv((b) => { b.init('wz', q8spec('uint8', [5], 1)); return ['ConvInteger', 'x', 'w', '', 'wz']; }), /w_zero_point must be a scalar or 1-D of 6/],
    ['ConvInteger zero point type differs from x', conv((b) => { b.init('xz', q8spec('int8', [], 1)); return ['ConvInteger', 'x', 'w', 'xz']; }), /x_zero_point is int8 but x is uint8/],
    ['QLinearConv w scale of the wrong length', conv(qconv([4], [6])), /w_scale must be a scalar or 1-D of 6/],
    ['QLinearConv bias of the wrong length', conv(qconv([6], [5])), /B must be int32 of shape \[6\]/],
  ];
  for (const [what, m, re] of cases) {
    let err: unknown;
    try {
      await (await InferenceSession.create(m)).release();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ShapeError, `${what}: ${String(err)}`);
    assert.match((err as Error).message, re, what);
  }
});

test("'subgroup' (f32 products) chunks a layer whose sums could pass 2^24, exact", async () => {
  // 1100 input channels of weight 127 and x = 255 - 128 = 127 (u8 shifted): the exact sum,
  // 1100 * 127 * 127 = 17741900, is above 2^24, where f32 loses odd integers. The host's bound
  // (128 * sum|w| > 2^24) makes the GEMM move its sums to int32 after 1024 k (QCHUNK).
  const b = new ModelBuilder(13);
  b.input('x', [1, 1100, 2, 2], 'uint8');
  b.init('w', { dtype: 'int8', dims: [4, 1100, 1, 1], data: Array(4 * 1100).fill(127) });
  b.init('xz', { dtype: 'uint8', dims: [], data: [128] });
  b.node('ConvInteger', ['x', 'w', 'xz'], {}, ['y']);
  b.output('y', [], 'int32');
  const x = new Tensor('uint8', new Uint8Array(1100 * 4).fill(255), [1, 1100, 2, 2]);
  const r = await compareWithOrt(b.build(), { x }, 0, { forceAlgorithm: 'subgroup' });
  assert.ok(r.kernels.some((k) => k.includes('subgroup-1x1-chunked')), r.kernels.join());
});
