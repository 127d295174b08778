// The remaining ops' float16 kernels (reductions, ArgMax/ArgMin, Resize/Upsample, the
// normalisations, LpPool, MaxUnpool, Dropout's mask, opset-19 Quantize/DequantizeLinear with
// float16 scales) against onnxruntime-node, on the three storage paths: f16 storage (lavapipe's
// 'shader-f16'), float16 packed two per word (p16: `shaderF16: false`, devices without it) and
// float16 values widened to f32 (`shaderF16: false, packedF16: false`).
// Tolerances: as tests/precision/float16.test.ts — both runtimes compute in float32 and round each
// op's result to float16 once (2^-11 relative); reductions and filters of a few dozen terms differ
// only in the order of the f32 sums, well inside one f16 step. Integer outputs (ArgMax, the
// quantized values) are compared exactly where the inputs are distinct after rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../util/onnx-builder.js';
import { randomFloats } from '../util/rng.js';
import { checkAgainstReference } from '../util/reference.js';
import { Tensor } from '../../runtime/index.node.js';

const F16_TOL = { rtol: 2e-3, atol: 1e-3 };
const STORAGE = [{ shaderF16: true }, { shaderF16: false }, { shaderF16: false, packedF16: false }] as const;
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f16 = (dims: number[], seed: number, lo = -2, hi = 2) => new Tensor('float16', Array.from(randomFloats(size(dims), seed, lo, hi)), dims);

/** Runs the model on the three storage paths; on the f16 and p16 paths every kernel is an f16 or
 * p16 variant. */
async function bothPaths(model: Uint8Array, feeds: Record<string, Tensor>, tol = F16_TOL): Promise<void> {
  for (const opts of STORAGE) {
    const kernels = await checkAgainstReference(model, feeds, tol, opts);
    const tag = opts.shaderF16 ? 'f16' : 'packedF16' in opts ? undefined : 'p16';
    if (tag) {
      const not = kernels.filter((k) => !k.includes(tag));
      assert.deepEqual(not, [], `kernels without a ${tag} form on the ${tag} path: ${kernels.join()}`);
    }
  }
}

test('float16 reductions: Reduce* over kept and reduced runs, thread and workgroup variants', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3, 40], 'float16');
  b.init('ax', { dtype: 'int64', dims: [1], data: [2] });
  b.node('ReduceSum', ['x', 'ax'], { keepdims: 0 }, ['sum']);
  b.node('ReduceMean', ['x'], { axes: [1] }, ['mean']);
  b.node('ReduceMax', ['x'], { axes: [0, 2] }, ['max']);
  b.node('ReduceMin', ['x'], { axes: [2] }, ['min']);
  b.node('ReduceL1', ['x'], { axes: [1, 2] }, ['l1']);
  b.node('ReduceL2', ['x'], { axes: [2] }, ['l2']);
  b.node('ReduceSumSquare', ['x'], { axes: [0] }, ['ss']);
  b.node('Abs', ['x'], {}, ['ax1']);
  b.node('ReduceLogSum', ['ax1'], { axes: [2] }, ['ls']);
  b.node('ReduceProd', ['x'], { axes: [1] }, ['prod']);
  b.output('sum', [2, 3], 'float16');
  b.output('mean', [2, 1, 40], 'float16');
  b.output('max', [1, 3, 1], 'float16');
  b.output('min', [2, 3, 1], 'float16');
  b.output('l1', [2, 1, 1], 'float16');
  b.output('l2', [2, 3, 1], 'float16');
  b.output('ss', [1, 3, 40], 'float16');
  b.output('ls', [2, 3, 1], 'float16');
  b.output('prod', [2, 1, 40], 'float16');
  const model = b.build();
  const x = { x: f16([2, 3, 40], 1) };
  await bothPaths(model, x);
  for (const forceAlgorithm of ['reduce-workgroup', 'reduce-thread']) {
    await checkAgainstReference(model, x, F16_TOL, { shaderF16: true, forceAlgorithm });
  }
});

test('float16 ArgMax / ArgMin (keepdims, select_last_index, both variants)', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [3, 5, 70], 'float16');
  b.node('ArgMax', ['x'], { axis: 2 }, ['amax']);
  b.node('ArgMin', ['x'], { axis: 1, keepdims: 0, select_last_index: 1 }, ['amin']);
  b.output('amax', [3, 5, 1], 'int64');
  b.output('amin', [3, 70], 'int64');
  const model = b.build();
  // Distinct values after rounding to float16 (steps of 1/8 in [-64, 64)), so the indices are exact.
  const vals = Array.from({ length: 3 * 5 * 70 }, (_, i) => ((i * 389) % 1024) / 8 - 64);
  const x = { x: new Tensor('float16', vals, [3, 5, 70]) };
  await bothPaths(model, x, { rtol: 0, atol: 0 });
  for (const forceAlgorithm of ['argreduce-workgroup', 'argreduce-thread']) {
    await checkAgainstReference(model, x, { rtol: 0, atol: 0 }, { shaderF16: true, forceAlgorithm });
  }
});

test('float16 Resize (nearest, linear, cubic, tf_crop_and_resize extrapolation) and Upsample', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 5, 6], 'float16');
  b.init('sc', { dtype: 'float32', dims: [4], data: [1, 1, 2, 1.5] });
  b.init('none', { dtype: 'float32', dims: [0], data: [] });
  b.node('Resize', ['x', 'none', 'sc'], { mode: 'nearest' }, ['near']);
  b.node('Resize', ['x', 'none', 'sc'], { mode: 'linear' }, ['lin']);
  b.node('Resize', ['x', 'none', 'sc'], { mode: 'cubic' }, ['cub']);
  b.init('roi', { dtype: 'float32', dims: [8], data: [0, 0, -0.2, 0.1, 1, 1, 1.3, 0.9] });
  b.init('sz', { dtype: 'int64', dims: [4], data: [1, 2, 7, 4] });
  b.node('Resize', ['x', 'roi', '', 'sz'], { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 0.3 }, ['crop']);
  b.output('near', [1, 2, 10, 9], 'float16');
  b.output('lin', [1, 2, 10, 9], 'float16');
  b.output('cub', [1, 2, 10, 9], 'float16');
  b.output('crop', [1, 2, 7, 4], 'float16');
  await bothPaths(b.build(), { x: f16([1, 2, 5, 6], 2) });

  const u = new ModelBuilder(9);
  u.input('x', [1, 2, 3, 4], 'float16');
  u.init('sc', { dtype: 'float32', dims: [4], data: [1, 1, 2, 2] });
  u.node('Upsample', ['x', 'sc'], { mode: 'linear' }, ['y']);
  u.output('y', [1, 2, 6, 8], 'float16');
  await bothPaths(u.build(), { x: f16([1, 2, 3, 4], 3) });
});

test('float16 InstanceNormalization, LRN, LpPool, GlobalLpPool', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 4, 6, 7], 'float16');
  b.init('s', { dtype: 'float16', dims: [4], data: [0.5, -1, 2, 1.25] });
  b.init('bi', { dtype: 'float16', dims: [4], data: [0, 0.25, -0.5, 1] });
  b.node('InstanceNormalization', ['x', 's', 'bi'], { epsilon: 1e-3 }, ['in']);
  b.node('LRN', ['x'], { size: 3, alpha: 0.01, beta: 0.75, bias: 1.5 }, ['lrn']);
  b.node('LpPool', ['x'], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], p: 2 }, ['lp']);
  b.node('GlobalLpPool', ['x'], { p: 3 }, ['glp']);
  b.output('in', [2, 4, 6, 7], 'float16');
  b.output('lrn', [2, 4, 6, 7], 'float16');
  b.output('lp', [2, 4, 4, 4], 'float16');
  b.output('glp', [2, 4, 1, 1], 'float16');
  await bothPaths(b.build(), { x: f16([2, 4, 6, 7], 4) });
});

test('float16 MaxPool indices into MaxUnpool, and Dropout with its mask (opset 7: the input type)', async () => {
  const b = new ModelBuilder(11);
  b.input('x', [1, 3, 6, 6], 'float16');
  b.node('MaxPool', ['x'], { kernel_shape: [2, 2], strides: [2, 2] }, ['p', 'idx']);
  b.node('MaxUnpool', ['p', 'idx'], { kernel_shape: [2, 2], strides: [2, 2] }, ['y']);
  b.output('y', [1, 3, 6, 6], 'float16');
  await bothPaths(b.build(), { x: f16([1, 3, 6, 6], 5) });

  const d = new ModelBuilder(7);
  d.input('x', [2, 5], 'float16');
  d.node('Dropout', ['x'], { ratio: 0.5 }, ['y', 'mask']);
  d.node('Neg', ['y'], {}, ['z']);
  d.output('z', [2, 5], 'float16');
  d.output('mask', [2, 5], 'float16');
  await bothPaths(d.build(), { x: f16([2, 5], 6) });
});

test('opset 19 QuantizeLinear of float16 x and DequantizeLinear to float16 (per-tensor and per-axis)', async () => {
  const b = new ModelBuilder(19);
  b.input('x', [2, 3, 8], 'float16');
  b.init('s', { dtype: 'float16', dims: [], data: [0.02] });
  b.init('z', { dtype: 'uint8', dims: [], data: [128] });
  b.node('QuantizeLinear', ['x', 's', 'z'], {}, ['q']);
  b.node('DequantizeLinear', ['q', 's', 'z'], {}, ['dq']);
  b.init('sa', { dtype: 'float16', dims: [3], data: [0.01, 0.02, 0.04] });
  b.init('za', { dtype: 'int8', dims: [3], data: [0, -3, 5] });
  b.node('QuantizeLinear', ['x', 'sa', 'za'], { axis: 1 }, ['qa']);
  b.node('DequantizeLinear', ['qa', 'sa', 'za'], { axis: 1 }, ['dqa']);
  b.output('q', [2, 3, 8], 'uint8');
  b.output('dq', [2, 3, 8], 'float16');
  b.output('qa', [2, 3, 8], 'int8');
  b.output('dqa', [2, 3, 8], 'float16');
  // Inputs at odd multiples of half a step would round either way after f16 rounding of x / s:
  // draw them away from the ties, so the quantized values are exact.
  const x = f16([2, 3, 8], 7, -1.5, 1.5);
  await bothPaths(b.build(), { x }, { rtol: 2e-3, atol: 1e-3 });
});
