// Tensor and shape ops against onnxruntime-node. Every op runs twice where it has inputs: once
// with its data as runtime feeds (the GPU kernels) and once with every input an initializer, so
// that the whole graph folds on the host (cpu(), checked to leave no node and no dispatch).
// Also: negative axes, every Pad mode, Slice steps and the opset-9 form, uneven Split, Gather
// with runtime and constant indices, and the PyTorch Shape→Gather→Unsqueeze→Concat→Reshape chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from '../util/onnx-builder.js';
import { randomFloats, rng } from '../util/rng.js';
import { assertClose, runReference, type Feeds } from '../util/reference.js';
import { InferenceSession, Tensor } from '../../runtime/index.node.js';
import { ShapeError } from '../../runtime/errors.js';

type DT = 'float32' | 'int64' | 'int32' | 'bool';

interface Arg {
  dims: number[];
  dtype?: DT;
  /** Explicit values; otherwise seeded random data of the dtype. */
  data?: ArrayLike<number>;
  /** Always an initializer (e.g. a Reshape shape), even in the runtime-feed run. */
  constant?: boolean;
}

interface OpCase {
  op: string;
  opset?: number;
  attrs?: Record<string, AttrInput>;
  /** null: an omitted optional input. */
  args: (Arg | null)[];
  /** Output dtypes (default: one output of the first input's dtype). */
  outs?: DT[];
  /** Which runs: 'both' (default), 'runtime' or 'folded'. */
  modes?: 'both' | 'runtime' | 'folded';
  seed?: number;
}

const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function values(a: Arg, seed: number): number[] {
  if (a.data) return Array.from(a.data);
  const n = count(a.dims);
  const dt = a.dtype ?? 'float32';
  if (dt === 'float32') return Array.from(randomFloats(n, seed));
  const r = rng(seed);
  if (dt === 'bool') return Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  return Array.from({ length: n }, () => Math.floor(r() * 40) - 20);
}

function feedTensor(dt: DT, dims: number[], v: number[]): Tensor {
  if (dt === 'float32') return new Tensor('float32', Float32Array.from(v), dims);
  if (dt === 'int32') return new Tensor('int32', Int32Array.from(v), dims);
  if (dt === 'bool') return new Tensor('bool', Uint8Array.from(v), dims);
  return new Tensor('int64', v, dims);
}

/** Compares a session's outputs with the reference; returns the session for further checks. */
async function compare(model: Uint8Array, feeds: Feeds, check?: (s: InferenceSession) => Promise<void>): Promise<void> {
  const s = await InferenceSession.create(model);
  try {
    const got = await s.run(feeds);
    const want = await runReference(model, feeds);
    for (const [name, w] of Object.entries(want)) {
      assert.ok(got[name], `missing output ${name}`);
      assert.deepEqual([...got[name].dims], [...w.dims], `${name}: dims`);
      assertClose(got[name].data as ArrayLike<number>, w.data, {}, name);
    }
    await check?.(s);
  } finally {
    await s.release();
  }
}

async function opCase(c: OpCase): Promise<void> {
  const modes = c.modes ?? 'both';
  const runs: boolean[] = modes === 'both' ? [false, true] : [modes === 'folded'];
  for (const folded of runs) {
    const b = new ModelBuilder(c.opset ?? 13);
    const feeds: Feeds = {};
    const names = c.args.map((a, i) => {
      if (!a) return '';
      const name = `in${i}`;
      const dt = a.dtype ?? 'float32';
      const v = values(a, (c.seed ?? 1) * 31 + i);
      if (folded || a.constant) {
        b.init(name, { dtype: dt, dims: a.dims, data: v });
      } else {
        b.input(name, a.dims, dt);
        feeds[name] = feedTensor(dt, a.dims, v);
      }
      return name;
    });
    const outs = c.outs ?? [c.args[0]?.dtype ?? 'float32'];
    const outNames = outs.map((_, i) => `out${i}`);
    b.node(c.op, names, c.attrs ?? {}, outNames);
    outs.forEach((dt, i) => b.output(outNames[i], [], dt));
    await compare(b.build(), feeds, async (s) => {
      if (!folded) return;
      const g = await s.graph();
      assert.equal(g.nodes.length, 0, `${c.op} should fold on the host`);
      assert.equal((await s.stats()).dispatches, 0);
    });
  }
}

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;

// ---- views ----

test('Reshape: 0 copies a dim, -1 is inferred, allowzero, runtime and folded', async () => {
  await opCase({ op: 'Reshape', args: [{ dims: [2, 3, 4] }, { dims: [3], dtype: 'int64', data: [0, -1, 2], constant: true }] });
  await opCase({ op: 'Reshape', args: [{ dims: [2, 3, 4] }, { dims: [2], dtype: 'int64', data: [-1, 6], constant: true }] });
  await opCase({ op: 'Reshape', args: [{ dims: [2, 3, 4], dtype: 'int64' }, { dims: [1], dtype: 'int64', data: [24], constant: true }], outs: ['int64'] });
  await opCase({ op: 'Reshape', opset: 14, attrs: { allowzero: 1 }, args: [{ dims: [0, 3] }, { dims: [2], dtype: 'int64', data: [3, 0], constant: true }] });
  await opCase({ op: 'Reshape', args: [{ dims: [] }, { dims: [1], dtype: 'int64', data: [1], constant: true }] });
});

test('Reshape opset 1/4: the shape attribute', async () => {
  // onnxruntime does not run Reshape before opset 5, so the result is checked directly:
  // the same data under [3, 8] (0 copies dim 0, -1 takes the rest).
  const b = new ModelBuilder(4);
  b.input('x', [3, 4, 2]);
  b.node('Reshape', ['x'], { shape: [0, -1] }, ['y']);
  b.output('y', [], 'float32');
  const x = randomFloats(24, 5);
  const s = await InferenceSession.create(b.build());
  const y = (await s.run({ x: new Tensor('float32', x, [3, 4, 2]) })).y;
  assert.deepEqual([...y.dims], [3, 8]);
  assert.deepEqual(Array.from(y.data as Float32Array), Array.from(x));
  await s.release();
});

test('Reshape binds a runtime shape from the feed (recompiling when it changes) and rejects a bad -1', async () => {
  const b = new ModelBuilder();
  b.input('x', [2, 6]);
  b.input('s', [2], 'int64');
  b.node('Reshape', ['x', 's'], {}, ['y']);
  b.output('y', [], 'float32');
  const s = await InferenceSession.create(b.build());
  const x = new Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i), [2, 6]);
  for (const shape of [[3, 4], [4, -1], [3, 4]]) {
    const out = await s.run({ x, s: new Tensor('int64', BigInt64Array.from(shape.map(BigInt)), [2]) });
    assert.deepEqual(out.y.dims, shape[1] === -1 ? [4, 3] : shape);
    assert.deepEqual([...out.y.data], [...x.data]);
  }
  await s.release();
  const b2 = new ModelBuilder();
  b2.input('x', [2, 6]);
  b2.init('s', { dtype: 'int64', dims: [2], data: [5, -1] });
  b2.node('Reshape', ['x', 's'], {}, ['y']);
  b2.output('y', [], 'float32');
  await assert.rejects(InferenceSession.create(b2.build()), ShapeError);
});

test('Flatten: default axis, 0, rank, negative', async () => {
  for (const axis of [undefined, 0, 2, 4, -1, -3]) {
    await opCase({ op: 'Flatten', attrs: axis === undefined ? {} : { axis }, args: [{ dims: [2, 3, 4, 5] }] });
  }
});

test('Squeeze: axes attribute (opset 11), axes input (opset 13), none, negative', async () => {
  await opCase({ op: 'Squeeze', opset: 11, attrs: { axes: [0, -1] }, args: [{ dims: [1, 3, 1, 4, 1] }] });
  await opCase({ op: 'Squeeze', args: [{ dims: [1, 3, 1, 4, 1] }, { dims: [2], dtype: 'int64', data: [-3, 0], constant: true }] });
  await opCase({ op: 'Squeeze', args: [{ dims: [1, 3, 1, 4, 1] }] });
  await opCase({ op: 'Squeeze', args: [{ dims: [1], dtype: 'int64' }], outs: ['int64'] });
});

test('Squeeze of a dim that is not 1 is a ShapeError', async () => {
  const b = new ModelBuilder(11);
  b.input('x', [2, 3]);
  b.node('Squeeze', ['x'], { axes: [1] }, ['y']);
  b.output('y', [], 'float32');
  await assert.rejects(InferenceSession.create(b.build()), ShapeError);
});

test('Unsqueeze: axes attribute (opset 11), axes input (opset 13), negative, 0-D input', async () => {
  await opCase({ op: 'Unsqueeze', opset: 11, attrs: { axes: [0, -1] }, args: [{ dims: [3, 4] }] });
  await opCase({ op: 'Unsqueeze', args: [{ dims: [3, 4] }, { dims: [3], dtype: 'int64', data: [4, 1, -5], constant: true }] });
  await opCase({ op: 'Unsqueeze', args: [{ dims: [], dtype: 'int64' }, { dims: [1], dtype: 'int64', data: [0], constant: true }], outs: ['int64'] });
});

test('Identity: float, int64 and bool', async () => {
  await opCase({ op: 'Identity', args: [{ dims: [2, 3] }] });
  await opCase({ op: 'Identity', args: [{ dims: [5], dtype: 'int64' }] });
  await opCase({ op: 'Identity', args: [{ dims: [4], dtype: 'bool' }] });
});

test('Dropout: inference output, all-true bool mask (opset 12+), the zero masks of opsets 7 and 10', async () => {
  await opCase({ op: 'Dropout', args: [{ dims: [2, 3, 5] }] });
  await opCase({ op: 'Dropout', args: [{ dims: [2, 3, 5] }], outs: ['float32', 'bool'] });
  await opCase({
    op: 'Dropout',
    args: [{ dims: [3, 7] }, { dims: [], data: [0.4], constant: true }, { dims: [], dtype: 'bool', data: [0], constant: true }],
    outs: ['float32', 'bool'],
  });
  await opCase({ op: 'Dropout', opset: 10, attrs: { ratio: 0.3 }, args: [{ dims: [3, 7] }], outs: ['float32', 'bool'] });
  await opCase({ op: 'Dropout', opset: 7, attrs: { ratio: 0.3 }, args: [{ dims: [3, 7] }], outs: ['float32', 'float32'] });
});

test('Dropout: the mask output costs one dispatch, output 0 none', async () => {
  const b = new ModelBuilder();
  b.input('x', [4, 4]);
  b.node('Dropout', ['x'], {}, ['y', 'mask']);
  b.output('y', [], 'float32');
  b.output('mask', [], 'bool');
  const s = await InferenceSession.create(b.build());
  assert.equal((await s.stats()).dispatches, 1);
  await s.release();
});

test('Dropout with training_mode=true is a ShapeError', async () => {
  const b = new ModelBuilder();
  b.input('x', [4]);
  b.init('t', { dtype: 'bool', dims: [], data: [1] });
  b.node('Dropout', ['x', '', 't'], {}, ['y']);
  b.output('y', [], 'float32');
  await assert.rejects(InferenceSession.create(b.build()), ShapeError);
});

// ---- copies ----

test('Transpose: rank 4 with perm, rank 2 and rank 3 default (reversed), int data', async () => {
  await opCase({ op: 'Transpose', attrs: { perm: [0, 2, 3, 1] }, args: [{ dims: [2, 3, 5, 7] }] });
  await opCase({ op: 'Transpose', attrs: { perm: [3, 1, 0, 2] }, args: [{ dims: [2, 3, 5, 7] }] });
  await opCase({ op: 'Transpose', args: [{ dims: [13, 9] }] });
  await opCase({ op: 'Transpose', args: [{ dims: [2, 3, 4], dtype: 'int64' }] });
  await opCase({ op: 'Transpose', attrs: { perm: [1, 0, 2] }, args: [{ dims: [1, 5, 6] }] });
  await opCase({ op: 'Transpose', args: [{ dims: [7] }] });
  await opCase({ op: 'Transpose', args: [{ dims: [] }] });
});

test('Concat: 3 inputs on axis 1 and 0, negative axis, int64 inputs, empty input', async () => {
  const three = (axis: number, dims: number[][]) => opCase({ op: 'Concat', attrs: { axis }, args: dims.map((d) => ({ dims: d })) });
  await three(1, [[2, 3, 4], [2, 1, 4], [2, 5, 4]]);
  await three(0, [[2, 3], [4, 3], [1, 3]]);
  await three(-1, [[2, 2, 3], [2, 2, 1], [2, 2, 2]]);
  await three(1, [[2, 0, 3], [2, 2, 3], [2, 1, 3]]);
  await opCase({ op: 'Concat', attrs: { axis: 0 }, args: [{ dims: [2], dtype: 'int64' }, { dims: [1], dtype: 'int64' }, { dims: [3], dtype: 'int64' }] });
  await opCase({ op: 'Concat', attrs: { axis: 0 }, args: [{ dims: [1, 2] }, { dims: [1, 2], constant: true }] });
});

test('Split: uneven split attribute (opset 11), split input (opset 13), equal, num_outputs (opset 18), negative axis', async () => {
  await opCase({ op: 'Split', opset: 11, attrs: { axis: 1, split: [1, 3, 2] }, args: [{ dims: [2, 6, 3] }], outs: ['float32', 'float32', 'float32'] });
  await opCase({ op: 'Split', args: [{ dims: [2, 7] }, { dims: [2], dtype: 'int64', data: [5, 2], constant: true }], attrs: { axis: -1 }, outs: ['float32', 'float32'] });
  await opCase({ op: 'Split', args: [{ dims: [6, 2] }], outs: ['float32', 'float32', 'float32'] });
  await opCase({ op: 'Split', opset: 18, attrs: { axis: 0, num_outputs: 3 }, args: [{ dims: [7, 2], dtype: 'int64' }], outs: ['int64', 'int64', 'int64'] });
});

test('Slice opset 9: starts/ends/axes attributes', async () => {
  await opCase({ op: 'Slice', opset: 9, attrs: { starts: [1, 0], ends: [3, -1], axes: [0, 2] }, args: [{ dims: [4, 3, 5] }] });
  await opCase({ op: 'Slice', opset: 9, attrs: { starts: [-2], ends: [1000] }, args: [{ dims: [5, 2] }] });
});

test('Slice opset 13: steps, negative steps, sentinels, negative axes and starts, empty result', async () => {
  const i64 = (v: (number | bigint)[]) => ({ dims: [v.length], dtype: 'int64' as const, data: v.map(Number), constant: true });
  const x = { dims: [4, 5, 6] };
  await opCase({ op: 'Slice', args: [x, i64([1, 0]), i64([4, 6]), i64([0, 2]), i64([2, 3])] });
  await opCase({ op: 'Slice', args: [x, i64([-1]), i64([-1000]), i64([-1]), i64([-2])] });
  await opCase({ op: 'Slice', args: [x, i64([3, 4]), i64([0, 0]), i64([1, 0]), i64([-1, -2])] });
  await opCase({ op: 'Slice', args: [x, i64([0]), i64([3]), null, null] });
  await opCase({ op: 'Slice', args: [x, i64([2]), i64([2]), i64([1]), null] });
  await opCase({ op: 'Slice', args: [{ dims: [7], dtype: 'int64' }, i64([1]), i64([-1]), null, null], outs: ['int64'] });
  // INT64_MAX / INT64_MIN sentinels, the way exporters write "to the end" / "to the beginning".
  const b = new ModelBuilder(13);
  b.input('x', [3, 8]);
  const big = (n: string, v: bigint[]) => b.init(n, { dtype: 'int64', dims: [v.length], data: v });
  big('s', [0n, I64_MAX]);
  big('e', [I64_MAX, I64_MIN]);
  big('a', [0n, 1n]);
  big('p', [1n, -3n]);
  b.node('Slice', ['x', 's', 'e', 'a', 'p'], {}, ['y']);
  b.output('y', [], 'float32');
  await compare(b.build(), { x: new Tensor('float32', randomFloats(24, 9), [3, 8]) });
});

test('Pad: constant, reflect, edge on every side; opset 2 attribute form; opset 18 axes; cropping', async () => {
  const i64 = (v: number[]) => ({ dims: [v.length], dtype: 'int64' as const, data: v, constant: true });
  const x = { dims: [2, 3, 4, 5] };
  for (const mode of ['constant', 'reflect', 'edge']) {
    await opCase({ op: 'Pad', attrs: { mode }, args: [x, i64([0, 1, 2, 3, 1, 0, 3, 2])] });
  }
  await opCase({ op: 'Pad', args: [x, i64([0, 0, 1, 1, 0, 0, 2, 3]), { dims: [], data: [2.5], constant: true }] });
  await opCase({ op: 'Pad', attrs: { mode: 'constant' }, args: [{ dims: [3, 4], dtype: 'int64' }, i64([1, 2, 2, 1]), { dims: [], dtype: 'int64', data: [-7], constant: true }] });
  await opCase({ op: 'Pad', attrs: { mode: 'reflect' }, args: [{ dims: [6] }, i64([5, 4])] });
  await opCase({ op: 'Pad', args: [x, i64([0, -1, 1, -2, 0, 0, -1, 1])] });
  await opCase({ op: 'Pad', opset: 2, attrs: { pads: [1, 2, 0, 2], mode: 'constant', value: 1.5 }, args: [{ dims: [3, 4] }] });
  await opCase({ op: 'Pad', opset: 2, attrs: { pads: [1, 2, 2, 1], mode: 'reflect' }, args: [{ dims: [3, 4] }] });
  await opCase({ op: 'Pad', opset: 2, attrs: { pads: [2, 0, 1, 3], mode: 'edge' }, args: [{ dims: [3, 4] }] });
  await opCase({ op: 'Pad', opset: 18, attrs: { mode: 'edge' }, args: [x, i64([1, 2, 2, 1]), null, i64([-1, 1])] });
});

test('Pad: wrap mode (opset 19)', async () => {
  const i64 = (v: number[]) => ({ dims: [v.length], dtype: 'int64' as const, data: v, constant: true });
  await opCase({ op: 'Pad', opset: 19, attrs: { mode: 'wrap' }, args: [{ dims: [2, 3, 4] }, i64([0, 2, 3, 0, 1, 2])] });
});

test('Gather: runtime int64 indices, constant indices, negative indices, axes, 0-D index, int data', async () => {
  await opCase({ op: 'Gather', attrs: { axis: 1 }, args: [{ dims: [3, 5, 4] }, { dims: [2, 3], dtype: 'int64', data: [0, 4, -1, 2, -5, 1] }] });
  await opCase({ op: 'Gather', args: [{ dims: [5, 4] }, { dims: [4], dtype: 'int64', data: [4, 0, -2, 1], constant: true }] });
  await opCase({ op: 'Gather', attrs: { axis: -1 }, args: [{ dims: [2, 3, 6] }, { dims: [], dtype: 'int64', data: [-2] }] });
  await opCase({ op: 'Gather', attrs: { axis: 0 }, args: [{ dims: [4], dtype: 'int64' }, { dims: [], dtype: 'int64', data: [3] }], outs: ['int64'] });
  await opCase({ op: 'Gather', attrs: { axis: 2 }, args: [{ dims: [2, 3, 4] }, { dims: [3], dtype: 'int32', data: [3, 3, 0] }] });
});

test('Expand: broadcast from a shape input, both directions', async () => {
  const i64 = (v: number[]) => ({ dims: [v.length], dtype: 'int64' as const, data: v, constant: true });
  await opCase({ op: 'Expand', args: [{ dims: [3, 1] }, i64([2, 3, 4])] });
  await opCase({ op: 'Expand', args: [{ dims: [1, 4, 1] }, i64([3, 1, 5])] });
  await opCase({ op: 'Expand', args: [{ dims: [2], dtype: 'int64' }, i64([3, 1])], outs: ['int64'] });
  await opCase({ op: 'Expand', args: [{ dims: [] }, i64([2, 3])] });
});

// ---- shapes and constants ----

test('Shape and Size fold from static shapes; Shape start/end (opset 15)', async () => {
  await opCase({ op: 'Shape', args: [{ dims: [2, 3, 4, 5] }], outs: ['int64'] });
  await opCase({ op: 'Shape', opset: 15, attrs: { start: 1, end: -1 }, args: [{ dims: [2, 3, 4, 5] }], outs: ['int64'] });
  await opCase({ op: 'Shape', opset: 15, attrs: { start: -2 }, args: [{ dims: [2, 3, 4, 5] }], outs: ['int64'] });
  await opCase({ op: 'Size', args: [{ dims: [2, 3, 4] }], outs: ['int64'] });
  const b = new ModelBuilder();
  b.input('x', [2, 3]);
  b.node('Shape', ['x'], {}, ['y']);
  b.output('y', [], 'int64');
  await compare(b.build(), { x: new Tensor('float32', randomFloats(6, 3), [2, 3]) }, async (s) => {
    assert.equal((await s.graph()).nodes.length, 0);
  });
});

test('Constant: value tensor and the value_float(s) / value_int(s) forms', async () => {
  const forms: [Record<string, AttrInput>, DT][] = [
    [{ value: { tensor: { dtype: 'float32', dims: [2, 2], data: [1, -2, 3.5, 4] } } }, 'float32'],
    [{ value: { tensor: { dtype: 'int64', dims: [3], data: [7, -8, 9] } } }, 'int64'],
    [{ value: { tensor: { dtype: 'bool', dims: [], data: [1] } } }, 'bool'],
    [{ value_float: { float: 2 } }, 'float32'],
    [{ value_floats: { floats: [1, 2.5, -3] } }, 'float32'],
    [{ value_int: 5 }, 'int64'],
    [{ value_ints: [3, -1, 4] }, 'int64'],
  ];
  for (const [attrs, dt] of forms) await opCase({ op: 'Constant', attrs, args: [], outs: [dt], modes: 'folded' });
});

test('ConstantOfShape: default float 0, int64 value', async () => {
  const i64 = (v: number[]) => ({ dims: [v.length], dtype: 'int64' as const, data: v });
  await opCase({ op: 'ConstantOfShape', args: [i64([2, 3])], outs: ['float32'], modes: 'folded' });
  await opCase({ op: 'ConstantOfShape', attrs: { value: { tensor: { dtype: 'int64', dims: [1], data: [7] } } }, args: [i64([4])], outs: ['int64'], modes: 'folded' });
  await opCase({ op: 'ConstantOfShape', attrs: { value: { tensor: { dtype: 'float32', dims: [1], data: [1.5] } } }, args: [i64([])], outs: ['float32'], modes: 'folded' });
});

test('Range: float and int64, negative delta, empty', async () => {
  const s = (dtype: DT, v: number) => ({ dims: [], dtype, data: [v] });
  await opCase({ op: 'Range', args: [s('float32', 0.5), s('float32', 3.7), s('float32', 0.4)], modes: 'folded' });
  await opCase({ op: 'Range', args: [s('int64', 10), s('int64', -3), s('int64', -4)], modes: 'folded' });
  await opCase({ op: 'Range', args: [s('int64', 3), s('int64', 1), s('int64', 1)], modes: 'folded' });
});

test('Cast: float32 -> int32/int64/bool and back, int64 -> float32, bool -> int64', async () => {
  const TO = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
  // Fractions of both signs (truncation toward zero), exact zeros (bool false).
  const fl = Array.from(randomFloats(24, 11), (v, i) => (i % 5 === 0 ? 0 : v * 20));
  for (const to of ['int32', 'int64', 'bool', 'float32'] as const) {
    await opCase({ op: 'Cast', attrs: { to: TO[to] }, args: [{ dims: [4, 6], data: fl }], outs: [to] });
  }
  for (const from of ['int64', 'int32', 'bool'] as const) {
    for (const to of ['float32', 'int64', 'bool'] as const) {
      await opCase({ op: 'Cast', attrs: { to: TO[to] }, args: [{ dims: [3, 5], dtype: from }], outs: [to], seed: 3 });
    }
  }
});

test('Cast opset 1: `to` as a type name', async () => {
  // onnxruntime does not run Cast before opset 6; truncation toward zero is checked directly.
  const b = new ModelBuilder(5);
  b.input('x', [4]);
  b.node('Cast', ['x'], { to: 'INT32' }, ['y']);
  b.output('y', [], 'int32');
  const s = await InferenceSession.create(b.build());
  const y = (await s.run({ x: new Tensor('float32', new Float32Array([-2.7, -0.5, 0.5, 3.9]), [4]) })).y;
  assert.equal(y.type, 'int32');
  assert.deepEqual(Array.from(y.data as Int32Array), [-2, 0, 0, 3]);
  await s.release();
});

test('Cast to uint8 and int8 wraps like a C cast', async () => {
  const data = [-300, -129, -128, -1, 0, 1, 127, 128, 255, 256, 300, 1000];
  // The test builder has no uint8/int8 value types, so the expectation is JavaScript's typed-array
  // conversion, which wraps modulo 2^8 exactly like the C cast onnxruntime performs.
  for (const [to, code] of [['uint8', 2], ['int8', 3]] as const) {
    const b = new ModelBuilder();
    b.input('x', [12], 'int32');
    b.node('Cast', ['x'], { to: code }, ['y']);
    b.output('y', [], 'int32');
    const s = await InferenceSession.create(b.build());
    const y = (await s.run({ x: new Tensor('int32', Int32Array.from(data), [12]) })).y;
    const want = Array.from(to === 'uint8' ? Uint8Array.from(data) : Int8Array.from(data));
    assert.deepEqual(Array.from(y.data as ArrayLike<number>), want);
    await s.release();
  }
});

// ---- folding ----

test('PyTorch shape chain Shape→Gather→Unsqueeze→Concat→Reshape folds, leaving only the Reshape', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3, 4, 5]);
  b.init('i0', { dtype: 'int64', dims: [], data: [0] });
  b.init('ax', { dtype: 'int64', dims: [1], data: [0] });
  b.init('rest', { dtype: 'int64', dims: [1], data: [-1] });
  const [shape] = b.node('Shape', ['x']);
  const [n] = b.node('Gather', [shape, 'i0'], { axis: 0 });
  const [n1] = b.node('Unsqueeze', [n, 'ax']);
  const [target] = b.node('Concat', [n1, 'rest'], { axis: 0 });
  b.node('Reshape', ['x', target], {}, ['y']);
  b.output('y', [], 'float32');
  await compare(b.build(), { x: new Tensor('float32', randomFloats(120, 21), [2, 3, 4, 5]) }, async (s) => {
    const g = await s.graph();
    assert.deepEqual(g.nodes.map((x) => x.opType), ['Reshape']);
    assert.equal((await s.stats()).dispatches, 0);
  });
});
