// The no-GPU tier: loader, verifier and passes on plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from './util/onnx-builder.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { verifyGraph } from '../runtime/ir/verify.js';
import { runPasses, PASSES } from '../runtime/passes/index.js';
import { printGraph } from '../runtime/ir/print.js';
import { GraphError, InputError } from '../runtime/errors.js';
import { halfToFloat, tensorFromProto } from '../loaders/onnx/tensor-proto.js';
import '../runtime/ops/index.js';

test('decode keeps initializers, inputs, attributes and declared dims', async () => {
  const b = new ModelBuilder(11);
  b.input('x', ['N', 3]);
  b.init('w', { dtype: 'int64', dims: [2], data: [5, -(2 ** 40)] });
  b.node('Relu', ['x'], { alpha: 0.5, ints: [1, 2], name: 'n' }, ['y']);
  b.output('y', ['N', 3]);
  const g = await decodeModel(b.build());
  assert.equal(g.opset, 11);
  assert.deepEqual(g.inputs, ['x']);
  assert.deepEqual(g.values.get('x')!.declared, ['N', 3]);
  assert.equal(g.values.get('x')!.shape, null);
  assert.deepEqual([...g.initializers.get('w')!.data], [5, -2147483647], 'int64 is saturated to int32');
  assert.deepEqual(g.nodes[0].attributes, { alpha: 0.5, ints: [1, 2], name: 'n' });
});

test('float16 initializers keep their type, values decoded from the bits; typed fields decode', async () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x7c00), Infinity);
  const t = await tensorFromProto({ name: 'h', dims: [3], dataType: 10, int32Data: [0x3c00, 0x3800, 0x0001] });
  assert.equal(t.dtype, 'float16');
  assert.deepEqual([...t.data], [1, 0.5, 2 ** -24]);
  const f = await tensorFromProto({ name: 'f', dims: [2], dataType: 1, floatData: [1.5, -2] });
  assert.deepEqual([...f.data], [1.5, -2]);
  await assert.rejects(tensorFromProto({ name: 's', dims: [4], dataType: 1, floatData: [1] }), /needs 4/);
});

test('the verifier rejects two producers and dangling inputs', async () => {
  const b = new ModelBuilder();
  b.input('x', [2]);
  b.node('Relu', ['x'], {}, ['y']);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [2]);
  const g = await decodeModel(b.build());
  assert.throws(() => verifyGraph(g), GraphError);
  g.nodes.pop();
  verifyGraph(g);
  g.nodes[0].inputs = ['missing'];
  assert.throws(() => verifyGraph(g), /read before it is produced/);
});

test('passes run in order, verified after each, and bind free dims', async () => {
  const b = new ModelBuilder();
  b.input('x', ['batch', 4]);
  b.node('Relu', ['x'], {}, ['a']);
  b.node('Relu', ['a'], {}, ['y']);
  b.node('Relu', ['x'], {}, ['dead']);
  b.output('y', ['batch', 4]);
  const g = await decodeModel(b.build());
  const seen: string[] = [];
  const out = runPasses(g, { freeDimensions: { batch: 3 }, verify: true, onPass: (name) => seen.push(name) });
  assert.deepEqual(seen, PASSES.map((p) => p.name));
  assert.deepEqual(out.values.get('y')!.shape, [3, 4]);
  assert.equal(out.nodes.length, 2, 'the dead Relu is removed');
  assert.match(printGraph(out), /%y: float32\[3,4\] = Relu\(%a\)/);
  assert.throws(() => runPasses(g, {}), InputError);
  assert.equal(g.nodes.length, 3, 'passes do not mutate their input');
});

test('a topologically unsorted graph is sorted; a cycle is an error', async () => {
  const b = new ModelBuilder();
  b.input('x', [2]);
  b.node('Relu', ['a'], {}, ['y']);
  b.node('Relu', ['x'], {}, ['a']);
  b.output('y', [2]);
  const g = await decodeModel(b.build());
  const out = runPasses(g, { verify: true });
  assert.deepEqual(out.nodes.map((n) => n.outputs[0]), ['a', 'y']);
  g.nodes[1].inputs = ['y'];
  assert.throws(() => runPasses(g, { verify: true }), /cycle/);
});
