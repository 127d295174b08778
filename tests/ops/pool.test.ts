// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool and LRN against onnxruntime-node:
// 1-D, 2-D and 3-D windows, strides, pads (asymmetric too), every auto_pad mode, ceil_mode on and
// off (including the rule that drops a last window starting in the end padding), dilated MaxPool,
// dilated AveragePool (opset 19), count_include_pad on and off, older opsets, batch > 1,
// MaxPool's Indices output (storage_order 0 and 1, ties, 1-D to 3-D) and its int8/uint8 inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { assertClose, checkAgainstReference } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(count(dims), seed, lo, hi), dims);
/** Integers in [lo, hi]: few distinct values, so that windows hold ties. */
const intValues = (dims: number[], seed: number, lo: number, hi: number) => {
  const r = rng(seed);
  return Array.from({ length: count(dims) }, () => lo + Math.floor(r() * (hi - lo + 1)));
};

interface PoolCase {
  name: string;
  x: number[];
  attrs: Record<string, AttrInput>;
  opset?: number;
}

function model(op: string, x: number[], attrs: Record<string, AttrInput>, opset = 13): Uint8Array {
  const b = new ModelBuilder(opset);
  b.input('x', x);
  b.node(op, ['x'], attrs, ['y']);
  b.output('y');
  return b.build();
}

// Cases both MaxPool and AveragePool run (attributes that exist in both).
const WINDOW_CASES: PoolCase[] = [
  { name: '2x2 stride 2, batch 2', x: [2, 3, 8, 9], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: '3x3 stride 2 pad 1', x: [1, 4, 11, 11], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'default strides (1), non-square kernel', x: [1, 2, 5, 6], attrs: { kernel_shape: [2, 3] } },
  { name: 'asymmetric pads', x: [2, 2, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 1], pads: [0, 1, 2, 0] } },
  { name: 'ceil_mode 1', x: [1, 2, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } },
  { name: 'ceil_mode 0', x: [1, 2, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 0 } },
  // H: the ceil count (4) is cut to 3 since the 4th window would start in the end padding.
  { name: 'ceil_mode 1 with pads: last window dropped on H', x: [1, 2, 5, 6], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { name: 'ceil_mode 1 with asymmetric pads, stride 3', x: [2, 1, 10, 8], attrs: { kernel_shape: [3, 2], strides: [3, 3], pads: [1, 0, 0, 1], ceil_mode: 1 } },
  { name: 'auto_pad SAME_UPPER, stride 2', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 4], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: 'auto_pad SAME_LOWER, stride 2', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 4], strides: [2, 2], auto_pad: 'SAME_LOWER' } },
  { name: 'auto_pad VALID, stride 2', x: [1, 2, 7, 8], attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'VALID' } },
  { name: '1-D, stride 2, pads', x: [2, 3, 13], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { name: '1-D, ceil_mode 1', x: [1, 2, 12], attrs: { kernel_shape: [4], strides: [3], pads: [0, 2], ceil_mode: 1 } },
  { name: '1-D, auto_pad SAME_UPPER', x: [1, 2, 11], attrs: { kernel_shape: [2], strides: [2], auto_pad: 'SAME_UPPER' } },
  { name: '3-D 2x2x2 stride 2, batch 2', x: [2, 3, 5, 6, 7], attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 2] } },
  { name: '3-D asymmetric pads, mixed strides', x: [1, 2, 6, 5, 7], attrs: { kernel_shape: [3, 2, 3], strides: [2, 1, 2], pads: [1, 0, 1, 1, 1, 0] } },
  { name: '3-D ceil_mode 1 with pads', x: [1, 2, 7, 6, 5], attrs: { kernel_shape: [3, 3, 2], strides: [2, 2, 2], pads: [1, 1, 0, 1, 0, 1], ceil_mode: 1 } },
  { name: '3-D auto_pad SAME_UPPER', x: [1, 2, 5, 7, 6], attrs: { kernel_shape: [2, 3, 3], strides: [2, 2, 1], auto_pad: 'SAME_UPPER' } },
  { name: '3-D auto_pad SAME_LOWER', x: [1, 2, 5, 7, 6], attrs: { kernel_shape: [2, 3, 3], strides: [2, 2, 1], auto_pad: 'SAME_LOWER' } },
];

for (const c of WINDOW_CASES) {
  test(`MaxPool ${c.name}`, async () => {
    await checkAgainstReference(model('MaxPool', c.x, c.attrs, c.opset), { x: f32(c.x, 1) }, TOL);
  });
  for (const countIncludePad of [0, 1]) {
    test(`AveragePool ${c.name}, count_include_pad ${countIncludePad}`, async () => {
      await checkAgainstReference(model('AveragePool', c.x, { ...c.attrs, count_include_pad: countIncludePad }, c.opset), { x: f32(c.x, 2) }, TOL);
    });
  }
}

const MAXPOOL_CASES: PoolCase[] = [
  { name: 'dilations 2x3 with pads', x: [1, 3, 10, 11], attrs: { kernel_shape: [3, 2], dilations: [2, 3], strides: [1, 2], pads: [2, 1, 2, 1] } },
  { name: 'dilation 2 with ceil_mode', x: [2, 2, 9, 9], attrs: { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 2], ceil_mode: 1 } },
  { name: '1-D dilation 2', x: [1, 2, 15], attrs: { kernel_shape: [3], dilations: [2], strides: [2], pads: [1, 1] } },
  { name: 'storage_order 1 (affects Indices only)', x: [1, 2, 6, 6], attrs: { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 } },
  { name: 'opset 8', x: [1, 2, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, opset: 8 },
  { name: 'opset 1', x: [1, 2, 6, 7], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, opset: 1 },
  { name: '3-D dilations with pads', x: [1, 2, 7, 8, 6], attrs: { kernel_shape: [2, 2, 2], dilations: [2, 3, 1], pads: [1, 1, 0, 1, 1, 1] } },
  { name: '3-D opset 8', x: [2, 1, 4, 5, 6], attrs: { kernel_shape: [2, 3, 2], strides: [1, 2, 2] }, opset: 8 },
];

for (const c of MAXPOOL_CASES) {
  test(`MaxPool ${c.name}`, async () => {
    await checkAgainstReference(model('MaxPool', c.x, c.attrs, c.opset), { x: f32(c.x, 3) }, TOL);
  });
}

const AVGPOOL_CASES: PoolCase[] = [
  { name: 'opset 7, count_include_pad 1', x: [1, 2, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, opset: 7 },
  { name: 'opset 7, count_include_pad by default 0', x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, opset: 7 },
  { name: 'opset 19 dilations, count_include_pad 0', x: [1, 2, 9, 10], attrs: { kernel_shape: [3, 2], dilations: [2, 3], strides: [2, 2], pads: [1, 1, 2, 1] }, opset: 19 },
  { name: 'opset 19 dilations, ceil_mode, count_include_pad 1', x: [1, 2, 9, 10], attrs: { kernel_shape: [3, 2], dilations: [2, 3], strides: [2, 2], pads: [1, 1, 2, 1], ceil_mode: 1, count_include_pad: 1 }, opset: 19 },
  { name: 'opset 11 ceil_mode with pads, count_include_pad 1', x: [1, 3, 8, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, opset: 11 },
  { name: 'opset 19 3-D dilations, ceil_mode, count_include_pad 1', x: [1, 2, 6, 7, 8], attrs: { kernel_shape: [2, 3, 2], dilations: [2, 1, 3], strides: [2, 2, 2], pads: [1, 0, 1, 0, 1, 1], ceil_mode: 1, count_include_pad: 1 }, opset: 19 },
  { name: 'opset 7 3-D, count_include_pad 1', x: [1, 2, 5, 5, 5], attrs: { kernel_shape: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], count_include_pad: 1 }, opset: 7 },
];

for (const c of AVGPOOL_CASES) {
  test(`AveragePool ${c.name}`, async () => {
    await checkAgainstReference(model('AveragePool', c.x, c.attrs, c.opset), { x: f32(c.x, 4) }, TOL);
  });
}

/** MaxPool with both outputs: Y and the int64 Indices. */
function maxPoolWithIndices(x: number[], attrs: Record<string, AttrInput>, dtype: 'float32' | 'uint8' | 'int8' = 'float32', opset = 12): Uint8Array {
  const b = new ModelBuilder(opset);
  b.input('x', x, dtype);
  b.node('MaxPool', ['x'], attrs, ['y', 'indices']);
  b.output('y', [], dtype);
  b.output('indices', [], 'int64');
  return b.build();
}

// Indices are flat positions in X including the (n, c) plane offset; storage_order 1 makes the
// spatial part column-major. Non-square spatial shapes tell the two orders apart.
const INDICES_CASES: PoolCase[] = [
  { name: '2-D stride 2, batch 2', x: [2, 3, 6, 8], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: '2-D pads, ceil_mode', x: [2, 2, 7, 9], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { name: '2-D overlapping windows', x: [1, 2, 6, 5], attrs: { kernel_shape: [3, 2], strides: [1, 1] } },
  { name: '2-D dilations', x: [1, 2, 9, 8], attrs: { kernel_shape: [2, 2], dilations: [2, 3], pads: [1, 0, 0, 1] } },
  { name: '2-D auto_pad SAME_UPPER', x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: '1-D', x: [2, 3, 11], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { name: '3-D', x: [2, 2, 5, 4, 6], attrs: { kernel_shape: [2, 2, 3], strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 1] } },
];

for (const c of INDICES_CASES) {
  for (const storageOrder of [0, 1]) {
    test(`MaxPool Indices ${c.name}, storage_order ${storageOrder}`, async () => {
      await checkAgainstReference(maxPoolWithIndices(c.x, { ...c.attrs, storage_order: storageOrder }), { x: f32(c.x, 8) }, { rtol: 0, atol: 0 });
    });
  }
}

test('MaxPool Indices: ties go to the first maximum in window order', async () => {
  // Values from {-1, 0, 1}: most windows hold several maxima.
  const dims = [2, 3, 7, 8];
  const x = new Tensor('float32', Float32Array.from(intValues(dims, 9, -1, 1)), dims);
  for (const storageOrder of [0, 1]) {
    await checkAgainstReference(maxPoolWithIndices(dims, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], storage_order: storageOrder }), { x }, { rtol: 0, atol: 0 });
  }
  const dims3 = [1, 2, 4, 5, 6];
  const x3 = new Tensor('float32', Float32Array.from(intValues(dims3, 10, 0, 1)), dims3);
  await checkAgainstReference(maxPoolWithIndices(dims3, { kernel_shape: [2, 3, 2], strides: [2, 2, 2] }), { x: x3 }, { rtol: 0, atol: 0 });
});

// Opset 12 integer MaxPool (onnxruntime has int8 and uint8 kernels): exact results, ties.
test('MaxPool on uint8 and int8 inputs, with and without Indices, 1-D to 3-D', async () => {
  const cases: { x: number[]; attrs: Record<string, AttrInput> }[] = [
    { x: [2, 3, 7, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { x: [1, 2, 13], attrs: { kernel_shape: [4], strides: [3], ceil_mode: 1 } },
    { x: [1, 2, 4, 5, 6], attrs: { kernel_shape: [2, 2, 2], strides: [1, 2, 2], dilations: [2, 1, 1] } },
  ];
  for (const c of cases) {
    const u8 = new Tensor('uint8', Uint8Array.from(intValues(c.x, 11, 0, 255)), c.x);
    const i8 = new Tensor('int8', Int8Array.from(intValues(c.x, 12, -128, 127)), c.x);
    const few = new Tensor('int8', Int8Array.from(intValues(c.x, 13, -2, 1)), c.x); // ties
    for (const [dtype, x] of [['uint8', u8], ['int8', i8], ['int8', few]] as const) {
      const b = new ModelBuilder(12);
      b.input('x', c.x, dtype);
      b.node('MaxPool', ['x'], c.attrs, ['y']);
      b.output('y', [], dtype);
      await checkAgainstReference(b.build(), { x }, { rtol: 0, atol: 0 });
      await checkAgainstReference(maxPoolWithIndices(c.x, c.attrs, dtype), { x }, { rtol: 0, atol: 0 });
    }
  }
});

test('pools reject invalid windows and types with ShapeError', async () => {
  const bad: [string, number[], Record<string, AttrInput>][] = [
    ['MaxPool', [1, 1, 4, 4], {}],
    ['AveragePool', [1, 1, 4, 4, 4, 4], { kernel_shape: [2, 2, 2, 2] }], // 4 spatial dims
    ['MaxPool', [1, 1, 4, 4], { kernel_shape: [2] }],
    ['MaxPool', [1, 1, 4, 4, 4], { kernel_shape: [2, 2] }],
    ['AveragePool', [1, 1, 2, 2], { kernel_shape: [3, 3] }],
    ['MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2], auto_pad: 'SAME' }],
    ['MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2], storage_order: 2 }],
  ];
  for (const [op, x, attrs] of bad) {
    await assert.rejects(InferenceSession.create(model(op, x, attrs)), ShapeError, `${op} ${JSON.stringify(attrs)}`);
  }
  // AveragePool has no integer form.
  const b = new ModelBuilder(19);
  b.input('x', [1, 1, 4, 4], 'uint8');
  b.node('AveragePool', ['x'], { kernel_shape: [2, 2] }, ['y']);
  b.output('y', [], 'uint8');
  await assert.rejects(InferenceSession.create(b.build()), ShapeError);
});

// Global pools: 1-, 2- and 3-D spatial extents, planes shorter and longer than the workgroup,
// more planes than a workgroup of the thread variant; each variant (forceAlgorithm) and the
// automatic choice (thread up to 1024 elements per plane), checked to be the kernel that ran.
const GLOBAL_SHAPES = [
  [2, 3, 7, 9],
  [1, 5, 130],
  [1, 2, 3, 4, 5],
  [2, 3, 1, 1],
  [1, 2, 70, 70],
  [2, 70, 3, 3],
];

for (const op of ['GlobalAveragePool', 'GlobalMaxPool']) {
  for (const dims of GLOBAL_SHAPES) {
    for (const algo of ['auto', 'globalpool-workgroup', 'globalpool-thread']) {
      test(`${op} [${dims}] ${algo}`, async () => {
        const ran = await checkAgainstReference(model(op, dims, {}, 1), { x: f32(dims, 5, -3, 2) }, TOL, algo === 'auto' ? {} : { forceAlgorithm: algo });
        const thread = algo === 'auto' ? dims.slice(2).reduce((a, b) => a * b, 1) <= 1024 : algo === 'globalpool-thread';
        assert.equal(ran[0].endsWith(' thread'), thread, `ran ${ran}`);
      });
    }
  }
  test(`${op} rejects inputs without spatial dims`, async () => {
    await assert.rejects(InferenceSession.create(model(op, [2, 3], {}, 1)), ShapeError);
  });
}

// LRN: odd sizes, size larger than C, defaults and explicit alpha/beta/bias, batch 2.
const LRN_CASES: { name: string; x: number[]; attrs: Record<string, AttrInput>; opset?: number }[] = [
  { name: 'size 3, defaults', x: [2, 7, 5, 6], attrs: { size: 3 } },
  { name: 'size 5, alpha/beta/bias', x: [1, 9, 4, 3], attrs: { size: 5, alpha: { float: 0.02 }, beta: { float: 0.6 }, bias: { float: 2 } } },
  { name: 'size 9 larger than C', x: [1, 4, 5, 5], attrs: { size: 9, alpha: { float: 0.1 } } },
  { name: 'opset 1', x: [1, 5, 3, 4], attrs: { size: 3, alpha: { float: 0.05 } }, opset: 1 },
];

for (const c of LRN_CASES) {
  test(`LRN ${c.name}`, async () => {
    await checkAgainstReference(model('LRN', c.x, c.attrs, c.opset), { x: f32(c.x, 6, -2, 2) }, TOL);
  });
}

/** The ONNX LRN formula on the host, for the even sizes onnxruntime refuses. */
function lrnHost(x: Float32Array, dims: number[], size: number, alpha: number, beta: number, bias: number): Float32Array {
  const [N, C] = dims;
  const S = count(dims.slice(2));
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  const y = new Float32Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        let sum = 0;
        for (let j = Math.max(0, c - lo); j <= Math.min(C - 1, c + hi); j++) sum += x[(n * C + j) * S + s] ** 2;
        const i = (n * C + c) * S + s;
        y[i] = x[i] / (bias + (alpha / size) * sum) ** beta;
      }
    }
  }
  return y;
}

// Even sizes have an asymmetric window ([c, c+1] for 2, [c-1, c+2] for 4); onnxruntime only
// implements odd sizes, so these compare with the spec's formula on the host.
for (const [size, dims] of [[2, [2, 6, 3, 4]], [4, [1, 8, 3, 3]]] as [number, number[]][]) {
  test(`LRN size ${size} (even) matches the spec formula`, async () => {
    const x = f32(dims, 7, -2, 2);
    const s = await InferenceSession.create(model('LRN', dims, { size, alpha: { float: 0.5 }, beta: { float: 0.9 }, bias: { float: 1.5 } }));
    try {
      const got = await s.run({ x });
      assertClose(got.y.data as Float32Array, lrnHost(x.data as Float32Array, dims, size, 0.5, 0.9, 1.5), TOL, 'y');
    } finally {
      await s.release();
    }
  });
}

test('LRN requires size', async () => {
  await assert.rejects(InferenceSession.create(model('LRN', [1, 3, 2, 2], {})), ShapeError);
});
