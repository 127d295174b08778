// The int8 quantized ops against onnxruntime-node (CPU) on seeded data: QuantizeLinear and
// DequantizeLinear (opsets 10/13/19/21, per-tensor and per-axis, int8/uint8, the int32 bias
// form), DynamicQuantizeLinear, and the typed errors of malformed scales and zero points.
// Tolerances: outputs that are integers computed by the same formula as onnxruntime are compared
// exactly; float32 outputs of DequantizeLinear are one exact f32 product, so exact too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../util/onnx-builder.js';
import { checkAgainstReference } from '../util/reference.js';
import { InferenceSession } from '../../runtime/index.node.js';
import { ShapeError, UnsupportedOpError } from '../../runtime/errors.js';
import { EXACT, f32, q8, q8spec, f32spec } from './quant-helpers.js';

for (const opset of [10, 13, 19, 21]) {
  for (const zt of ['uint8', 'int8', undefined] as const) {
    test(`QuantizeLinear opset ${opset}, per-tensor, zero point ${zt ?? 'absent'}`, async () => {
      const b = new ModelBuilder(opset);
      b.input('x', [2, 3, 5, 7]);
      b.init('s', f32spec([], 3, 0.01, 0.05));
      const ins = ['x', 's'];
      if (zt) ins.push(b.init('z', { dtype: zt, dims: [], data: [zt === 'int8' ? -7 : 131] }));
      b.node('QuantizeLinear', ins, {}, ['y']);
      b.output('y', [2, 3, 5, 7], zt ?? 'uint8');
      // Values up to ±4 / 0.01 saturate at both ends of the range.
      await checkAgainstReference(b.build(), { x: f32([2, 3, 5, 7], 1, -4, 4) }, EXACT);
    });
  }
}

test('QuantizeLinear: ties round half to even (x / scale = k + 0.5)', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [8]);
  b.init('s', f32spec([], 0, 0.5, 0.5));
  b.init('z', { dtype: 'int8', dims: [], data: [0] });
  b.node('QuantizeLinear', ['x', 's', 'z'], {}, ['y']);
  b.output('y', [8], 'int8');
  const x = new Float32Array([0.25, 0.75, 1.25, -0.25, -0.75, -1.25, 1.75, 100]);
  const { Tensor } = await import('../../runtime/index.node.js');
  await checkAgainstReference(b.build(), { x: new Tensor('float32', x, [8]) }, EXACT);
});

for (const opset of [13, 19, 21]) {
  for (const [axis, zt] of [[1, 'int8'], [-1, 'uint8'], [0, 'uint8']] as const) {
    test(`QuantizeLinear / DequantizeLinear opset ${opset}, per-axis axis ${axis}, ${zt}`, async () => {
      const dims = [3, 4, 5];
      const c = dims[axis < 0 ? axis + dims.length : axis];
      const b = new ModelBuilder(opset);
      b.input('x', dims);
      b.init('s', f32spec([c], 5, 0.005, 0.02));
      b.init('z', q8spec(zt, [c], 6));
      const [q] = b.node('QuantizeLinear', ['x', 's', 'z'], { axis });
      b.node('DequantizeLinear', [q, 's', 'z'], { axis }, ['y']);
      b.node('Identity', [q], {}, ['q']);
      b.output('y', dims);
      b.output('q', dims, zt);
      await checkAgainstReference(b.build(), { x: f32(dims, 7, -2, 2) }, EXACT);
    });
  }
}

for (const dt of ['uint8', 'int8', 'int32'] as const) {
  test(`DequantizeLinear ${dt} input, per-tensor, graph-input zero point`, async () => {
    const b = new ModelBuilder(13);
    b.input('x', [4, 6], dt);
    b.init('s', f32spec([], 9, 0.01, 0.1));
    const ins = ['x', 's'];
    // The int32 (bias) form has no zero point other than 0: leave it out.
    if (dt !== 'int32') ins.push(b.input('z', [], dt));
    b.node('DequantizeLinear', ins, {}, ['y']);
    b.output('y', [4, 6]);
    const feeds: Record<string, ReturnType<typeof f32>> = { x: q8(dt, [4, 6], 10) };
    if (dt !== 'int32') feeds.z = q8(dt, [], 11);
    await checkAgainstReference(b.build(), feeds, EXACT);
  });
}

test('DequantizeLinear of constant int8 weights folds on the host, as onnxruntime computes it', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 8]);
  b.init('w', q8spec('int8', [8, 3], 12));
  b.init('s', f32spec([3], 13, 0.01, 0.03));
  b.init('z', q8spec('int8', [3], 14));
  const [w] = b.node('DequantizeLinear', ['w', 's', 'z'], { axis: 1 });
  b.node('MatMul', ['x', w], {}, ['y']);
  b.output('y', [2, 3]);
  // The product runs in float32 in both runtimes, in different orders: float tolerance.
  await checkAgainstReference(b.build(), { x: f32([2, 8], 15) }, { rtol: 1e-5, atol: 1e-5 });
});

for (const [name, lo, hi] of [['mixed signs', -3, 2], ['all positive', 0.5, 4], ['all negative', -4, -0.5], ['all zero', 0, 0]] as const) {
  test(`DynamicQuantizeLinear: ${name}`, async () => {
    const dims = [3, 100, 7]; // 2100 elements: several strides of the reduction's 256 lanes
    const b = new ModelBuilder(13);
    b.input('x', dims);
    b.node('DynamicQuantizeLinear', ['x'], {}, ['y', 'ys', 'yz']);
    b.output('y', dims, 'uint8');
    b.output('ys', []);
    b.output('yz', [], 'uint8');
    await checkAgainstReference(b.build(), { x: f32(dims, 20, lo, hi) }, EXACT);
  });
}

async function createError(model: Uint8Array): Promise<unknown> {
  try {
    const s = await InferenceSession.create(model);
    await s.release();
  } catch (e) {
    return e;
  }
  assert.fail('expected InferenceSession.create to throw');
}

test('QuantizeLinear / DequantizeLinear: typed errors for bad scales, zero points and forms', async () => {
  const model = (f: (b: ModelBuilder) => void, opset = 13) => {
    const b = new ModelBuilder(opset);
    b.input('x', [2, 3]);
    f(b);
    b.output('y', [2, 3], 'uint8');
    return b.build();
  };
  const cases: [string, Uint8Array, new (...a: never[]) => Error, RegExp][] = [
    ['scale of the wrong length', model((b) => { b.init('s', f32spec([4], 1, 0.1, 0.2)); b.node('QuantizeLinear', ['x', 's'], { axis: 1 }, ['y']); }), ShapeError, /1-D of 3/],
    ['per-axis in opset 10', model((b) => { b.init('s', f32spec([3], 1, 0.1, 0.2)); b.node('QuantizeLinear', ['x', 's'], {}, ['y']); }, 10), ShapeError, /per-tensor/],
    ['zero point shape differs', model((b) => { b.init('s', f32spec([3], 1, 0.1, 0.2)); b.init('z', q8spec('uint8', [], 2)); b.node('QuantizeLinear', ['x', 's', 'z'], { axis: 1 }, ['y']); }), ShapeError, /different shapes/],
    ['int32 scale', model((b) => { b.init('s', { dtype: 'int32', dims: [], data: [1] }); b.node('QuantizeLinear', ['x', 's'], {}, ['y']); }), ShapeError, /float32 scales/],
    ['block_size', model((b) => { b.init('s', f32spec([2, 1], 1, 0.1, 0.2)); b.node('QuantizeLinear', ['x', 's'], { axis: 1, block_size: 3 }, ['y']); }, 21), UnsupportedOpError, /QuantizeLinear_\d+.*blocked/],
  ];
  for (const [what, m, cls, re] of cases) {
    const e = await createError(m);
    assert.ok(e instanceof cls, `${what}: ${String(e)}`);
    assert.match((e as Error).message, re, what);
  }
});
