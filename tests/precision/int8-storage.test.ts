// Packed 8-bit storage (runtime/gpu/elements.ts): int8 and uint8 values four per 32-bit word
// (i8 / u8), against widened i32 storage (`packedInt8: false`) and onnxruntime-node (CPU).
// - The //#tensor accessors: sign extension of i8, zero extension of u8, lengths that are not a
//   multiple of 4, neighbouring bytes written by different invocations (atomic byte writes), and
//   8-bit graph inputs and outputs uploaded and read back as bytes.
// - A quantized conv chain stores a quarter of the activation bytes, and runs where a widened
//   value would exceed the binding limit (the reason for the storage: a quantized U-Net's
//   64-channel 1024x1024 maps are 256 MiB as i32, above lavapipe's 128 MiB binding).
// - A graph with an op that has no packed kernel widens its 8-bit values and still runs.
// Tolerances: exact for data movement and integer arithmetic; one quantization step where a
// requantised output may round the other way at a .5 tie (see tests/ops/quant-conv.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ModelBuilder } from '../util/onnx-builder.js';
import { runReference, assertClose } from '../util/reference.js';
import { compareWithOrt, f32spec, q8, q8spec } from '../ops/quant-helpers.js';
import { packedInt8Blockers } from '../../runtime/gpu/plan.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { buildShader } from '../../runtime/gpu/shader.js';

test('i8 / u8 accessors: extractBits with sign extension for i8, atomic byte writes', () => {
  const i8 = buildShader('cast', { WG: 64, TX: 'i8', TY: 'u8', EXPR: 'v', F16: false });
  assert.match(i8, /extractBits\(bitcast<i32>\(x\[i >> 2u\]\), \(i & 3u\) \* 8u, 8u\)/);
  assert.match(i8, /var<storage, read_write> y: array<atomic<u32>>/);
  assert.match(i8, /atomicAnd\(&y\[i >> 2u\], ~\(0xffu << s\)\)/);
  const u8 = buildShader('cast', { WG: 64, TX: 'u8', TY: 'i32', EXPR: 'v', F16: false });
  assert.match(u8, /i32\(extractBits\(x\[i >> 2u\], \(i & 3u\) \* 8u, 8u\)\)/);
});

test('8-bit inputs and outputs, casts and data movement on packed bytes equal onnxruntime and i32 storage', async () => {
  // Odd sizes (7, 3x5) so that words are partly filled; Transpose and Concat write bytes of one
  // word from different invocations.
  const b = new ModelBuilder(13);
  b.input('a', [7], 'int8');
  b.input('u', [3, 5], 'uint8');
  b.node('Cast', ['a'], { to: 6 }, ['a32']);
  b.node('Cast', ['u'], { to: 6 }, ['u32']);
  b.node('Transpose', ['u'], { perm: [1, 0] }, ['ut']);
  b.node('Cast', ['a32'], { to: 2 }, ['a_as_u8']);
  b.node('Concat', ['u', 'u'], { axis: 1 }, ['uu']);
  b.node('Cast', ['u32'], { to: 3 }, ['u_as_i8']);
  for (const [name, dims, dt] of [['a32', [7], 'int32'], ['u32', [3, 5], 'int32'], ['ut', [5, 3], 'uint8'], ['a_as_u8', [7], 'uint8'], ['uu', [3, 10], 'uint8'], ['u_as_i8', [3, 5], 'int8']] as const) {
    b.output(name, [...dims], dt);
  }
  const model = b.build();
  const feeds = { a: new Tensor('int8', Int8Array.from([-128, -1, 0, 1, 127, -77, 55]), [7]), u: q8('uint8', [3, 5], 41) };
  const { kernels } = await compareWithOrt(model, feeds, 0);
  assert.ok(kernels.length > 0);
  const g = await decodeModel(model);
  assert.deepEqual(packedInt8Blockers(g), [], 'every op here has packed 8-bit kernels');
});

/** x (float) -> QuantizeLinear -> QLinearConv 3x3 (8 -> mid channels) -> QLinearConv 1x1 (mid
 * -> out) -> DequantizeLinear. */
function convChain(hw: number, mid = 16, out = 16): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [1, 8, hw, hw]);
  b.init('xs', { dtype: 'float32', dims: [], data: [0.02] });
  b.init('xz', { dtype: 'uint8', dims: [], data: [128] });
  b.node('QuantizeLinear', ['x', 'xs', 'xz'], {}, ['xq']);
  b.init('w1', q8spec('int8', [mid, 8, 3, 3], 3));
  b.init('w1s', f32spec([mid], 4, 0.002, 0.01));
  b.init('w1z', { dtype: 'int8', dims: [mid], data: new Array(mid).fill(0) });
  b.init('y1s', { dtype: 'float32', dims: [], data: [0.05] });
  b.init('y1z', { dtype: 'uint8', dims: [], data: [120] });
  b.node('QLinearConv', ['xq', 'xs', 'xz', 'w1', 'w1s', 'w1z', 'y1s', 'y1z'], { pads: [1, 1, 1, 1] }, ['y1']);
  b.init('w2', q8spec('int8', [out, mid, 1, 1], 5));
  b.init('w2s', { dtype: 'float32', dims: [], data: [0.004] });
  b.init('w2z', { dtype: 'int8', dims: [], data: [0] });
  b.init('y2s', { dtype: 'float32', dims: [], data: [0.03] });
  b.init('y2z', { dtype: 'uint8', dims: [], data: [110] });
  b.node('QLinearConv', ['y1', 'y1s', 'y1z', 'w2', 'w2s', 'w2z', 'y2s', 'y2z'], {}, ['y2']);
  b.node('DequantizeLinear', ['y2', 'y2s', 'y2z'], {}, ['y']);
  b.output('y', [1, out, hw, hw]);
  return b.build();
}

test('a quantized conv chain stores a quarter of the activation bytes packed, with the same results', async () => {
  const model = convChain(24);
  const feeds = { x: new Tensor('float32', Float32Array.from({ length: 8 * 24 * 24 }, (_, i) => Math.sin(i * 0.37) * 2), [1, 8, 24, 24]) };
  await compareWithOrt(model, feeds, 0.03 + 1e-6);
  const bytes = async (packedInt8: boolean) => {
    // 'tiled': no im2col scratch (which scales with the storage too) in the count.
    const s = await InferenceSession.create(model, { packedInt8, forceAlgorithm: 'tiled' });
    try {
      return (await s.stats()).activationBytesNoReuse;
    } finally {
      await s.release();
    }
  };
  const packed = await bytes(true);
  const widened = await bytes(false);
  // The float input and output stay f32 in both; the three 8-bit maps (8, 16 and 16 channels)
  // take 1 byte an element instead of 4.
  const eight = (8 + 16 + 16) * 24 * 24;
  assert.ok(packed < widened, `packed ${packed} < widened ${widened}`);
  assert.ok(Math.abs(widened - packed - 3 * eight) <= 4096, `widened - packed = ${widened - packed}, expected about ${3 * eight}`);
});

test('a value too large for a binding as i32 runs packed (the quantized U-Net at 1024² case)', async () => {
  // y1 is 64 x 32 x 32 = 65536 elements: 256 KiB as i32, 64 KiB packed; the float input and
  // output are 32 and 16 KiB. With a 64 KiB binding limit the widened form is refused (it cannot
  // be split: a quantized conv's input slabs would need their i32 sums added before one
  // requantisation), the packed one runs.
  const model = convChain(32, 64, 4);
  const feeds = { x: new Tensor('float32', Float32Array.from({ length: 8 * 32 * 32 }, (_, i) => Math.cos(i * 0.11) * 2), [1, 8, 32, 32]) };
  const cap = 64 * 1024;
  const s = await InferenceSession.create(model, { maxStorageBufferBindingSize: cap });
  try {
    const got = await s.run(feeds);
    const want = await runReference(model, feeds);
    assertClose(got.y.data as Float32Array, want.y.data, { rtol: 0, atol: 0.03 + 1e-6 }, 'y');
  } finally {
    await s.release();
  }
  await assert.rejects(InferenceSession.create(model, { maxStorageBufferBindingSize: cap, packedInt8: false }), /binding|LimitError|maxStorageBufferBindingSize/i);
});

test('a graph with an 8-bit op that has no packed kernel widens 8-bit values to i32 and runs', async () => {
  // ReduceMax on uint8 has i32 kernels only: the whole graph stores its 8-bit values as i32.
  const b = new ModelBuilder(13);
  b.input('u', [4, 6], 'uint8');
  b.node('Transpose', ['u'], { perm: [1, 0] }, ['t']);
  b.node('ReduceMax', ['t'], { axes: [1], keepdims: 0 }, ['m']);
  b.output('m', [6], 'uint8');
  const model = b.build();
  const g = await decodeModel(model);
  const blockers = packedInt8Blockers(g);
  assert.ok(blockers.length > 0 && !blockers.includes('Transpose'), `blockers: ${blockers.join(', ')}`);
  await compareWithOrt(model, { u: q8('uint8', [4, 6], 9) }, 0);
});
