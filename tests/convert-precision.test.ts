// scripts/convert-precision.py (issue 12, test models): converts the demo's LeNet-5 (Fashion-MNIST)
// into every float16 and int8 form, then checks each file's structure (op types, dtypes, Casts at
// the float16 boundaries, Q/DQ placement, opset imports) and that onnxruntime-node runs it close to
// the float32 model. Needs python3-onnx and python3-numpy (no torch); onnxruntime-node calibrates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without types
import { relError, runAll } from '../scripts/check-converted.mjs';
import { randomFloats } from './util/rng.js';
import { ModelBuilder } from './util/onnx-builder.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const MODEL = join(ROOT, 'demo', 'public', 'models', 'lenet5-fashion.onnx');
const FORMS = ['fp16', 'fp16-keep-io', 'fp16-mixed', 'fp16-weights', 'int8-dynamic', 'int8-dynamic-pc', 'int8-dynamic-u8', 'int8-qdq', 'int8-qoperator'];
// TensorProto element types.
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const FLOAT16 = 10;

interface NodeInfo { op: string; domain: string; inputs: string[]; outputs: string[]; attrs: Record<string, number | number[]> }
interface Summary {
  opsets: Record<string, number>;
  inputs: Record<string, number>;
  outputs: Record<string, number>;
  inits: Record<string, number>;
  nodes: NodeInfo[];
}

// One Python call summarises every converted file (onnx parses them; the test reads JSON).
const SUMMARY = `
import json, sys, onnx
from onnx import helper
out = {}
for path in sys.argv[1:]:
    m = onnx.load(path)
    g = m.graph
    attr = lambda a: helper.get_attribute_value(a) if a.type in (1, 2, 6, 7) else None
    out[path] = {
        "opsets": {o.domain: o.version for o in m.opset_import},
        "inputs": {i.name: i.type.tensor_type.elem_type for i in g.input},
        "outputs": {o.name: o.type.tensor_type.elem_type for o in g.output},
        "inits": {i.name: i.data_type for i in g.initializer},
        "nodes": [{"op": n.op_type, "domain": n.domain, "inputs": list(n.input), "outputs": list(n.output),
                   "attrs": {a.name: attr(a) for a in n.attribute if attr(a) is not None}} for n in g.node],
    }
print(json.dumps(out))
`;

const ops = (s: Summary) => new Set(s.nodes.map((n) => n.op));
const producer = (s: Summary, t: string) => s.nodes.find((n) => n.outputs.includes(t));

test('convert-precision.py: every float16 and int8 form of LeNet-5, checked and close to float32 on onnxruntime-node', async (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip(`${PYTHON} cannot import onnx/numpy (apt-get install python3-onnx python3-numpy)`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'fovea-precision-'));
  try {
    const r = spawnSync(PYTHON, [join(ROOT, 'scripts', 'convert-precision.py'), MODEL, '--out', out, '--calib-count', '8'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `convert-precision.py failed:\n${r.stdout}\n${r.stderr}`);
    const files = Object.fromEntries(FORMS.map((f) => [f, join(out, `lenet5-fashion.${f}.onnx`)]));
    const sum = spawnSync(PYTHON, ['-c', SUMMARY, ...Object.values(files)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(sum.status, 0, sum.stderr);
    const all = JSON.parse(sum.stdout) as Record<string, Summary>;
    const s = (form: string) => all[files[form]];

    await t.test('fp16: float16 everywhere, no Casts', () => {
      const m = s('fp16');
      assert.deepEqual(Object.values(m.inputs), [FLOAT16]);
      assert.deepEqual(Object.values(m.outputs), [FLOAT16]);
      assert.ok(!ops(m).has('Cast'));
      assert.ok(Object.values(m.inits).every((ty) => ty !== FLOAT), 'a float32 initializer is left');
    });
    await t.test('fp16-keep-io: float32 I/O, Cast(to=FLOAT16) after the input, Cast(to=FLOAT) making the output', () => {
      const m = s('fp16-keep-io');
      const [input] = Object.keys(m.inputs);
      const [output] = Object.keys(m.outputs);
      assert.equal(m.inputs[input], FLOAT);
      assert.equal(m.outputs[output], FLOAT);
      const readers = m.nodes.filter((n) => n.inputs.includes(input));
      assert.deepEqual(readers.map((n) => [n.op, n.attrs.to]), [['Cast', FLOAT16]]);
      const last = producer(m, output)!;
      assert.deepEqual([last.op, last.attrs.to], ['Cast', FLOAT]);
      assert.equal(m.nodes.filter((n) => n.op === 'Cast').length, 2);
    });
    await t.test('fp16-mixed: the last Gemm computes in float32 between Casts', () => {
      const m = s('fp16-mixed');
      const gemms = m.nodes.filter((n) => n.op === 'Gemm');
      const last = gemms[gemms.length - 1];
      const cast = producer(m, last.inputs[0])!;
      assert.deepEqual([cast.op, cast.attrs.to], ['Cast', FLOAT]);
      assert.equal(m.inits[last.inputs[1]], FLOAT, 'the blocked Gemm keeps float32 weights');
      assert.equal(m.inits[gemms[0].inputs[1]], FLOAT16, 'the other Gemms have float16 weights');
    });
    await t.test('fp16-weights: float16 initializers, each Cast to float32; float32 I/O', () => {
      const m = s('fp16-weights');
      assert.deepEqual(Object.values(m.inputs), [FLOAT]);
      const halves = Object.entries(m.inits).filter(([, ty]) => ty === FLOAT16);
      assert.ok(halves.length >= 10);
      for (const [name] of halves) {
        const readers = m.nodes.filter((n) => n.inputs.includes(name));
        assert.deepEqual(readers.map((n) => [n.op, n.attrs.to]), [['Cast', FLOAT]], name);
      }
    });
    for (const [form, wtype] of [['int8-dynamic', INT8], ['int8-dynamic-pc', INT8], ['int8-dynamic-u8', UINT8]] as const) {
      await t.test(`${form}: DynamicQuantizeLinear + ConvInteger / MatMulInteger, weights ${wtype === INT8 ? 'int8' : 'uint8'}`, () => {
        const m = s(form);
        for (const op of ['DynamicQuantizeLinear', 'ConvInteger', 'MatMulInteger', 'Cast', 'Mul', 'Add']) assert.ok(ops(m).has(op), op);
        assert.ok(!ops(m).has('Conv') && !ops(m).has('Gemm'));
        for (const n of m.nodes.filter((x) => x.op === 'ConvInteger' || x.op === 'MatMulInteger')) {
          assert.equal(producer(m, n.inputs[0])!.op, 'DynamicQuantizeLinear');
          assert.equal(m.inits[n.inputs[1]], wtype);
        }
      });
    }
    await t.test('int8-qdq: Q/DQ on activations (uint8), DQ on int8 per-channel Conv weights and int32 biases, Relu folded', () => {
      const m = s('int8-qdq');
      assert.ok(!ops(m).has('Relu'), 'Relu after Conv/Gemm is folded into the quantization range');
      for (const conv of m.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm')) {
        const [x, w, b] = conv.inputs.map((i) => producer(m, i)!);
        assert.equal(x.op, 'DequantizeLinear');
        assert.equal(producer(m, x.inputs[0])!.op, 'QuantizeLinear');
        assert.equal(m.inits[x.inputs[2]], UINT8);
        assert.equal(w.op, 'DequantizeLinear');
        assert.equal(m.inits[w.inputs[0]], INT8);
        if (conv.op === 'Conv') assert.equal(w.attrs.axis, 0);
        assert.equal(m.inits[b.inputs[0]], INT32);
      }
    });
    await t.test('int8-qoperator: QLinearConv, com.microsoft QGemm, Q at the input, DQ at the output', () => {
      const m = s('int8-qoperator');
      assert.equal(m.opsets['com.microsoft'], 1);
      assert.ok(ops(m).has('QLinearConv'));
      assert.ok(m.nodes.some((n) => n.op === 'QGemm' && n.domain === 'com.microsoft'));
      assert.ok(!ops(m).has('Conv') && !ops(m).has('Gemm') && !ops(m).has('Relu'));
      const [input] = Object.keys(m.inputs);
      assert.deepEqual(m.nodes.filter((n) => n.inputs.includes(input)).map((n) => n.op), ['QuantizeLinear']);
      assert.equal(producer(m, Object.keys(m.outputs)[0])!.op, 'DequantizeLinear');
      for (const n of m.nodes.filter((x) => x.op === 'QLinearConv')) assert.equal(m.inits[n.inputs[3]], INT8);
    });

    await t.test('onnxruntime-node runs every form close to float32', async () => {
      const dims = [1, 1, 28, 28];
      const samples = [0, 1, 2, 3].map((k) => randomFloats(784, 100 + k));
      const want = await runAll(MODEL, 'input', dims, samples);
      // Whole-tensor max|a-b| / max|b| over 4 seeded inputs: float16 rounding (~1e-3), int8 (a few %).
      const tol: Record<string, number> = { fp16: 5e-3, 'fp16-keep-io': 5e-3, 'fp16-mixed': 5e-3, 'fp16-weights': 5e-3 };
      const lines = [];
      for (const form of FORMS) {
        const got = await runAll(files[form], 'input', dims, samples);
        let err = 0;
        for (let k = 0; k < samples.length; k++) err = Math.max(err, relError(got[k].logits, want[k].logits));
        lines.push(`${form} ${err.toExponential(2)}`);
        assert.ok(err <= (tol[form] ?? 0.1), `${form}: max rel error ${err}`);
      }
      console.log(`[convert-precision] LeNet-5 max rel errors: ${lines.join(', ')}`);
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('convert-precision.py: weights shared through Identity nodes (PyTorch exports) are quantized, and no Relu is lost', async (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip(`${PYTHON} cannot import onnx/numpy (apt-get install python3-onnx python3-numpy)`);
    return;
  }
  // Two convs whose biases are one initializer reached through Identity nodes, as torch.onnx
  // shares equal weights; each conv is followed by a Relu.
  const b = new ModelBuilder(13);
  b.input('input', [1, 3, 8, 8]);
  b.init('w1', { dtype: 'float32', dims: [4, 3, 3, 3], data: randomFloats(108, 1, -0.5, 0.5) });
  b.init('w2', { dtype: 'float32', dims: [4, 4, 3, 3], data: randomFloats(144, 2, -0.5, 0.5) });
  b.init('bias', { dtype: 'float32', dims: [4], data: [0.1, -0.2, 0, 0.05] });
  b.node('Identity', ['bias'], {}, ['b1']);
  b.node('Identity', ['bias'], {}, ['b2']);
  const [c1] = b.node('Conv', ['input', 'w1', 'b1'], { pads: [1, 1, 1, 1] });
  const [r1] = b.node('Relu', [c1]);
  const [c2] = b.node('Conv', [r1, 'w2', 'b2'], { pads: [1, 1, 1, 1] });
  const [r2] = b.node('Relu', [c2]);
  const [p] = b.node('GlobalAveragePool', [r2]);
  b.node('Flatten', [p], {}, ['logits']);
  b.output('logits', [1, 4]);
  const out = mkdtempSync(join(tmpdir(), 'fovea-precision-'));
  try {
    const model = join(out, 'shared.onnx');
    writeFileSync(model, b.build());
    const forms = ['int8-qdq', 'int8-qoperator'];
    const r = spawnSync(PYTHON, [join(ROOT, 'scripts', 'convert-precision.py'), model, '--out', out, '--forms', forms.join(','), '--input-shape', '1,3,8,8', '--calib-count', '8'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `convert-precision.py failed:\n${r.stdout}\n${r.stderr}`);
    const files = forms.map((f) => join(out, `shared.${f}.onnx`));
    const sum = spawnSync(PYTHON, ['-c', SUMMARY, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(sum.status, 0, sum.stderr);
    const all = JSON.parse(sum.stdout) as Record<string, Summary>;
    const qdq = all[files[0]];
    const convs = qdq.nodes.filter((n) => n.op === 'Conv');
    assert.equal(convs.length, 2);
    for (const conv of convs) assert.equal(producer(qdq, conv.inputs[1])?.op, 'DequantizeLinear', 'the conv weights are quantized');
    assert.equal(all[files[1]].nodes.filter((n) => n.op === 'QLinearConv').length, 2);
    const samples = [0, 1, 2, 3].map((k) => randomFloats(192, 200 + k));
    const want = await runAll(model, 'input', [1, 3, 8, 8], samples);
    for (const file of files) {
      const got = await runAll(file, 'input', [1, 3, 8, 8], samples);
      for (let k = 0; k < samples.length; k++) assert.ok(relError(got[k].logits, want[k].logits) < 0.1, `${file}: sample ${k}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
