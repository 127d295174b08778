// The oracle's integer products are exact (tests/util/ort-exact.ts): onnxruntime's MLAS saturates
// uint8 × int8 pair sums to int16 on x86 CPUs without VNNI, so the reference runs a re-encoded
// copy. These cases are built to saturate there (every pair of products is 255 · ±127 > 32767):
// the reference must give the spec's exact int32 sums, and Fovea the same, with the weight
// constant, fed at run time, and with its zero point absent, constant or fed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../util/onnx-builder.js';
import { runReference } from '../util/reference.js';
import { exactIntegerProducts } from '../util/ort-exact.js';
import { Tensor } from '../../runtime/index.node.js';
import { runFovea } from './quant-helpers.js';

const K = 8;
const N = 3;

/** y = Σ_k (a_k − 0)(b_kn − zb): a all 255 (uint8), b alternating ±127 by column (int8). */
function build(opts: { bInput?: boolean; zp?: 'absent' | 'constant' | 'input' }): { model: Uint8Array; feeds: Record<string, Tensor>; want: number[] } {
  const b = new ModelBuilder(13);
  b.input('a', [1, K], 'uint8');
  const bv = Array.from({ length: K * N }, (_, i) => ((i % N) % 2 ? -127 : 127));
  const feeds: Record<string, Tensor> = { a: new Tensor('uint8', new Uint8Array(K).fill(255), [1, K]) };
  const ins = ['a', ''];
  if (opts.bInput) {
    ins[1] = b.input('b', [K, N], 'int8');
    feeds.b = new Tensor('int8', Int8Array.from(bv), [K, N]);
  } else ins[1] = b.init('b', { dtype: 'int8', dims: [K, N], data: bv });
  const zb = opts.zp === 'absent' || !opts.zp ? 0 : -3;
  if (opts.zp === 'constant') ins.push('', b.init('zb', { dtype: 'int8', dims: [], data: [zb] }));
  if (opts.zp === 'input') {
    ins.push('', b.input('zb', [], 'int8'));
    feeds.zb = new Tensor('int8', Int8Array.from([zb]), []);
  }
  b.node('MatMulInteger', ins, {}, ['y']);
  b.output('y', [1, N], 'int32');
  const want = Array.from({ length: N }, (_, n) => K * 255 * ((n % 2 ? -127 : 127) - zb));
  return { model: b.build(), feeds, want };
}

for (const c of [{}, { bInput: true }, { zp: 'constant' as const }, { zp: 'input' as const }, { bInput: true, zp: 'input' as const }]) {
  test(`the oracle's uint8 x int8 MatMulInteger is exact (${JSON.stringify(c)}), as Fovea's`, async () => {
    const { model, feeds, want } = build(c);
    assert.notEqual(exactIntegerProducts(model), model, 'the oracle runs a re-encoded copy');
    const ref = await runReference(model, feeds);
    assert.deepEqual([...(ref.y.data as Int32Array)], want);
    const { got } = await runFovea(model, feeds, {});
    assert.deepEqual([...(got.y.data as Int32Array)], want);
  });
}

test('models without mixed-signedness integer products go to the oracle unchanged', () => {
  const b = new ModelBuilder(13);
  b.input('a', [1, K], 'uint8');
  b.node('MatMulInteger', ['a', b.init('b', { dtype: 'uint8', dims: [K, N], data: new Array(K * N).fill(200) })], {}, ['y']);
  b.output('y', [1, N], 'int32');
  const model = b.build();
  assert.equal(exactIntegerProducts(model), model);
});
