// The fuse-qdq pass (runtime/passes/fuse-qdq.ts): a QDQ-quantized Conv (DequantizeLinear of the
// activation and of constant int8 weights, int32 bias, QuantizeLinear of the output) runs as one
// QLinearConv kernel, and matches onnxruntime's unfused float path (graph optimisations off)
// within one quantization step: the float path rounds its f32 sum, the integer one is exact,
// so a value at a .5 tie can move by one (the differing count is printed). Also checked: the
// unfused Fovea path (graphOptimizationLevel 'disabled'), and a pattern the pass must leave alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../util/onnx-builder.js';
import { compareWithOrt, f32, f32spec, q8spec } from './quant-helpers.js';
import { fuseQdq } from '../../runtime/passes/fuse-qdq.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { runReference } from '../util/reference.js';

const X = [1, 6, 9, 9];
const M = 8;

function qdqConv(opts: { biasScaleOff?: boolean; perChannel: boolean }): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', X);
  b.init('xs', { dtype: 'float32', dims: [], data: [0.02] });
  b.init('xz', { dtype: 'uint8', dims: [], data: [128] });
  const ws = f32spec(opts.perChannel ? [M] : [], 2, 0.002, 0.01);
  b.init('ws', ws);
  b.init('wz', { dtype: 'int8', dims: opts.perChannel ? [M] : [], data: Array(opts.perChannel ? M : 1).fill(0) });
  b.init('w', q8spec('int8', [M, 6, 3, 3], 3));
  const wsv = Array.from(ws.data as ArrayLike<number>);
  const bsv = Array.from({ length: M }, (_, c) => Math.fround(Math.fround(0.02) * wsv[opts.perChannel ? c : 0]) * (opts.biasScaleOff ? 1.5 : 1));
  b.init('bs', { dtype: 'float32', dims: [M], data: bsv });
  b.init('b', q8spec('int32', [M], 4));
  b.init('ys', { dtype: 'float32', dims: [], data: [0.05] });
  b.init('yz', { dtype: 'uint8', dims: [], data: [100] });
  const [xq] = b.node('QuantizeLinear', ['x', 'xs', 'xz']);
  const [xf] = b.node('DequantizeLinear', [xq, 'xs', 'xz']);
  const [wf] = b.node('DequantizeLinear', ['w', 'ws', 'wz'], { axis: 0 });
  const [bf] = b.node('DequantizeLinear', ['b', 'bs'], { axis: 0 });
  const [yf] = b.node('Conv', [xf, wf, bf], { pads: [1, 1, 1, 1], strides: [2, 2] });
  b.node('QuantizeLinear', [yf, 'ys', 'yz'], {}, ['y']);
  b.output('y', [], 'uint8');
  return b.build();
}

for (const perChannel of [false, true]) {
  test(`fuse-qdq: QDQ Conv with ${perChannel ? 'per-channel' : 'per-tensor'} int8 weights becomes one QLinearConv`, async () => {
    const model = qdqConv({ perChannel });
    const feeds = { x: f32(X, 5, -2.5, 2.5) };
    const fused = await compareWithOrt(model, feeds, 1);
    assert.ok(fused.kernels.some((k) => k.startsWith('qlinear-')), fused.kernels.join());
    assert.ok(!fused.kernels.some((k) => /conv|gemm/i.test(k) && !k.startsWith('qlinear')), `no float conv kernel: ${fused.kernels.join()}`);
    const plain = await compareWithOrt(model, feeds, 1, { graphOptimizationLevel: 'disabled' });
    assert.ok(!plain.kernels.some((k) => k.startsWith('qlinear-')), plain.kernels.join());
    console.log(`fuse-qdq ${perChannel ? 'per-channel' : 'per-tensor'}: fused ${fused.differing}/${fused.total}, unfused ${plain.differing}/${plain.total} elements differ from onnxruntime by one step`);
  });
}

test('fuse-qdq leaves a Conv whose bias scale is not x_scale * w_scale', async () => {
  const g = await decodeModel(qdqConv({ perChannel: true, biasScaleOff: true }));
  assert.ok(fuseQdq(g).nodes.some((n) => n.opType === 'Conv'));
  const ok = await decodeModel(qdqConv({ perChannel: true }));
  const fusedGraph = fuseQdq(ok);
  assert.ok(!fusedGraph.nodes.some((n) => n.opType === 'Conv') && fusedGraph.nodes.some((n) => n.opType === 'QLinearConv'));
});

// fuse-qdq-ops (runtime/passes/fuse-qdq-ops.ts): DQ -> Add / Mul / Sigmoid / GlobalAveragePool /
// Concat -> Q groups run as onnxruntime's QLinear* ops, as onnxruntime's own QDQ transformer runs
// them, so they are compared with onnxruntime's optimised session (runReference's `optimized`):
// every (a, b) pair of uint8 values at the scale ratio 1/2 of a residual add (half of the float
// path's results are ties that the fused kernel rounds otherwise), then a chain of the other ops.
test('fuse-qdq-ops: QDQ Add at ties, Mul, Sigmoid, GlobalAveragePool and Concat match onnxruntime (optimised) exactly', async () => {
  const b = new ModelBuilder(13);
  const dims = [1, 2, 256, 256];
  b.input('a', dims);
  b.input('b', dims);
  const qp = (tag: string, s: number, z: number) => [b.init(`${tag}s`, { dtype: 'float32', dims: [], data: [s] }), b.init(`${tag}z`, { dtype: 'uint8', dims: [], data: [z] })];
  const qdq = (x: string, p: string[]) => b.node('DequantizeLinear', [b.node('QuantizeLinear', [x, ...p])[0], ...p])[0];
  const [pa, pc, pm, pg] = [qp('a', 6.315584659576416, 133), qp('c', 12.631169319152832, 133), qp('m', 0.31, 120), qp('g', 0.05, 10)];
  const da = qdq('a', pa);
  const db = qdq('b', pa);
  const sum = qdq(b.node('Add', [da, db])[0], pc);
  const prod = qdq(b.node('Mul', [sum, da])[0], pm);
  const sig = qdq(b.node('Sigmoid', [prod])[0], qp('s', 1 / 256, 0));
  const gap = qdq(b.node('GlobalAveragePool', [sum])[0], pg);
  b.node('Concat', [qdq(b.node('Flatten', [sig])[0], pg), qdq(b.node('Flatten', [gap])[0], pg)], { axis: 1 }, ['yf']);
  b.node('QuantizeLinear', ['yf', ...pg], {}, ['y']);
  b.output('y', [], 'uint8');
  const model = b.build();
  const n = 2 * 256 * 256;
  const grid = (major: boolean) => new Tensor('float32', Float32Array.from({ length: n }, (_, i) => 6.315584659576416 * (((major ? i >> 8 : i) & 255) - 133)), dims);
  const feeds = { a: grid(true), b: grid(false) };
  const s = await InferenceSession.create(model);
  const kernels = (await s.stats()).kernels.map((k) => k.op);
  for (const op of ['QLinearAdd', 'QLinearMul', 'QLinearSigmoid', 'QLinearGlobalAveragePool', 'QLinearConcat']) assert.ok(kernels.includes(op), `${op} in ${kernels.join()}`);
  const got = (await s.run(feeds)).y.data as Uint8Array;
  await s.release();
  const want = (await runReference(model, feeds, { optimized: true })).y.data as Uint8Array;
  let differing = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
  assert.equal(differing, 0, `${differing} of ${want.length} outputs differ from onnxruntime`);
});
