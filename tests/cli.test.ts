// The fovea CLI: .npy reading/writing (against numpy itself), `fovea run` against
// onnxruntime-node, `fovea info` arithmetic checked by hand, errors and help, and the real bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO } from '../runtime/cli/main.js';
import { readNpy, writeNpy, parsePyLiteral } from '../runtime/cli/npy.js';
import { outputFileNames } from '../runtime/cli/run.js';
import { modelStats } from '../runtime/cli/model-stats.js';
import type { Graph, HostTensor, Node, ValueInfo } from '../runtime/ir/types.js';
import { InferenceSession, Tensor, registeredOps } from '../runtime/index.node.js';
import { ModelBuilder } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { runReference, assertClose } from './util/reference.js';

const root = resolve(import.meta.dirname, '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'fovea-cli-'));

/** Calls main() with captured output. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function python(script: string, cwd: string): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
const hasNumpy = python('import numpy', '/').ok;

// ---------------------------------------------------------------------------------------------
// .npy

test('npy: round trip of every written dtype, header padded to 64 bytes', () => {
  const cases: Tensor[] = [
    new Tensor('float32', new Float32Array([1.5, -2, 3.25, Number.POSITIVE_INFINITY, -0, 7]), [2, 3]),
    new Tensor('int64', new BigInt64Array([-(2n ** 40n), 0n, 5n, 2n ** 62n]), [4]),
    new Tensor('int32', new Int32Array([-2147483648, 2147483647, 0]), [3, 1]),
    new Tensor('bool', new Uint8Array([1, 0, 1, 1]), [2, 2]),
    new Tensor('uint8', new Uint8Array([0, 255, 128]), [1, 3]),
    new Tensor('int8', new Int8Array([-128, 127]), [2]),
    new Tensor('float32', new Float32Array([42]), []), // 0-d
    new Tensor('float32', new Float32Array(0), [2, 0, 3]), // empty
    new Tensor('float32', randomFloats(2 * 3 * 4 * 5, 7), [2, 3, 4, 5]),
  ];
  for (const t of cases) {
    const bytes = writeNpy(t);
    const headerLen = bytes[8] | (bytes[9] << 8);
    assert.equal(bytes[6], 1, 'version 1.0');
    assert.equal((10 + headerLen) % 64, 0, `data offset ${10 + headerLen} is 64-aligned`);
    assert.equal(bytes[10 + headerLen - 1], 0x0a, 'header ends in a newline');
    const back = readNpy(bytes);
    assert.equal(back.tensor.type, t.type);
    assert.deepEqual([...back.tensor.dims], [...t.dims]);
    assert.deepEqual(Array.from(back.tensor.data as ArrayLike<number | bigint>), Array.from(t.data as ArrayLike<number | bigint>));
  }
  // The 1-D shape is written as a one-element tuple, the 0-d one as ().
  const header = (t: Tensor) => new TextDecoder().decode(writeNpy(t).subarray(10, 80));
  assert.match(header(new Tensor('float32', new Float32Array(3), [3])), /'shape': \(3,\)/);
  assert.match(header(new Tensor('float32', new Float32Array(1), [])), /'shape': \(\)/);
});

test('npy: the header parser reads the Python literals numpy writes', () => {
  const d = parsePyLiteral(`{'descr': '<f4', "fortran_order": False, 'shape': (2, 3,), 'x': [True, None, -1], }  `) as Map<string, unknown>;
  assert.equal(d.get('descr'), '<f4');
  assert.equal(d.get('fortran_order'), false);
  assert.deepEqual(d.get('shape'), [2, 3]);
  assert.deepEqual(d.get('x'), [true, null, -1]);
  assert.throws(() => parsePyLiteral(`{'descr': '<f4'`), /expected/);
  assert.throws(() => parsePyLiteral(`{'a': 1} junk`), /trailing/);
});

test('npy: files written by numpy (versions 1.0, 2.0, 3.0, every read dtype) and numpy reads ours', { skip: !hasNumpy && 'python3-numpy is not installed' }, () => {
  const dir = tmp();
  const gen = python(
    `
import numpy as np
from numpy.lib import format as F
np.save('f4.npy', (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10) / 4)
np.save('f8.npy', np.array([[0.1, -1e-3], [3.0, 1e30]], dtype=np.float64))
np.save('i8.npy', np.array([-5, 0, 2**40], dtype=np.int64))
np.save('i4.npy', np.array([[-7], [9]], dtype=np.int32))
np.save('b1.npy', np.array([True, False, True]))
np.save('u1.npy', np.array([0, 200, 255], dtype=np.uint8))
np.save('scalar.npy', np.float32(2.5))
np.save('fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
np.save('big.npy', np.ones(3, dtype='>f4'))
np.save('c16.npy', np.ones(3, dtype=np.complex64))
for v in (2, 3):
    with open('v%d.npy' % v, 'wb') as f:
        F.write_array(f, np.arange(6, dtype=np.float32).reshape(3, 2), version=(v, 0))
`,
    dir,
  );
  assert.ok(gen.ok, gen.stderr);
  const read = (f: string) => readNpy(new Uint8Array(readFileSync(join(dir, f))), f);

  const f4 = read('f4.npy');
  assert.equal(f4.descr, '<f4');
  assert.deepEqual(f4.shape, [2, 3, 4]);
  assert.deepEqual([...f4.tensor.data as Float32Array], Array.from({ length: 24 }, (_, i) => (i - 10) / 4));
  const f8 = read('f8.npy');
  assert.equal(f8.tensor.type, 'float32');
  assert.deepEqual([...f8.tensor.data as Float32Array], [0.1, -1e-3, 3.0, 1e30].map(Math.fround));
  assert.deepEqual([...read('i8.npy').tensor.data as BigInt64Array], [-5n, 0n, 2n ** 40n]);
  const i4 = read('i4.npy');
  assert.equal(i4.tensor.type, 'int32');
  assert.deepEqual([...i4.tensor.dims], [2, 1]);
  assert.deepEqual([...i4.tensor.data as Int32Array], [-7, 9]);
  const b1 = read('b1.npy');
  assert.equal(b1.descr, '|b1');
  assert.equal(b1.tensor.type, 'bool');
  assert.deepEqual([...b1.tensor.data as Uint8Array], [1, 0, 1]);
  assert.deepEqual([...read('u1.npy').tensor.data as Uint8Array], [0, 200, 255]);
  const scalar = read('scalar.npy');
  assert.deepEqual(scalar.shape, []);
  assert.deepEqual([...scalar.tensor.data as Float32Array], [2.5]);
  for (const v of [2, 3]) {
    const a = read(`v${v}.npy`);
    assert.deepEqual(a.version, [v, 0]);
    assert.deepEqual(a.shape, [3, 2]);
    assert.deepEqual([...a.tensor.data as Float32Array], [0, 1, 2, 3, 4, 5]);
  }
  assert.throws(() => read('fortran.npy'), /Fortran-order arrays are not supported/);
  assert.throws(() => read('big.npy'), /big-endian data \(>f4\) is not supported/);
  assert.throws(() => read('c16.npy'), /unsupported dtype <c8/);

  // numpy loads what we write, values and dtypes intact.
  writeFileSync(join(dir, 'ours-f4.npy'), writeNpy(new Tensor('float32', new Float32Array([1, -2.5, 3e-8, 4, 5, 6]), [3, 2])));
  writeFileSync(join(dir, 'ours-i8.npy'), writeNpy(new Tensor('int64', new BigInt64Array([-(2n ** 50n), 7n]), [2])));
  writeFileSync(join(dir, 'ours-b1.npy'), writeNpy(new Tensor('bool', new Uint8Array([0, 1]), [1, 2])));
  const check = python(
    `
import numpy as np
a = np.load('ours-f4.npy'); assert a.dtype == np.float32 and a.shape == (3, 2), (a.dtype, a.shape)
assert (a == np.array([[1, -2.5], [np.float32(3e-8), 4], [5, 6]], dtype=np.float32)).all(), a
b = np.load('ours-i8.npy'); assert b.dtype == np.int64 and list(b) == [-(2**50), 7], b
c = np.load('ours-b1.npy'); assert c.dtype == np.bool_ and c.tolist() == [[False, True]], c
print('ok')
`,
    dir,
  );
  assert.ok(check.ok, check.stderr);
  assert.equal(check.stdout.trim(), 'ok');
});

test('npy: malformed files give one clear error each', () => {
  const good = writeNpy(new Tensor('float32', new Float32Array([1, 2, 3]), [3]));
  assert.throws(() => readNpy(new TextEncoder().encode('not an npy file at all'), 'x.npy'), /x\.npy is not a \.npy file \(bad magic\)/);
  assert.throws(() => readNpy(good.subarray(0, good.length - 2), 'x.npy'), /needs 12 bytes of data, the file has 10.*truncated/);
  assert.throws(() => readNpy(good.subarray(0, 40), 'x.npy'), /truncated \.npy header/);
  const v9 = good.slice();
  v9[6] = 9;
  assert.throws(() => readNpy(v9, 'x.npy'), /unsupported \.npy format version 9\.0/);
});

test('output names are sanitised into distinct file names', () => {
  const m = outputFileNames(['y', '/model/conv/Conv_output_0', 'out:0', 'out/0', '..', '', 'Y']);
  assert.deepEqual([...m.values()], ['y.npy', '_model_conv_Conv_output_0.npy', 'out_0.npy', 'out_0_2.npy', '_.npy', 'output.npy', 'Y_2.npy']);
});

// ---------------------------------------------------------------------------------------------
// fovea run

const hasConv = registeredOps().includes('Conv');

test('fovea run: a conv/relu model with two outputs matches onnxruntime-node', async () => {
  const dir = tmp();
  const b = new ModelBuilder();
  const xShape = [2, 3, 7, 6];
  b.input('x', xShape);
  // Two outputs with names that need sanitising: the conv's (a Relu's while Conv is not
  // registered) and the Relu after it.
  let outShape = xShape;
  if (hasConv) {
    b.init('W', { dtype: 'float32', dims: [4, 3, 3, 3], data: randomFloats(108, 11) });
    b.init('B', { dtype: 'float32', dims: [4], data: randomFloats(4, 12) });
    b.node('Conv', ['x', 'W', 'B'], { pads: [1, 1, 1, 1], strides: [2, 1] }, ['conv/out:0']);
    outShape = [2, 4, 4, 6];
  } else {
    b.node('Relu', ['x'], {}, ['conv/out:0']);
  }
  b.node('Relu', ['conv/out:0'], {}, ['relu/out:0']);
  b.output('relu/out:0', outShape);
  b.output('conv/out:0', outShape);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  const x = new Tensor('float32', randomFloats(xShape.reduce((a, c) => a * c), 13, -2, 2), xShape);
  writeFileSync(join(dir, 'x.npy'), writeNpy(x));

  const out = join(dir, 'out');
  const r = await cli('run', join(dir, 'm.onnx'), '--input', `x=${join(dir, 'x.npy')}`, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /relu\/out:0  float32  \[/);

  const want = await runReference(b.build(), { x });
  const files = { 'relu/out:0': 'relu_out_0.npy', 'conv/out:0': 'conv_out_0.npy' };
  assert.deepEqual(readdirSync(out).sort(), Object.values(files).sort());
  for (const [name, file] of Object.entries(files)) {
    const got = readNpy(new Uint8Array(readFileSync(join(out, file))), file);
    assert.equal(got.descr, '<f4');
    assert.deepEqual(got.shape, [...want[name].dims]);
    assertClose(got.tensor.data as Float32Array, want[name].data, { rtol: 1e-3, atol: 1e-5 }, name);
  }
});

test('fovea run: float64 and int32 inputs are converted, free dims bound, bare file for one input', async () => {
  const dir = tmp();
  const b = new ModelBuilder();
  b.input('x', ['batch', 5]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', ['batch', 5]);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  // A float64 .npy written by hand (the writer only writes the runtime's types).
  const vals = [-1.25, 2.5, -3, 4, 0.1, 6, -7, 8, 9, -10];
  const body = new Float64Array(vals);
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 5), }`;
  const dataStart = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(dataStart - 10 - dict.length - 1) + '\n';
  const bytes = new Uint8Array(dataStart + body.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(new Uint8Array(body.buffer), dataStart);
  writeFileSync(join(dir, 'a=b.npy'), bytes); // a file name with '=' as the bare form

  const r = await cli('run', join(dir, 'm.onnx'), '-i', join(dir, 'a=b.npy'), '-o', join(dir, 'o'), '--free-dim', 'batch=2');
  assert.equal(r.code, 0, r.stderr);
  const y = readNpy(new Uint8Array(readFileSync(join(dir, 'o', 'y.npy'))));
  assert.deepEqual(y.shape, [2, 5]);
  assert.deepEqual([...y.tensor.data as Float32Array], vals.map((v) => Math.max(0, Math.fround(v))));

  // An int32 file for a float model is refused with the types named.
  writeFileSync(join(dir, 'i.npy'), writeNpy(new Tensor('int32', new Int32Array(10), [2, 5])));
  const bad = await cli('run', join(dir, 'm.onnx'), '--input', `x=${join(dir, 'i.npy')}`, '--out', join(dir, 'o2'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^fovea: input "x" expects float32, .*i\.npy holds int32 — hint: save it with arr\.astype\(numpy\.float32\)\n$/);
});

// ---------------------------------------------------------------------------------------------
// fovea info

/** conv 3x3 stride 1, conv 3x3 stride 2, conv 3x3 stride 1 on a [N, 3, 9, 9] input, by hand:
 *   conv1: W [4,3,3,3] + B [4]  -> [N,4,7,7]  RF 3,           jump 1
 *   conv2: W [8,4,3,3] + B [8]  -> [N,8,3,3]  RF 3 + 2·1 = 5, jump 2
 *   conv3: W [2,8,3,3] + B [2]  -> [N,2,1,1]  RF 5 + 2·2 = 9, jump 2
 * params 108 + 4 = 112, 288 + 8 = 296, 144 + 2 = 146: 554 (the unused initializer is not counted)
 * FLOPs conv1 2·N·7·7·4·(3·3·3) + N·4·7·7 = N·(10584 + 196) = N·10780
 *       conv2 2·N·3·3·8·(4·3·3) + N·8·3·3 = N·(5184 + 72)   = N·5256
 *       conv3 2·N·1·1·2·(8·3·3) + N·2     = N·(288 + 2)     = N·290;  total N·16326 */
function threeConvModel(batch: number | string): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', [batch, 3, 9, 9]);
  b.init('W1', { dtype: 'float32', dims: [4, 3, 3, 3], data: randomFloats(108, 1) });
  b.init('B1', { dtype: 'float32', dims: [4], data: randomFloats(4, 2) });
  b.init('W2', { dtype: 'float32', dims: [8, 4, 3, 3], data: randomFloats(288, 3) });
  b.init('B2', { dtype: 'float32', dims: [8], data: randomFloats(8, 4) });
  b.init('W3', { dtype: 'float32', dims: [2, 8, 3, 3], data: randomFloats(144, 5) });
  b.init('B3', { dtype: 'float32', dims: [2], data: randomFloats(2, 6) });
  b.init('unused', { dtype: 'float32', dims: [100], data: randomFloats(100, 7) });
  b.node('Conv', ['x', 'W1', 'B1'], { kernel_shape: [3, 3] }, ['h1']);
  b.node('Conv', ['h1', 'W2', 'B2'], { kernel_shape: [3, 3], strides: [2, 2] }, ['h2']);
  b.node('Conv', ['h2', 'W3', 'B3'], {}, ['y']);
  b.output('y', [batch, 2, 1, 1]);
  return b.build();
}

test('fovea info --json: shapes, params, FLOPs and receptive fields by hand', { skip: !hasConv && 'Conv is not registered yet' }, async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'm.onnx'), threeConvModel(1));
  const r = await cli('info', join(dir, 'm.onnx'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.deepEqual(info.inputs, [{ name: 'x', dtype: 'float32', dims: [1, 3, 9, 9], shape: [1, 3, 9, 9] }]);
  assert.deepEqual(info.outputs, [{ name: 'y', dtype: 'float32', dims: [1, 2, 1, 1], shape: [1, 2, 1, 1] }]);
  assert.deepEqual(info.opHistogram, { Conv: 3 });
  assert.deepEqual(
    info.layers.map((l: Record<string, unknown>) => [l.op, l.outputShape, l.params, l.flops, l.rf, l.jump]),
    [
      ['Conv', [1, 4, 7, 7], 112, 10780, [3, 3], [1, 1]],
      ['Conv', [1, 8, 3, 3], 296, 5256, [5, 5], [2, 2]],
      ['Conv', [1, 2, 1, 1], 146, 290, [9, 9], [2, 2]],
    ],
  );
  assert.deepEqual(info.totals, { params: 554, flops: 16326 });
  assert.match(info.conventions.flops, /2 × multiply-accumulates/);

  // Free dims: unbound is an error naming the flag; bound, the FLOPs scale with the batch.
  writeFileSync(join(dir, 'n.onnx'), threeConvModel('N'));
  const unbound = await cli('info', join(dir, 'n.onnx'));
  assert.equal(unbound.code, 1);
  assert.match(unbound.stderr, /^fovea: the model has unbound free dimension "N" — hint: pass --free-dim N=N\n$/);
  const bound = await cli('info', join(dir, 'n.onnx'), '--json', '--free-dim', 'N=3');
  assert.equal(bound.code, 0, bound.stderr);
  const b3 = JSON.parse(bound.stdout);
  assert.deepEqual(b3.inputs[0].dims, ['N', 3, 9, 9]);
  assert.deepEqual(b3.inputs[0].shape, [3, 3, 9, 9]);
  assert.deepEqual(b3.totals, { params: 554, flops: 3 * 16326 });

  // The text report holds the same numbers.
  const text = await cli('info', join(dir, 'm.onnx'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Conv\s+\[1, 8, 3, 3\]\s+296\s+5,256\s+5\s+2\n/);
  assert.match(text.stdout, /total {2}params 554 \(554\) {2}FLOPs 16,326 \(16\.33 k\)/);
});

test('fovea info works on a Relu model without a GPU and reports the op histogram', async () => {
  const dir = tmp();
  const b = new ModelBuilder();
  b.input('x', [2, 3, 5, 5]);
  const [h] = b.node('Relu', ['x']);
  const [y] = b.node('Relu', [h], {}, ['y']);
  b.output(y, [2, 3, 5, 5]);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  const r = await cli('info', join(dir, 'm.onnx'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.deepEqual(info.opHistogram, { Relu: 2 });
  assert.deepEqual(info.layers.map((l: { flops: number; rf: number[] }) => [l.flops, l.rf]), [[150, [1, 1]], [150, [1, 1]]]);
  assert.deepEqual(info.totals, { params: 0, flops: 300 });
});

// model-stats on a hand-built, shape-annotated IR graph: independent of which ops are registered.
function irGraph(nodes: Omit<Node, 'domain'>[], shapes: Record<string, number[]>, inits: Record<string, HostTensor>, inputs: string[], outputs: string[]): Graph {
  const values = new Map<string, ValueInfo>(Object.entries(shapes).map(([name, shape]) => [name, { name, dtype: inits[name]?.dtype ?? 'float32', shape }]));
  return { name: 'g', opset: 13, opsets: {}, nodes: nodes.map((n) => ({ ...n, domain: '' })), values, initializers: new Map(Object.entries(inits)), inputs, outputs };
}
const f32 = (dims: number[]): HostTensor => ({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });

test('model stats: dilated strided conv, pools, a DAG join, global pool, reshape and dense layer', () => {
  // x [1,2,16,16]
  // c  = Conv(k3, d2, s2, pads 2)  -> [1,4,8,8]  k_eff 5: RF 1+4·1 = 5, jump 2;  FLOPs 2·256·2·9 = 9216
  // m  = MaxPool(k2, s2)           -> [1,4,4,4]  RF 5+1·2 = 7,  jump 4;  FLOPs 64·4 = 256
  // a  = AveragePool(k4, s2, p1)   -> [1,4,4,4]  RF 5+3·2 = 11, jump 4;  FLOPs 64·16 = 1024
  // s  = Add(m, a)                 -> [1,4,4,4]  RF max(7, 11) = 11, jump 4;  FLOPs 64
  // g  = GlobalAveragePool(s)      -> [1,4,1,1]  whole map 11 + 3·4 = 23, jump 16;  FLOPs 64
  // f  = Reshape(g, [1,4])         -> [1,4]      passes 23 through;  FLOPs 0; int shape is no param
  // y  = Gemm(f, Wg [3,4]ᵀ, Bg [3]) -> [1,3]     sees the whole map: 23;  FLOPs 2·3·4 + 3 = 27
  // c2 = a second Conv reading the same W: the shared weight is counted once, at its first reader.
  const nodes: Omit<Node, 'domain'>[] = [
    { name: 'conv', opType: 'Conv', inputs: ['x', 'W'], outputs: ['c'], attributes: { dilations: [2, 2], strides: [2, 2], pads: [2, 2, 2, 2] } },
    { name: 'max', opType: 'MaxPool', inputs: ['c'], outputs: ['m'], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
    { name: 'avg', opType: 'AveragePool', inputs: ['c'], outputs: ['a'], attributes: { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { name: 'add', opType: 'Add', inputs: ['m', 'a'], outputs: ['s'], attributes: {} },
    { name: 'gap', opType: 'GlobalAveragePool', inputs: ['s'], outputs: ['g'], attributes: {} },
    { name: 'reshape', opType: 'Reshape', inputs: ['g', 'shape'], outputs: ['f'], attributes: {} },
    { name: 'fc', opType: 'Gemm', inputs: ['f', 'Wg', 'Bg'], outputs: ['y'], attributes: { transB: 1 } },
    { name: 'conv2', opType: 'Conv', inputs: ['x', 'W'], outputs: ['c2'], attributes: { dilations: [2, 2], strides: [2, 2], pads: [2, 2, 2, 2] } },
  ];
  const g = irGraph(
    nodes,
    { x: [1, 2, 16, 16], W: [4, 2, 3, 3], c: [1, 4, 8, 8], c2: [1, 4, 8, 8], m: [1, 4, 4, 4], a: [1, 4, 4, 4], s: [1, 4, 4, 4], g: [1, 4, 1, 1], shape: [2], f: [1, 4], Wg: [3, 4], Bg: [3], y: [1, 3] },
    { W: f32([4, 2, 3, 3]), Wg: f32([3, 4]), Bg: f32([3]), shape: { dtype: 'int64', dims: [2], data: new Int32Array([1, 4]) } },
    ['x'],
    ['y', 'c2'],
  );
  const st = modelStats(g);
  const rows = st.layers.map((l) => [l.name, l.outputShape, l.params, l.flops, l.rf, l.jump]);
  assert.deepEqual(rows, [
    ['conv', [1, 4, 8, 8], 72, 9216, [5, 5], [2, 2]],
    ['max', [1, 4, 4, 4], 0, 256, [7, 7], [4, 4]],
    ['avg', [1, 4, 4, 4], 0, 1024, [11, 11], [4, 4]],
    ['add', [1, 4, 4, 4], 0, 64, [11, 11], [4, 4]],
    ['gap', [1, 4, 1, 1], 0, 64, [23, 23], [16, 16]],
    ['reshape', [1, 4], 0, 0, [23, 23], [16, 16]],
    ['fc', [1, 3], 15, 27, [23, 23], [16, 16]],
    ['conv2', [1, 4, 8, 8], 0, 9216, [5, 5], [2, 2]],
  ]);
  assert.deepEqual(st.totals, { params: 87, flops: 9216 * 2 + 256 + 1024 + 64 + 64 + 27 });
});

test('model stats: rectangular kernels, transposed conv, matmul, batchnorm, fused activation', () => {
  // x [2,1,6,10]
  // c = Conv(W [3,1,3,1], s [1,2]) -> [2,3,4,5]  RF [3,1], jump [1,2]; FLOPs 2·120·3 + bias 120 = 840
  // b = BatchNormalization          -> [2,3,4,5]  2/element = 240; params 4·3 = 12
  // t = ConvTranspose(Wt [3,2,2,2], s2) -> [2,2,8,10]  jump [0.5,1], RF [3+1·0.5, 1+1·1] = [3.5, 2]
  //     FLOPs 2·(2·3·4·5)·2·4 = 1920
  // r = Conv(Wr [2,2,1,1]) with a fused activation -> [2,2,8,10]: 2·320·2 + 320 = 1600
  // mm = MatMul(r, Wm [10,6]) -> [2,2,8,6]: 2·192·10 = 3840
  const nodes: Omit<Node, 'domain'>[] = [
    { name: 'c', opType: 'Conv', inputs: ['x', 'W', 'B'], outputs: ['c'], attributes: { strides: [1, 2] } },
    { name: 'bn', opType: 'BatchNormalization', inputs: ['c', 'sc', 'bi', 'mu', 'var'], outputs: ['b'], attributes: {} },
    { name: 't', opType: 'ConvTranspose', inputs: ['b', 'Wt'], outputs: ['t'], attributes: { strides: [2, 2] } },
    { name: 'r', opType: 'Conv', inputs: ['t', 'Wr'], outputs: ['r'], attributes: { 'fovea.activation': 'max(v, 0.0)' } },
    { name: 'mm', opType: 'MatMul', inputs: ['r', 'Wm'], outputs: ['mm'], attributes: {} },
  ];
  const g = irGraph(
    nodes,
    { x: [2, 1, 6, 10], W: [3, 1, 3, 1], B: [3], c: [2, 3, 4, 5], sc: [3], bi: [3], mu: [3], var: [3], b: [2, 3, 4, 5], Wt: [3, 2, 2, 2], t: [2, 2, 8, 10], Wr: [2, 2, 1, 1], r: [2, 2, 8, 10], Wm: [10, 6], mm: [2, 2, 8, 6] },
    { W: f32([3, 1, 3, 1]), B: f32([3]), sc: f32([3]), bi: f32([3]), mu: f32([3]), var: f32([3]), Wt: f32([3, 2, 2, 2]), Wr: f32([2, 2, 1, 1]), Wm: f32([10, 6]) },
    ['x'],
    ['mm'],
  );
  const st = modelStats(g);
  assert.deepEqual(st.layers.map((l) => [l.name, l.params, l.flops, l.rf, l.jump]), [
    ['c', 12, 840, [3, 1], [1, 2]],
    ['bn', 12, 240, [3, 1], [1, 2]],
    ['t', 24, 1920, [3.5, 2], [0.5, 1]],
    ['r', 4, 1600, [3.5, 2], [0.5, 1]],
    ['mm', 60, 3840, [3.5, 2], [0.5, 1]],
  ]);
});

// ---------------------------------------------------------------------------------------------
// errors, help, the real bin

test('errors are one line on stderr with exit code 1', async () => {
  const dir = tmp();
  const b = new ModelBuilder();
  b.input('x', [1, 4]);
  b.node('NoSuchOp', ['x'], {}, ['y']);
  b.output('y', [1, 4]);
  writeFileSync(join(dir, 'bad.onnx'), b.build());
  writeFileSync(join(dir, 'garbage.onnx'), 'not a model');
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['info'], /fovea info needs a MODEL path/],
    [['info', 'a.onnx', 'b.onnx'], /takes one MODEL/],
    [['info', 'a.onnx', '--bogus'], /unknown option --bogus for fovea info/],
    [['run', 'a.onnx', '--out', dir], /needs at least one --input/],
    [['run', 'a.onnx', '--input', 'x=a.npy'], /needs --out DIR/],
    [['info', 'a.onnx', '--free-dim', 'batch'], /--free-dim expects NAME=N/],
    [['info', join(dir, 'missing.onnx')], /could not read model file .*missing\.onnx/],
    [['info', join(dir, 'garbage.onnx')], /not a valid ONNX model.* — hint: /],
    [['info', join(dir, 'bad.onnx')], /unsupported ops: NoSuchOp \(NoSuchOp_0\)/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.equal(r.stdout, '', argv.join(' '));
    assert.match(r.stderr, /^fovea: [^\n]+\n$/, argv.join(' '));
    assert.match(r.stderr, re, argv.join(' '));
  }
});

test('fovea run: input errors name the input and the fix', async () => {
  const dir = tmp();
  const b = new ModelBuilder();
  b.input('a', [2]);
  b.input('b', [2]);
  b.node('Relu', ['a'], {}, ['y']);
  b.node('Relu', ['b'], {}, ['z']);
  b.output('y', [2]);
  b.output('z', [2]);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  writeFileSync(join(dir, 'a.npy'), writeNpy(new Tensor('float32', new Float32Array([1, -1]), [2])));
  const m = join(dir, 'm.onnx');
  const a = join(dir, 'a.npy');
  const cases: [string[], RegExp][] = [
    [['--input', `a=${a}`], /missing input "b" — hint: pass --input b=FILE\.npy/],
    [['--input', a], /--input ".*a\.npy" does not name an input of the model — hint: .*one of: a, b/],
    [['--input', `a=${a}`, '--input', `b=${join(dir, 'nope.npy')}`], /could not read input file .*nope\.npy: ENOENT/],
    [['--input', `a=${a}`, '--input', `b=${m}`], /m\.onnx is not a \.npy file/],
  ];
  for (const [extra, re] of cases) {
    const r = await cli('run', m, ...extra, '--out', join(dir, 'o'));
    assert.equal(r.code, 1, extra.join(' '));
    assert.match(r.stderr, /^fovea: [^\n]+\n$/);
    assert.match(r.stderr, re);
  }
});

test('--help for fovea and each command', async () => {
  for (const [argv, re] of [
    [['--help'], /usage: fovea <command>/],
    [['help', 'run'], /usage: fovea run MODEL/],
    [['run', '--help'], /usage: fovea run MODEL --input NAME=FILE\.npy/],
    [['info', '-h'], /usage: fovea info MODEL \[--json\]/],
  ] as [string[], RegExp][]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0);
    assert.match(r.stdout, re);
  }
  const none = await cli();
  assert.equal(none.code, 1);
  assert.match(none.stderr, /usage: fovea/);
  const v = await cli('--version');
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
});

test('the real bin: node bin/fovea.js (needs `npm run build`)', { skip: !existsSync(join(root, 'dist/runtime/cli/main.js')) && 'dist/ is missing: run `npm run build`' }, () => {
  const help = spawnSync(process.execPath, [join(root, 'bin/fovea.js'), '--help'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: fovea <command>/);
  const dir = tmp();
  const b = new ModelBuilder();
  b.input('x', [1, 3, 4, 4]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [1, 3, 4, 4]);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  const info = spawnSync(process.execPath, [join(root, 'bin/fovea.js'), 'info', join(dir, 'm.onnx'), '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(info.status, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).totals.flops, 48);
  const bad = spawnSync(process.execPath, [join(root, 'bin/fovea.js'), 'info', join(dir, 'missing.onnx')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^fovea: could not read model file [^\n]*\n$/);
});

test('info --passes: node counts after each pass, fused epilogues and kernels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fovea-cli-passes-'));
  const b = new ModelBuilder(13);
  b.input('x', [1, 3, 9, 9]);
  b.init('w', { dtype: 'float32', dims: [4, 3, 3, 3], data: randomFloats(108, 1) });
  b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] }, ['c']);
  b.node('Relu', ['c'], {}, ['y']);
  b.output('y', [1, 4, 9, 9]);
  const path = join(dir, 'conv-relu.onnx');
  writeFileSync(path, b.build());
  const r = await cli('info', path, '--passes', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.passes.at(0), { name: '(file)', nodes: 2 });
  assert.equal(report.passes.find((p: { name: string }) => p.name === 'fuse-activations').nodes, 1);
  assert.equal(report.fused.length, 1);
  assert.equal(report.fused[0].op, 'Conv');
  assert.equal(report.fused[0].activation, 'Relu');
  assert.ok(report.fused[0].kernels.length >= 1);
  const text = await cli('info', path, '--passes');
  assert.match(text.stdout, /fused graph \(kernels planned for WebGPU default limits\)/);
  assert.match(text.stdout, /Conv\s+Relu/);
  // --device plans for this machine's adapter: the kernels a session on it runs.
  const dev = await cli('info', path, '--device', '--json');
  assert.equal(dev.code, 0, dev.stderr);
  const onDevice = JSON.parse(dev.stdout);
  const s = await InferenceSession.create(b.build());
  assert.equal(onDevice.kernelsFor, s.adapter);
  assert.deepEqual(onDevice.fused[0].kernels, (await s.stats()).kernels.map((k) => k.variant));
  await s.release();
});
