// Untrusted models: a bounded run of the model fuzzer (tests/util/fuzz.ts; `npm run fuzz` runs
// thousands of cases), and targeted hostile files — enormous declared or computed tensors,
// initializers that claim more data than they carry, deep nesting, long reversed chains, cycles,
// and attributes that try to reach the WGSL text. Every one must end in a typed error (or a
// correct run), quickly and before anything of the claimed size is allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { onnx } from '../loaders/onnx/proto.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { sortTopologically } from '../runtime/passes/sort-topologically.js';
import { Fuzzer, tally, type CaseResult } from './util/fuzz.js';
import {
  FoveaError,
  GraphError,
  InferenceSession,
  InputError,
  LimitError,
  ModelLoadError,
  ShapeError,
  Tensor,
  registeredOps,
} from '../runtime/index.node.js';

const CASES = 300;
const SEED = 20240611;

test(`fuzz: ${CASES} mutated models end in a typed error or a correct run`, async (t) => {
  const fuzzer = await Fuzzer.create({ timeoutMs: 20000 });
  const results: CaseResult[] = [];
  try {
    for (let i = 0; i < CASES; i++) results.push(await fuzzer.runCase(fuzzer.makeCase(SEED, i)));
  } finally {
    fuzzer.dispose();
  }
  const counts = tally(results);
  t.diagnostic(`seeds: ${fuzzer.seeds.map((s) => s.name).join(', ')}`);
  for (const [k, n] of counts) t.diagnostic(`${String(n).padStart(4)}  ${k}`);
  const failures = results.filter((r) => r.failure);
  assert.equal(
    failures.length,
    0,
    failures.map((r) => `#${r.case.index} ${r.case.seed} [${r.case.mutations.join(' + ')}]: ${r.outcome}: ${r.failure}`).join('\n'),
  );
  // The mutations must reach every stage, not just the protobuf decoder.
  const count = (prefix: string) => results.filter((r) => r.outcome.startsWith(prefix)).length;
  assert.ok(count('create: ModelLoadError') > 0, 'some cases fail to decode');
  assert.ok(count('create: ShapeError') + count('create: GraphError') > 0, 'some cases fail in the passes');
  assert.ok(count('ran: matches onnxruntime') >= 10, 'some mutants run and are checked against onnxruntime');
});

function model(build: (b: ModelBuilder) => void, opset = 13): Uint8Array {
  const b = new ModelBuilder(opset);
  build(b);
  return b.build();
}

/** Asserts that `p` rejects with `type` within `ms`, and returns the error. */
async function rejectsFast<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E, ms: number, what: string): Promise<E> {
  const t0 = performance.now();
  const err = await p.then(
    () => assert.fail(`${what}: expected ${type.name}, the call succeeded`),
    (e: unknown) => e,
  );
  const took = performance.now() - t0;
  assert.ok(err instanceof type, `${what}: expected ${type.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  assert.ok(took < ms, `${what}: took ${took.toFixed(0)} ms (limit ${ms} ms)`);
  return err as E;
}

test('huge declared input dims are refused at create with a LimitError naming the input', async () => {
  const bytes = model((b) => {
    b.input('image', [1, 3, 100000, 100000]);
    b.node('Relu', ['image'], {}, ['y']);
    b.output('y', [1, 3, 100000, 100000]);
  });
  const err = await rejectsFast(InferenceSession.create(bytes), LimitError, 2000, 'declared [1,3,100000,100000]');
  assert.match(err.message, /input "image"/);
  assert.match(err.message, /120000000000 bytes/);
  assert.deepEqual(err.shapes?.['input "image"'], [1, 3, 100000, 100000]);

  // A free batch dim does not hide the rest: refused at load, before the first feed.
  const free = model((b) => {
    b.input('image', ['N', 3, 100000, 100000]);
    b.node('Relu', ['image'], {}, ['y']);
    b.output('y', ['N', 3, 100000, 100000]);
  });
  await rejectsFast(InferenceSession.create(free), LimitError, 2000, 'declared [N,3,100000,100000]');

  // Dims beyond 2^53 are not integers JavaScript can hold: invalid, not rounded.
  const m = onnx.ModelProto.decode(bytes);
  m.graph!.input![0].type!.tensorType!.shape!.dim![2].dimValue = 2 ** 62;
  m.graph!.input![0].type!.tensorType!.shape!.dim![3].dimValue = 2 ** 62;
  await rejectsFast(InferenceSession.create(onnx.ModelProto.encode(m).finish()), FoveaError, 2000, 'declared 2^62 dims');
});

test('maxMemoryBytes bounds declared, bound and planned sizes', async () => {
  const fixed = model((b) => {
    b.input('x', [1, 3, 64, 64]); // 48 KiB
    b.node('Relu', ['x'], {}, ['y']);
    b.output('y', [1, 3, 64, 64]);
  });
  await rejectsFast(InferenceSession.create(fixed, { maxMemoryBytes: 16 * 1024 }), LimitError, 2000, 'input above maxMemoryBytes');
  // Input and output fit one by one (48 KiB each) but not together.
  const err = await rejectsFast(InferenceSession.create(fixed, { maxMemoryBytes: 64 * 1024 }), LimitError, 5000, 'plan above maxMemoryBytes');
  assert.match(err.message, /activations/);
  const s = await InferenceSession.create(fixed, { maxMemoryBytes: 128 * 1024 });
  await s.release();

  // A free dim is checked when the first feed binds it.
  const dynamic = model((b) => {
    b.input('x', ['N', 4]);
    b.node('Relu', ['x'], {}, ['y']);
    b.output('y', ['N', 4]);
  });
  const d = await InferenceSession.create(dynamic, { maxMemoryBytes: 1024 });
  await rejectsFast(d.run({ x: new Tensor('float32', new Float32Array(4000), [1000, 4]) }), LimitError, 2000, 'feed above maxMemoryBytes');
  const ok = await d.run({ x: new Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 4]) });
  assert.deepEqual([...(ok.y.data as Float32Array)], [0, 2, 0, 4]);
  await d.release();

  for (const bad of [0, -1, NaN, '1GB']) {
    await assert.rejects(InferenceSession.create(fixed, { maxMemoryBytes: bad as number }), InputError, `maxMemoryBytes ${bad}`);
  }
});

test('a computed tensor above the limit is refused before it is folded or allocated, naming the node', async () => {
  const have = new Set(registeredOps());
  const cases: [string, Uint8Array][] = [
    ['ConstantOfShape', model((b) => {
      b.input('x', [2]);
      b.init('shape', { dtype: 'int64', dims: [2], data: [100000, 100000] });
      b.node('ConstantOfShape', ['shape'], {}, ['big']);
      b.node('Add', ['x', 'big'], {}, ['y']);
      b.output('y');
    })],
    ['Expand', model((b) => {
      b.input('x', [1, 1]);
      b.init('shape', { dtype: 'int64', dims: [2], data: [65536, 65536] });
      b.node('Expand', ['x', 'shape'], {}, ['y']);
      b.output('y');
    })],
    ['Range', model((b) => {
      b.input('x', [1]);
      b.init('a', { dtype: 'float32', dims: [], data: [0] });
      b.init('z', { dtype: 'float32', dims: [], data: [3e9] });
      b.init('d', { dtype: 'float32', dims: [], data: [1] });
      b.node('Range', ['a', 'z', 'd'], {}, ['r']);
      b.node('Add', ['x', 'r'], {}, ['y']);
      b.output('y');
    })],
    ['Pad', model((b) => {
      b.input('x', [1, 1, 2, 2]);
      b.init('pads', { dtype: 'int64', dims: [8], data: [0, 0, 50000, 50000, 0, 0, 50000, 50000] });
      b.node('Pad', ['x', 'pads'], {}, ['y']);
      b.output('y');
    })],
  ];
  for (const [op, bytes] of cases) {
    if (!have.has(op)) continue;
    const err = await rejectsFast(InferenceSession.create(bytes), LimitError, 3000, op);
    assert.equal(err.op, op, `${op}: the error names the op`);
    assert.ok(err.node, `${op}: the error names the node`);
    assert.ok(err.shapes && Object.values(err.shapes).some((s) => s && s.length), `${op}: the error gives the shape`);
  }
});

test('an initializer that claims more data than it carries is refused without allocating its claim', async () => {
  const bytes = model((b) => {
    b.input('x', [4]);
    b.init('w', { dtype: 'float32', dims: [4], data: [1, 2, 3, 4] });
    b.node('Add', ['x', 'w'], {}, ['y']);
    b.output('y', [4]);
  });
  const m = onnx.ModelProto.decode(bytes);
  m.graph!.initializer![0].dims = [2 ** 31]; // 8 GiB claimed, 16 bytes present
  const before = process.memoryUsage().arrayBuffers;
  const err = await rejectsFast(InferenceSession.create(onnx.ModelProto.encode(m).finish()), ModelLoadError, 2000, 'short initializer');
  assert.match(err.message, /16 bytes of data/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, 'nothing of the claimed size was allocated');
  for (const dims of [[-1], [2 ** 40], [3, 2 ** 31]]) {
    m.graph!.initializer![0].dims = dims;
    await rejectsFast(InferenceSession.create(onnx.ModelProto.encode(m).finish()), ModelLoadError, 2000, `dims [${dims}]`);
  }
});

test('deeply nested messages and garbage end in ModelLoadError', async () => {
  // TypeProto.sequence_type nested 100000 deep inside a graph input.
  const depth = 100000;
  const varint = (v: number) => {
    const out: number[] = [];
    do {
      out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>>= 7;
    } while (v);
    return out;
  };
  let size = 4; // [0x0a, 0x02, 0x08, 0x01]: tensor_type { elem_type: 1 }
  const heads: number[][] = [];
  for (let i = 0; i < depth; i++) {
    const seq = [0x0a, ...varint(size)];
    const type = [0x22, ...varint(seq.length + size)];
    heads.push([...type, ...seq]);
    size += seq.length + type.length;
  }
  const t = Uint8Array.from([...heads.reverse().flat(), 0x0a, 0x02, 0x08, 0x01]);
  const name = [0x0a, 0x01, 0x78]; // name "x"
  const vi = Uint8Array.from([...name, 0x12, ...varint(t.length), ...t]);
  const graph = Uint8Array.from([0x5a, ...varint(vi.length), ...vi]); // GraphProto.input = 11
  const bytes = Uint8Array.from([0x3a, ...varint(graph.length), ...graph]); // ModelProto.graph = 7
  await rejectsFast(InferenceSession.create(bytes), ModelLoadError, 5000, 'nesting 100000 deep');
  // A length prefix far beyond the end of the file.
  await rejectsFast(InferenceSession.create(Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01])), ModelLoadError, 1000, 'huge length');
});

test('a long chain in reverse order sorts in linear-ish time; cycles and dangling names are GraphErrors', async () => {
  const n = 20000;
  const b = new ModelBuilder();
  b.input('x', [2]);
  for (let i = n - 1; i >= 0; i--) b.node('Relu', [i === 0 ? 'x' : `v${i - 1}`], {}, [i === n - 1 ? 'y' : `v${i}`]);
  b.output('y', [2]);
  const g = await decodeModel(b.build());
  const t0 = performance.now();
  const sorted = sortTopologically(g);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `sorting ${n} reversed nodes took ${ms.toFixed(0)} ms`);
  assert.deepEqual(sorted.nodes.slice(0, 3).map((x) => x.outputs[0]), ['v0', 'v1', 'v2']);
  // An already sorted graph keeps its order.
  assert.deepEqual(sortTopologically(sorted).nodes.map((x) => x.name), sorted.nodes.map((x) => x.name));

  const cyclic = model((m) => {
    m.input('x', [2]);
    m.node('Add', ['x', 'c'], {}, ['a']);
    m.node('Relu', ['a'], {}, ['c']);
    m.node('Relu', ['c'], {}, ['y']);
    m.output('y', [2]);
  });
  const e1 = await rejectsFast(InferenceSession.create(cyclic), GraphError, 2000, 'cycle');
  assert.match(e1.message, /cycle/);
  const dangling = model((m) => {
    m.input('x', [2]);
    m.node('Add', ['x', 'ghost'], {}, ['a']);
    m.node('Relu', ['a'], {}, ['y']);
    m.output('y', [2]);
  });
  const e2 = await rejectsFast(InferenceSession.create(dangling), GraphError, 2000, 'dangling');
  assert.match(e2.message, /"ghost" is never produced/);
});

test('fused-epilogue attributes from the file cannot put text into WGSL', async () => {
  if (!registeredOps().includes('Conv')) return;
  const conv = (attrs: Record<string, string | number | number[]>) =>
    model((b) => {
      b.input('x', [1, 1, 4, 4]);
      b.init('w', { dtype: 'float32', dims: [1, 1, 3, 3], data: new Float32Array(9).fill(0.5) });
      b.node('Conv', ['x', 'w'], attrs, ['y']);
      b.output('y');
    });
  for (const evil of ['v; } fn evil() { loop { } } fn f() { let a = v', 'max(v, 0.0)', 'Relu ']) {
    await rejectsFast(InferenceSession.create(conv({ 'fovea.activation': evil })), ShapeError, 5000, `fovea.activation "${evil}"`);
  }
  await rejectsFast(InferenceSession.create(conv({ 'fovea.activation': 'Clip', 'fovea.activation_params': [1] })), ShapeError, 5000, 'wrong parameter count');
});

test('a negative declared dim is an unknown dim, bound by the first feed', async () => {
  const bytes = model((b) => {
    b.input('x', [2, 3]);
    b.node('Relu', ['x'], {}, ['y']);
    b.output('y', [2, 3]);
  });
  const m = onnx.ModelProto.decode(bytes);
  m.graph!.input![0].type!.tensorType!.shape!.dim![1].dimValue = -1;
  const s = await InferenceSession.create(onnx.ModelProto.encode(m).finish());
  assert.equal(typeof s.inputMetadata[0].dims[1], 'string');
  const out = await s.run({ x: new Tensor('float32', new Float32Array([-1, 1, -2, 2]), [2, 2]) });
  assert.deepEqual([...(out.y.data as Float32Array)], [0, 1, 0, 2]);
  await s.release();
});
