// The optimisation passes (runtime/passes/): remove-identities, fold-batch-norm,
// fuse-residual-add, fuse-activations, and the graphOptimizationLevel switch.
// - Per pass, small graphs before/after: node counts, the ops that remain, which node carries
//   which epilogue attribute, and what must not be rewritten (graph outputs, kept values, values
//   with several readers, broadcasting Adds…); the verifier runs after every pass.
// - Whole models (Conv+BN+Relu, MobileNetV2's Conv+BN+Clip(0,6) with a depthwise conv, a ResNet
//   basic block with a 1x1 downsample branch, Gemm+Relu, Conv+HardSwish (op and pattern), Conv+SiLU, every fusable
//   activation, a BN with no conv before it) on seeded inputs: optimisation 'all' against
//   'disabled' and against onnxruntime-node, on both conv kernels, with fewer dispatches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder, type AttrInput } from './util/onnx-builder.js';
import { randomFloats } from './util/rng.js';
import { assertClose, runReference, type Feeds, type Tolerance } from './util/reference.js';
import { InferenceSession, Tensor, InputError, ShapeError } from '../runtime/index.node.js';
import type { SessionOptions, SessionStats } from '../runtime/session.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { runPasses, type GraphOptimizationLevel } from '../runtime/passes/index.js';
import { removeIdentities } from '../runtime/passes/remove-identities.js';
import { foldBatchNorm } from '../runtime/passes/fold-batch-norm.js';
import { fuseActivations } from '../runtime/passes/fuse-activations.js';
import { fuseResidualAdd } from '../runtime/passes/fuse-residual-add.js';
import { verifyGraph } from '../runtime/ir/verify.js';
import { checkInferredTypes } from '../runtime/passes/check-inferred.js';
import { GraphError } from '../runtime/errors.js';
import type { Graph, HostTensor, Node } from '../runtime/ir/types.js';
import '../runtime/ops/index.js';

const TOL: Tolerance = { rtol: 1e-3, atol: 1e-4 };
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const f32 = (dims: number[], seed: number, lo = -1, hi = 1) => new Tensor('float32', randomFloats(count(dims), seed, lo, hi), dims);
const spec = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dtype: 'float32' as const, dims, data: randomFloats(count(dims), seed, lo, hi) });

// ---------------------------------------------------------------------------------------------
// helpers

/** Decoded model after the required passes ('disabled'): the input of the optional passes. */
async function inferred(model: Uint8Array): Promise<Graph> {
  return runPasses(await decodeModel(model), { verify: true, graphOptimizationLevel: 'disabled' });
}

/** Runs one pass and verifies its result with static shapes, as runPasses does. */
function step(g: Graph, pass: (g: Graph) => Graph): Graph {
  const out = pass(g);
  verifyGraph(out, { shapes: true });
  return out;
}

/** Every pass of the level, verified after each. */
async function optimised(model: Uint8Array, level: GraphOptimizationLevel = 'all', keepValues?: string[]): Promise<Graph> {
  const passes: string[] = [];
  const g = runPasses(await decodeModel(model), { verify: true, graphOptimizationLevel: level, keepValues, onPass: (name) => passes.push(name) });
  const optional = ['remove-identities', 'fold-batch-norm', 'fuse-residual-add', 'fuse-activations'];
  const want = level === 'disabled' ? [] : level === 'basic' ? optional.slice(0, 2) : optional;
  assert.deepEqual(passes.filter((p) => optional.includes(p)), want, `passes of level ${level}`);
  return g;
}

const ops = (g: Graph) => g.nodes.map((n) => n.opType);
const byOutput = (g: Graph, name: string) => g.nodes.find((n) => n.outputs.includes(name));
const act = (n: Node | undefined) => [n?.attributes['fovea.activation'], n?.attributes['fovea.activation_params']];

/** BN parameters for C channels (variance positive, scale away from 0). */
function bnInits(b: ModelBuilder, prefix: string, C: number, seed: number): string[] {
  return [
    b.init(`${prefix}_s`, spec([C], seed, 0.5, 1.5)),
    b.init(`${prefix}_b`, spec([C], seed + 1)),
    b.init(`${prefix}_m`, spec([C], seed + 2, -0.5, 0.5)),
    b.init(`${prefix}_v`, spec([C], seed + 3, 0.5, 2)),
  ];
}

function conv(b: ModelBuilder, x: string, name: string, Cin: number, M: number, k: number, seed: number, attrs: Record<string, AttrInput> = {}, bias = true): string {
  const group = typeof attrs.group === 'number' ? attrs.group : 1;
  const w = b.init(`${name}_W`, spec([M, Cin / group, k, k], seed, -0.5, 0.5));
  const inputs = [x, w];
  if (bias) inputs.push(b.init(`${name}_B`, spec([M], seed + 1)));
  const pad = (k - 1) / 2;
  return b.node('Conv', inputs, { pads: [pad, pad, pad, pad], ...attrs })[0];
}

function bn(b: ModelBuilder, x: string, prefix: string, C: number, seed: number, out?: string): string {
  return b.node('BatchNormalization', [x, ...bnInits(b, prefix, C, seed)], { epsilon: 1e-3 }, out ? [out] : 1)[0];
}

interface LevelRun {
  stats: SessionStats;
  graph: Graph;
  out: Record<string, Tensor>;
}

/** Runs the model at 'disabled' and 'all' (and the given options), compares both with
 * onnxruntime-node and with each other; returns both runs. */
async function compareLevels(model: Uint8Array, feeds: Feeds, opts: SessionOptions = {}, tol = TOL): Promise<Record<'disabled' | 'all', LevelRun>> {
  const want = await runReference(model, feeds);
  const runs = {} as Record<'disabled' | 'all', LevelRun>;
  for (const level of ['disabled', 'all'] as const) {
    const s = await InferenceSession.create(model, { ...opts, graphOptimizationLevel: level });
    try {
      const out = await s.run(feeds);
      for (const [name, w] of Object.entries(want)) {
        assert.deepEqual([...out[name].dims], [...w.dims], `${name} dims [${level}]`);
        assertClose(out[name].data as Float32Array, w.data, tol, `${name} [${level}${opts.forceAlgorithm ? ` ${opts.forceAlgorithm}` : ''}]`);
      }
      runs[level] = { stats: await s.stats(), graph: await s.graph(), out };
    } finally {
      await s.release();
    }
  }
  for (const name of Object.keys(want)) assertClose(runs.all.out[name].data as Float32Array, runs.disabled.out[name].data as Float32Array, tol, `${name}: all vs disabled`);
  return runs;
}

// ---------------------------------------------------------------------------------------------
// remove-identities

test('remove-identities: Identity, Dropout, same-shape Reshape/Flatten/Squeeze/Unsqueeze, identity Transpose, same-type Cast go', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3, 4, 5]);
  b.input('x2', [6, 7]);
  const [i0] = b.node('Identity', ['x']);
  const [r0] = b.node('Relu', [i0]);
  const [rs] = b.node('Reshape', [r0, b.init('shp', { dtype: 'int64', dims: [4], data: [2, 3, 4, -1] })]);
  const [t0] = b.node('Transpose', [rs], { perm: [0, 1, 2, 3] });
  const [c0] = b.node('Cast', [t0], { to: 1 });
  const [d0] = b.node('Dropout', [c0]);
  const [sq] = b.node('Squeeze', [d0]); // no dims of 1: the same shape
  const [n0] = b.node('Neg', [sq]);
  const [ch] = b.node('Reshape', [n0, b.init('shp2', { dtype: 'int64', dims: [2], data: [6, 20] })]); // changes the shape: stays
  const [tr] = b.node('Transpose', [ch], { perm: [1, 0] }); // a real transpose: stays
  b.node('Identity', [tr], {}, ['y']); // its output is a graph output: the Transpose writes 'y'
  const [fl] = b.node('Flatten', ['x2'], { axis: 1 }); // [6, 7] -> [6, 7]
  const [un] = b.node('Unsqueeze', [fl, b.init('ax', { dtype: 'int64', dims: [1], data: [0] })]); // a new dim: stays
  b.node('Cast', [un], { to: 7 }, ['y2']); // float -> int64: stays
  b.node('Identity', ['x2'], {}, ['y3']); // graph input -> graph output: must stay
  b.output('y');
  b.output('y2', [], 'int64');
  b.output('y3');
  const model = b.build();

  const g0 = await inferred(model);
  const g1 = step(g0, removeIdentities);
  assert.deepEqual(ops(g1), ['Relu', 'Neg', 'Reshape', 'Transpose', 'Unsqueeze', 'Cast', 'Identity']);
  assert.equal(byOutput(g1, 'y')?.opType, 'Transpose', 'the graph output keeps its name');
  assert.deepEqual(byOutput(g1, 'y')?.inputs, [ch]);
  assert.equal(byOutput(g1, 'y3')?.opType, 'Identity');
  assert.deepEqual(byOutput(g1, r0)?.inputs, ['x'], 'Relu reads x directly');
  assert.deepEqual(byOutput(g1, n0)?.inputs, [r0]);
  assert.deepEqual(g1.outputs, ['y', 'y2', 'y3']);
  // The input graph is unchanged (passes are pure).
  assert.equal(g0.nodes.length, 15);
  assert.deepEqual(g0.nodes[1].inputs, [i0]);

  const x = f32([2, 3, 4, 5], 1);
  const x2 = f32([6, 7], 2);
  const runs = await compareLevels(model, { x, x2 });
  assert.ok(runs.all.stats.dispatches < runs.disabled.stats.dispatches, `${runs.all.stats.dispatches} < ${runs.disabled.stats.dispatches}`);
});

test('remove-identities keeps a Dropout whose mask is read, and an identity whose output is kept', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [3, 4]);
  const [r] = b.node('Relu', ['x']);
  const [d, mask] = b.node('Dropout', [r], {}, 2);
  b.node('Identity', [d], {}, ['y']);
  b.node('Not', [mask], {}, ['m']);
  b.output('y');
  b.output('m', [], 'bool');
  const g = await optimised(b.build(), 'basic');
  assert.deepEqual(ops(g), ['Relu', 'Dropout', 'Not']);
  assert.equal(byOutput(g, 'y')?.opType, 'Dropout', 'the Identity went, the Dropout writes y');

  const b2 = new ModelBuilder(13);
  b2.input('x', [3, 4]);
  const [r2] = b2.node('Relu', ['x'], {}, ['r']);
  const [i2] = b2.node('Identity', [r2], {}, ['kept']);
  b2.node('Neg', [i2], {}, ['y']);
  b2.output('y');
  assert.deepEqual(ops(await optimised(b2.build(), 'all')), ['Relu', 'Neg']);
  const kept = await optimised(b2.build(), 'all', ['kept']);
  assert.ok(kept.nodes.some((n) => n.outputs.includes('kept')), 'a kept value keeps its name');
});

// ---------------------------------------------------------------------------------------------
// fold-batch-norm

test('fold-batch-norm: Conv+BN becomes one Conv with new weights; BNs that do not qualify stay', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 3, 6, 6]);
  const c1 = conv(b, 'x', 'c1', 3, 4, 3, 10);
  const y1 = bn(b, c1, 'bn1', 4, 20, 'y1'); // folds
  const c2 = conv(b, 'x', 'c2', 3, 4, 1, 30, {}, false);
  b.node('BatchNormalization', [c2, ...bnInits(b, 'bn2', 4, 40)], {}, ['y2']); // folds (no conv bias)
  const [r] = b.node('Relu', ['x']);
  bn(b, r, 'bn3', 3, 50, 'y3'); // no conv producer: stays
  const c4 = conv(b, 'x', 'c4', 3, 4, 3, 60);
  bn(b, c4, 'bn4', 4, 70, 'y4'); // the conv output is also a graph output: stays
  const c5 = conv(b, 'x', 'c5', 3, 4, 3, 80);
  bn(b, c5, 'bn5', 4, 90, 'y5'); // the conv output has a second reader: stays
  b.node('Neg', [c5], {}, ['y6']);
  for (const o of [y1, 'y2', 'y3', c4, 'y4', 'y5', 'y6']) b.output(o);
  const model = b.build();

  const g0 = await inferred(model);
  const g1 = step(g0, foldBatchNorm);
  assert.equal(g1.nodes.filter((n) => n.opType === 'BatchNormalization').length, 3);
  assert.equal(byOutput(g1, 'y1')?.opType, 'Conv');
  assert.equal(byOutput(g1, 'y2')?.opType, 'Conv');
  assert.equal(byOutput(g1, 'y2')?.inputs.length, 3, 'a folded conv without bias gets one');
  for (const y of ['y3', 'y4', 'y5']) assert.equal(byOutput(g1, y)?.opType, 'BatchNormalization', y);
  // The folded weights are W * s / sqrt(var + eps) per output channel (in float64, then float32).
  const conv1 = byOutput(g1, 'y1')!;
  const W = g0.initializers.get('c1_W')!.data;
  const W2 = g1.initializers.get(conv1.inputs[1])!.data;
  const B = g0.initializers.get('c1_B')!.data;
  const B2 = g1.initializers.get(conv1.inputs[2])!.data;
  const [s, bb, m, v] = ['s', 'b', 'm', 'v'].map((k) => g0.initializers.get(`bn1_${k}`)!.data);
  const eps = Math.fround(1e-3); // the attribute is a float32
  const wantB = new Float32Array(4);
  for (let c = 0; c < 4; c++) {
    const f = s[c] / Math.sqrt(v[c] + eps);
    for (let i = 0; i < 27; i++) assert.equal(W2[c * 27 + i], Math.fround(W[c * 27 + i] * f));
    wantB[c] = (B[c] - m[c]) * f + bb[c];
  }
  assertClose(B2, wantB, { rtol: 1e-6, atol: 1e-7 }, "B'");
  assert.deepEqual(g0.initializers.get('c1_W')!.data, spec([4, 3, 3, 3], 10, -0.5, 0.5).data, 'the old weights are not modified in place');
  // remove-dead-nodes drops the old weights and BN parameters.
  const g = await optimised(model, 'basic');
  assert.ok(!g.initializers.has('c1_W') && !g.initializers.has('bn1_s'));
  assert.ok(g.initializers.has('c4_W') && g.initializers.has('bn3_s'));

  const runs = await compareLevels(model, { x: f32([1, 3, 6, 6], 1) });
  assert.equal(runs.disabled.stats.dispatches - runs.all.stats.dispatches, 2);
});

test('fold-batch-norm: Gemm with transB = 0/1 and every form of C', async () => {
  const b = new ModelBuilder(13);
  const [M, K, N] = [5, 7, 6];
  b.input('a', [M, K]);
  const cases: { name: string; transB: number; c?: number[]; beta?: number; alpha?: number }[] = [
    { name: 'g0', transB: 0 },
    { name: 'g1', transB: 1, c: [N], alpha: 0.5 },
    { name: 'g2', transB: 0, c: [M, 1], beta: 2 },
    { name: 'g3', transB: 1, c: [M, N], beta: 0.5 },
    { name: 'g4', transB: 0, c: [1, N] },
    { name: 'g5', transB: 1, c: [] },
    { name: 'g6', transB: 0, c: [M, N], beta: 0 },
  ];
  cases.forEach((c, i) => {
    const w = b.init(`${c.name}_W`, spec(c.transB ? [N, K] : [K, N], 100 + i));
    const inputs = ['a', w];
    if (c.c) inputs.push(b.init(`${c.name}_C`, spec(c.c, 200 + i)));
    const attrs: Record<string, AttrInput> = { transB: c.transB };
    if (c.beta !== undefined) attrs.beta = { float: c.beta };
    if (c.alpha !== undefined) attrs.alpha = { float: c.alpha };
    const [y] = b.node('Gemm', inputs, attrs);
    bn(b, y, `${c.name}_bn`, N, 300 + 10 * i, `y_${c.name}`);
    b.output(`y_${c.name}`);
  });
  const model = b.build();
  const g = await optimised(model, 'basic');
  assert.deepEqual(ops(g), cases.map(() => 'Gemm'));
  for (const n of g.nodes) assert.equal(n.attributes.beta, 1);
  assert.deepEqual(g.initializers.get(byOutput(g, 'y_g2')!.inputs[2])?.dims, [M, N], 'a per-row C stays per row');
  assert.deepEqual(g.initializers.get(byOutput(g, 'y_g1')!.inputs[2])?.dims, [N]);
  await compareLevels(model, { a: f32([M, K], 3) });
});

test('fold-batch-norm: ConvTranspose weights scale per output channel across groups', async () => {
  // ConvTranspose W is [C, M/group, k...]: output channel g*M/group + j is column j of group g's rows.
  const [C, Mg, group, k] = [4, 3, 2, 2];
  const M = Mg * group;
  const t = (dims: number[], seed: number, lo = -1, hi = 1): HostTensor => ({ dtype: 'float32', dims, data: randomFloats(count(dims), seed, lo, hi) });
  const inits: Record<string, HostTensor> = {
    W: t([C, Mg, k, k], 1),
    B: t([M], 2),
    s: t([M], 3, 0.5, 1.5),
    b: t([M], 4),
    m: t([M], 5),
    v: t([M], 6, 0.5, 2),
  };
  const shapes: Record<string, number[]> = { x: [1, C, 3, 3], t: [1, M, 4, 4], y: [1, M, 4, 4] };
  const g: Graph = {
    name: 'g',
    opset: 13,
    opsets: {},
    nodes: [
      { name: 'ct', opType: 'ConvTranspose', domain: '', inputs: ['x', 'W', 'B'], outputs: ['t'], attributes: { group } },
      { name: 'bn', opType: 'BatchNormalization', domain: '', inputs: ['t', 's', 'b', 'm', 'v'], outputs: ['y'], attributes: {} },
    ],
    values: new Map([...Object.entries(shapes), ...Object.entries(inits).map(([n, v]) => [n, v.dims] as [string, number[]])].map(([name, shape]) => [name, { name, dtype: 'float32', shape }])),
    initializers: new Map(Object.entries(inits)),
    inputs: ['x'],
    outputs: ['y'],
  };
  const out = step(g, foldBatchNorm);
  assert.deepEqual(ops(out), ['ConvTranspose']);
  const n = out.nodes[0];
  assert.deepEqual(n.outputs, ['y']);
  const W2 = out.initializers.get(n.inputs[1])!.data;
  const B2 = out.initializers.get(n.inputs[2])!.data;
  const f = (oc: number) => inits.s.data[oc] / Math.sqrt(inits.v.data[oc] + 1e-5);
  for (let ci = 0; ci < C; ci++) {
    for (let j = 0; j < Mg; j++) {
      const oc = Math.floor(ci / (C / group)) * Mg + j;
      for (let i = 0; i < k * k; i++) {
        const at = (ci * Mg + j) * k * k + i;
        assert.equal(W2[at], Math.fround(inits.W.data[at] * f(oc)), `W'[${ci},${j},${i}]`);
      }
    }
  }
  const wantB = Float32Array.from({ length: M }, (_, oc) => (inits.B.data[oc] - inits.m.data[oc]) * f(oc) + inits.b.data[oc]);
  assertClose(B2, wantB, { rtol: 1e-6, atol: 1e-7 }, "B'");
});

test('model: ConvTranspose (groups, stride 2) + BN folds and matches the reference', async () => {
  const b = new ModelBuilder(13);
  const [C, Mg, group] = [4, 3, 2];
  b.input('x', [2, C, 5, 4]);
  const w = b.init('W', spec([C, Mg, 3, 3], 1, -0.5, 0.5));
  const [t] = b.node('ConvTranspose', ['x', w, b.init('B', spec([Mg * group], 2))], { group, strides: [2, 2], pads: [1, 1, 1, 1] });
  bn(b, t, 'bn', Mg * group, 3, 'y');
  b.output('y');
  const runs = await compareLevels(b.build(), { x: f32([2, C, 5, 4], 4) });
  assert.deepEqual(ops(runs.all.graph), ['ConvTranspose']);
  assert.equal(runs.disabled.stats.dispatches - runs.all.stats.dispatches, 1);
});

// ---------------------------------------------------------------------------------------------
// fuse-activations

/** Every activation the epilogue knows, as (op, attrs, constant inputs, opset). */
const ACTIVATIONS: { op: string; attrs?: Record<string, AttrInput>; clip?: [number, number]; params: number[] }[] = [
  { op: 'Relu', params: [] },
  { op: 'Clip', clip: [-0.25, 0.5], params: [-0.25, 0.5] },
  { op: 'LeakyRelu', attrs: { alpha: { float: 0.2 } }, params: [0.2] },
  { op: 'Sigmoid', params: [] },
  { op: 'HardSigmoid', attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } }, params: [0.3, 0.4] },
  { op: 'HardSwish', params: [] },
  { op: 'Tanh', params: [] },
  { op: 'Elu', attrs: { alpha: { float: 0.7 } }, params: [0.7] },
  { op: 'Selu', params: [1.67326319217681884765625, 1.05070102214813232421875] },
  { op: 'Softplus', params: [] },
];

test('fuse-activations: every epilogue activation fuses into a Conv with its parameters; all match the reference', async () => {
  const b = new ModelBuilder(14);
  b.input('x', [2, 3, 5, 6]);
  ACTIVATIONS.forEach((a, i) => {
    const c = conv(b, 'x', `c${i}`, 3, 5, 3, 10 * i);
    const inputs = [c];
    if (a.clip) inputs.push(b.init(`lo${i}`, { dtype: 'float32', dims: [], data: [a.clip[0]] }), b.init(`hi${i}`, { dtype: 'float32', dims: [], data: [a.clip[1]] }));
    b.node(a.op, inputs, a.attrs ?? {}, [`y_${a.op}`]);
    b.output(`y_${a.op}`);
  });
  // SiLU, both operand orders.
  for (const [i, swap] of [[0, false], [1, true]] as const) {
    const c = conv(b, 'x', `silu${i}`, 3, 5, 3, 500 + i);
    const [s] = b.node('Sigmoid', [c]);
    b.node('Mul', swap ? [s, c] : [c, s], {}, [`y_silu${i}`]);
    b.output(`y_silu${i}`);
  }
  // HardSwish as PyTorch exports it below opset 14: x * HardSigmoid(x, 1/6, 0.5), both operand
  // orders; with other alpha/beta the HardSigmoid alone stays (x is read twice: no fusion).
  for (const [i, swap] of [[0, false], [1, true]] as const) {
    const c = conv(b, 'x', `hswish${i}`, 3, 5, 3, 600 + i);
    const [h] = b.node('HardSigmoid', [c], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
    b.node('Mul', swap ? [h, c] : [c, h], {}, [`y_hswish${i}`]);
    b.output(`y_hswish${i}`);
  }
  const cOther = conv(b, 'x', 'hsother', 3, 5, 3, 700);
  const [hOther] = b.node('HardSigmoid', [cOther], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
  b.node('Mul', [cOther, hOther], {}, ['y_hsother']);
  b.output('y_hsother');
  const model = b.build();
  const g0 = await inferred(model);
  const g = step(g0, fuseActivations);
  assert.deepEqual(ops(g), [...ACTIVATIONS.map(() => 'Conv'), 'Conv', 'Conv', 'Conv', 'Conv', 'Conv', 'HardSigmoid', 'Mul']);
  for (const i of [0, 1]) assert.deepEqual(act(byOutput(g, `y_hswish${i}`)), ['HardSwish', undefined]);
  for (const a of ACTIVATIONS) {
    const n = byOutput(g, `y_${a.op}`);
    assert.equal(n?.attributes['fovea.activation'], a.op);
    const p = n?.attributes['fovea.activation_params'] as number[] | undefined;
    assert.deepEqual((p ?? []).map(Math.fround), a.params.map(Math.fround), `${a.op} params`);
  }
  for (const i of [0, 1]) assert.deepEqual(act(byOutput(g, `y_silu${i}`)), ['Silu', undefined]);

  const x = f32([2, 3, 5, 6], 7, -3, 3);
  for (const forceAlgorithm of ['implicit-gemm', 'direct']) {
    const runs = await compareLevels(model, { x }, { forceAlgorithm });
    assert.equal(runs.disabled.stats.dispatches - runs.all.stats.dispatches, ACTIVATIONS.length + 8);
  }
});

test('fuse-activations: Clip of opset < 11 (attributes) and of opset 11 with one bound absent', async () => {
  const b6 = new ModelBuilder(6);
  b6.input('x', [1, 2, 4, 4]);
  b6.node('Clip', [conv(b6, 'x', 'c', 2, 3, 3, 1)], { min: { float: 0 }, max: { float: 6 } }, ['y']);
  b6.output('y');
  assert.deepEqual(act(byOutput(await optimised(b6.build()), 'y')), ['Clip', [0, 6]]);

  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 4, 4]);
  b.node('Clip', [conv(b, 'x', 'c', 2, 3, 3, 1), '', b.init('hi', { dtype: 'float32', dims: [], data: [0.25] })], {}, ['y']);
  b.output('y');
  const model = b.build();
  const [name, params] = act(byOutput(await optimised(model), 'y')) as [string, number[]];
  assert.equal(name, 'Clip');
  assert.equal(params[0], -3.4028234663852886e38);
  assert.equal(Math.fround(params[1]), Math.fround(0.25));
  await compareLevels(model, { x: f32([1, 2, 4, 4], 2, -2, 2) });
});

test('fuse-activations: Gemm and MatMul take the epilogue too', async () => {
  const b = new ModelBuilder(13);
  b.input('a', [3, 10]);
  b.input('m', [2, 3, 10]);
  const [g] = b.node('Gemm', ['a', b.init('W', spec([6, 10], 1)), b.init('C', spec([6], 2))], { transB: 1 });
  b.node('Relu', [g], {}, ['y_gemm']);
  const [mm] = b.node('MatMul', ['m', b.init('Wm', spec([10, 4], 3))]);
  b.node('LeakyRelu', [mm], { alpha: { float: 0.1 } }, ['y_matmul']);
  const [bm] = b.node('MatMul', ['m', b.init('Wb', spec([2, 10, 3], 4))]); // batched
  b.node('Sigmoid', [bm], {}, ['y_batched']);
  for (const y of ['y_gemm', 'y_matmul', 'y_batched']) b.output(y);
  const model = b.build();
  const gr = await optimised(model);
  assert.deepEqual(ops(gr), ['Gemm', 'MatMul', 'MatMul']);
  assert.deepEqual(act(byOutput(gr, 'y_gemm')), ['Relu', undefined]);
  assert.deepEqual(act(byOutput(gr, 'y_matmul')).map((v) => (Array.isArray(v) ? (v as number[]).map(Math.fround) : v)), ['LeakyRelu', [Math.fround(0.1)]]);
  assert.deepEqual(act(byOutput(gr, 'y_batched')), ['Sigmoid', undefined]);
  const feeds = { a: f32([3, 10], 5), m: f32([2, 3, 10], 6) };
  for (const forceAlgorithm of ['gemm-tiled', 'gemm-skinny']) {
    const runs = await compareLevels(model, feeds, { forceAlgorithm });
    assert.equal(runs.disabled.stats.dispatches - runs.all.stats.dispatches, 3);
  }
});

test('fuse-activations leaves activations whose input is shared, is an output, is kept, or is not a Conv/Gemm/MatMul', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 4, 4]);
  const c1 = conv(b, 'x', 'c1', 2, 3, 3, 1);
  b.node('Relu', [c1], {}, ['y1']);
  b.node('Neg', [c1], {}, ['y2']); // c1 has two readers
  const c2 = conv(b, 'x', 'c2', 2, 3, 3, 2);
  b.node('Relu', [c2], {}, ['y3']); // c2 is a graph output
  const c3 = conv(b, 'x', 'c3', 2, 3, 3, 3);
  const [r3] = b.node('Relu', [c3]); // fuses
  b.node('Relu', [r3], {}, ['y4']); // the conv already has an activation: stays
  const [n] = b.node('Neg', ['x']);
  b.node('Relu', [n], {}, ['y5']); // not a conv
  const c4 = conv(b, 'x', 'c4', 2, 3, 3, 4);
  const [s4] = b.node('Sigmoid', [c4]);
  b.node('Mul', [c4, s4], {}, ['y6']);
  b.node('Neg', [s4], {}, ['y7']); // the sigmoid is read elsewhere: no SiLU
  const c5 = conv(b, 'x', 'c5', 2, 3, 3, 5, {}, true);
  b.node('Relu', [c5], {}, ['y8']); // c5 is kept below
  for (const y of ['y1', 'y2', c2, 'y3', 'y4', 'y5', 'y6', 'y7', 'y8']) b.output(y);
  const model = b.build();
  const g = await optimised(model, 'all', [c5]);
  assert.equal(byOutput(g, 'y1')?.opType, 'Relu');
  assert.equal(byOutput(g, 'y3')?.opType, 'Relu');
  assert.equal(byOutput(g, r3)?.opType, 'Conv');
  assert.equal(byOutput(g, 'y4')?.opType, 'Relu');
  assert.equal(byOutput(g, 'y5')?.opType, 'Relu');
  assert.equal(byOutput(g, 'y6')?.opType, 'Mul');
  assert.equal(byOutput(g, s4)?.opType, 'Sigmoid');
  assert.equal(byOutput(g, 'y8')?.opType, 'Relu');
  assert.equal(g.nodes.filter((x) => x.attributes['fovea.activation'] !== undefined).length, 1);

  // A kept value is fused at no level and stays readable.
  const s = await InferenceSession.create(model, { keepValues: [c5] });
  try {
    await s.run({ x: f32([1, 2, 4, 4], 9) });
    assert.deepEqual((await s.fetchValue(c5)).dims, [1, 3, 4, 4]);
  } finally {
    await s.release();
  }
});

// ---------------------------------------------------------------------------------------------
// fuse-residual-add

/** A ResNet basic block: conv-bn-relu, conv-bn, + skip (identity, or a 1x1 conv-bn downsample
 * with stride 2), relu. */
function basicBlock(b: ModelBuilder, x: string, C: number, M: number, downsample: boolean, seed: number, out?: string): string {
  const stride = downsample ? 2 : 1;
  const c1 = conv(b, x, `b${seed}_c1`, C, M, 3, seed, { strides: [stride, stride] }, false);
  const [r1] = b.node('Relu', [bn(b, c1, `b${seed}_bn1`, M, seed + 1)]);
  const c2 = conv(b, r1, `b${seed}_c2`, M, M, 3, seed + 2, {}, false);
  const main = bn(b, c2, `b${seed}_bn2`, M, seed + 3);
  const skip = downsample ? bn(b, conv(b, x, `b${seed}_cd`, C, M, 1, seed + 4, { strides: [2, 2] }, false), `b${seed}_bnd`, M, seed + 5) : x;
  const [sum] = b.node('Add', [main, skip]);
  return b.node('Relu', [sum], {}, out ? [out] : 1)[0];
}

test('fuse-residual-add: a ResNet block with a downsample branch becomes 3 convs, the last with residual + Relu', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 4, 8, 8]);
  const h = basicBlock(b, 'x', 4, 8, true, 10);
  basicBlock(b, h, 8, 8, false, 30, 'y');
  b.output('y');
  const model = b.build();

  const g0 = await inferred(model);
  const g1 = step(g0, removeIdentities);
  const g2 = step(g1, foldBatchNorm);
  assert.equal(g2.nodes.filter((n) => n.opType === 'BatchNormalization').length, 0);
  const g3 = step(g2, fuseResidualAdd);
  assert.equal(g3.nodes.filter((n) => n.opType === 'Add').length, 0);
  const g4 = step(g3, fuseActivations);
  assert.deepEqual(ops(g4), ['Conv', 'Conv', 'Conv', 'Conv', 'Conv']);
  const last = byOutput(g4, 'y')!;
  assert.equal(last.attributes['fovea.residual'], 1);
  assert.equal(last.inputs[3], h, 'the identity skip is the block input');
  assert.deepEqual(act(last), ['Relu', undefined]);
  // Block 1: conv1 (Relu), the 1x1 downsample (plain), conv2 (residual = downsample, Relu).
  const b1 = byOutput(g4, h)!;
  const down = byOutput(g4, b1.inputs[3])!;
  assert.equal(b1.attributes['fovea.residual'], 1);
  assert.deepEqual(act(b1), ['Relu', undefined]);
  assert.deepEqual(down.attributes.strides, [2, 2]);
  assert.deepEqual(act(down), [undefined, undefined]);
  assert.equal(down.attributes['fovea.residual'], undefined);
  assert.equal(g4.nodes.filter((n) => n.attributes['fovea.activation'] === 'Relu').length, 4);

  const x = f32([2, 4, 8, 8], 3);
  for (const forceAlgorithm of ['implicit-gemm', 'direct']) {
    const runs = await compareLevels(model, { x }, { forceAlgorithm });
    assert.equal(runs.all.stats.dispatches, 5);
    assert.ok(runs.disabled.stats.dispatches >= 5 + 5 + 2 + 4, `${runs.disabled.stats.dispatches} dispatches unoptimised`);
  }
});

test('fuse-residual-add leaves broadcasting Adds, Adds after an activation, and shared conv outputs', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 3, 5, 5]);
  b.input('bias', [3, 1, 1]);
  const c1 = conv(b, 'x', 'c1', 3, 3, 3, 1);
  b.node('Add', [c1, 'bias'], {}, ['y1']); // broadcasting
  const c2 = conv(b, 'x', 'c2', 3, 3, 3, 2);
  const [r2] = b.node('Relu', [c2]);
  b.node('Add', [r2, 'x'], {}, ['y2']); // Add(relu(conv), x) is not relu(conv + x): the Relu fuses, the Add stays
  const c3 = conv(b, 'x', 'c3', 3, 3, 3, 3);
  b.node('Add', [c3, 'x'], {}, ['y3']);
  b.node('Neg', [c3], {}, ['y4']); // c3 has two readers
  const c4 = conv(b, 'x', 'c4', 3, 3, 3, 4);
  b.node('Add', ['x', c4], {}, ['y5']); // the conv as operand 1: fuses
  for (const y of ['y1', 'y2', 'y3', 'y4', 'y5']) b.output(y);
  const model = b.build();
  const g = await optimised(model);
  assert.equal(byOutput(g, 'y1')?.opType, 'Add');
  assert.equal(byOutput(g, 'y2')?.opType, 'Add');
  assert.deepEqual(act(byOutput(g, r2)), ['Relu', undefined]);
  assert.equal(byOutput(g, 'y3')?.opType, 'Add');
  const c = byOutput(g, 'y5')!;
  assert.equal(c.opType, 'Conv');
  assert.deepEqual(c.inputs.slice(3), ['x']);
  await compareLevels(model, { x: f32([1, 3, 5, 5], 5), bias: f32([3, 1, 1], 6) });
});

test('Conv residual epilogue without a bias, read from a graph input', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 5, 6, 7]);
  b.input('skip', [2, 6, 6, 7]);
  const c = conv(b, 'x', 'c', 5, 6, 3, 1, {}, false);
  const [s] = b.node('Add', [c, 'skip']);
  b.node('HardSigmoid', [s], {}, ['y']);
  b.output('y');
  const model = b.build();
  const g = await optimised(model);
  assert.deepEqual(ops(g), ['Conv']);
  assert.deepEqual(g.nodes[0].inputs, ['x', 'c_W', '', 'skip']);
  for (const forceAlgorithm of ['implicit-gemm', 'direct']) await compareLevels(model, { x: f32([2, 5, 6, 7], 2), skip: f32([2, 6, 6, 7], 3, -2, 2) }, { forceAlgorithm });
});

// ---------------------------------------------------------------------------------------------
// whole models: 'all' vs 'disabled' vs onnxruntime-node

test('model: Conv+BN+Relu', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 3, 9, 9]);
  const [r] = b.node('Relu', [bn(b, conv(b, 'x', 'c1', 3, 16, 3, 1, { strides: [2, 2] }), 'bn1', 16, 2)]);
  b.node('Relu', [bn(b, conv(b, r, 'c2', 16, 8, 3, 3), 'bn2', 8, 4)], {}, ['y']);
  b.output('y');
  // One dispatch per conv (implicit GEMM) keeps the counts exact: Winograd/im2col use several.
  const runs = await compareLevels(b.build(), { x: f32([2, 3, 9, 9], 5) }, { forceAlgorithm: 'implicit-gemm' });
  assert.deepEqual(ops(runs.all.graph), ['Conv', 'Conv']);
  assert.equal(runs.all.stats.dispatches, 2);
  assert.equal(runs.disabled.stats.dispatches, 6);
});

test('model: MobileNetV2 inverted residual, Conv+BN+Clip(0,6) with a depthwise conv', async () => {
  const b = new ModelBuilder(13);
  const C = 8;
  const E = 24;
  b.input('x', [1, C, 7, 7]);
  const lo = b.init('zero', { dtype: 'float32', dims: [], data: [0] });
  const hi = b.init('six', { dtype: 'float32', dims: [], data: [6] });
  const [e] = b.node('Clip', [bn(b, conv(b, 'x', 'expand', C, E, 1, 1, {}, false), 'bn_e', E, 2), lo, hi]);
  const [d] = b.node('Clip', [bn(b, conv(b, e, 'dw', E, E, 3, 3, { group: E }, false), 'bn_d', E, 4), lo, hi]);
  const p = bn(b, conv(b, d, 'project', E, C, 1, 5, {}, false), 'bn_p', C, 6);
  b.node('Add', ['x', p], {}, ['y']);
  b.output('y');
  const model = b.build();
  const g = await optimised(model);
  assert.deepEqual(ops(g), ['Conv', 'Conv', 'Conv']);
  assert.deepEqual(act(g.nodes[0]), ['Clip', [0, 6]]);
  assert.deepEqual(act(g.nodes[1]), ['Clip', [0, 6]]);
  assert.equal(g.nodes[1].attributes.group, E);
  assert.deepEqual(g.nodes[2].inputs[3], 'x', 'the projection takes the block input as residual');
  const x = f32([1, C, 7, 7], 7, -4, 4);
  const runs = await compareLevels(model, { x });
  assert.equal(runs.all.stats.dispatches, 3);
  assert.equal(runs.disabled.stats.dispatches, 9);
});

test('fused activation parameters are uniforms: two Clip ranges share one pipeline', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 4, 6, 6]);
  for (const [i, lo, hi] of [[0, 0, 6], [1, -0.5, 0.5]]) {
    const bounds = [b.init(`lo${i}`, { dtype: 'float32', dims: [], data: [lo] }), b.init(`hi${i}`, { dtype: 'float32', dims: [], data: [hi] })];
    b.node('Clip', [conv(b, 'x', `c${i}`, 4, 8, 3, 10 + i), ...bounds], {}, [`y${i}`]);
    b.output(`y${i}`);
  }
  const runs = await compareLevels(b.build(), { x: f32([1, 4, 6, 6], 3, -2, 2) }, { forceAlgorithm: 'implicit-gemm' });
  assert.deepEqual(runs.all.graph.nodes.map((n) => act(n)[1]), [[0, 6], [-0.5, 0.5]]);
  assert.equal(runs.all.stats.dispatches, 2);
  assert.equal(runs.all.stats.pipelines, 1);
});

test('model: Gemm+Relu classifier head after a flatten, and Gemm+BN', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [4, 2, 3, 3]);
  const [f] = b.node('Flatten', ['x'], { axis: 1 });
  const [h] = b.node('Gemm', [f, b.init('W1', spec([32, 18], 1)), b.init('B1', spec([32], 2))], { transB: 1 });
  const [r] = b.node('Relu', [bn(b, h, 'bn', 32, 3)]);
  const [o] = b.node('Gemm', [r, b.init('W2', spec([32, 10], 4)), b.init('B2', spec([10], 5))]);
  b.node('Relu', [o], {}, ['y']);
  b.output('y');
  const runs = await compareLevels(b.build(), { x: f32([4, 2, 3, 3], 6) });
  assert.deepEqual(ops(runs.all.graph), ['Flatten', 'Gemm', 'Gemm']);
  assert.equal(runs.all.stats.dispatches, 2);
  assert.equal(runs.disabled.stats.dispatches, 5);
});

test('model: Conv+HardSwish and Conv+SiLU', async () => {
  const b = new ModelBuilder(14);
  b.input('x', [1, 3, 8, 8]);
  const [hs] = b.node('HardSwish', [bn(b, conv(b, 'x', 'c1', 3, 12, 3, 1, { strides: [2, 2] }, false), 'bn1', 12, 2)]);
  const c2 = bn(b, conv(b, hs, 'c2', 12, 6, 3, 3, {}, false), 'bn2', 6, 4);
  const [s] = b.node('Sigmoid', [c2]);
  b.node('Mul', [c2, s], {}, ['y']);
  b.output('y');
  const runs = await compareLevels(b.build(), { x: f32([1, 3, 8, 8], 5, -3, 3) }, { forceAlgorithm: 'implicit-gemm' });
  assert.deepEqual(runs.all.graph.nodes.map((n) => n.attributes['fovea.activation']), ['HardSwish', 'Silu']);
  assert.equal(runs.all.stats.dispatches, 2);
  assert.equal(runs.disabled.stats.dispatches, 7);
});

test('model: a BatchNormalization with no conv before it stays a BatchNormalization', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [2, 5, 4, 3]);
  const [p] = b.node('MaxPool', ['x'], { kernel_shape: [2, 2], pads: [0, 0, 1, 1] });
  const y = bn(b, p, 'bn', 5, 1);
  b.node('Relu', [y], {}, ['out']);
  b.output('out');
  const runs = await compareLevels(b.build(), { x: f32([2, 5, 4, 3], 2) });
  assert.deepEqual(ops(runs.all.graph), ['MaxPool', 'BatchNormalization', 'Relu']);
  assert.equal(runs.all.stats.dispatches, runs.disabled.stats.dispatches);
});

// ---------------------------------------------------------------------------------------------
// levels, options and untrusted attributes

test('graphOptimizationLevel: disabled runs the required passes only, basic adds the rewrites that stay ONNX', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 5, 5]);
  const [i] = b.node('Identity', ['x']);
  const [r] = b.node('Relu', [bn(b, conv(b, i, 'c', 2, 4, 3, 1), 'bn', 4, 2)]);
  b.node('Add', [conv(b, r, 'c2', 4, 4, 3, 3), r], {}, ['y']);
  b.output('y');
  const model = b.build();
  assert.deepEqual(ops(await optimised(model, 'disabled')), ['Identity', 'Conv', 'BatchNormalization', 'Relu', 'Conv', 'Add']);
  assert.deepEqual(ops(await optimised(model, 'basic')), ['Conv', 'Relu', 'Conv', 'Add']);
  assert.deepEqual(ops(await optimised(model, 'all')), ['Conv', 'Conv']);
  assert.deepEqual(ops(runPasses(await decodeModel(model), { verify: true })), ['Conv', 'Conv'], "'all' is the default");
  await assert.rejects(InferenceSession.create(model, { graphOptimizationLevel: 'extended' as GraphOptimizationLevel }), InputError);
});

test('untrusted fusion attributes in a model file are checked', async () => {
  const model = (attrs: Record<string, AttrInput>, extra: string[] = []) => {
    const b = new ModelBuilder(13);
    b.input('x', [1, 2, 4, 4]);
    b.input('r', [1, 3, 4, 4]);
    b.input('r2', [1, 3, 2, 2]);
    b.node('Conv', ['x', b.init('W', spec([3, 2, 3, 3], 1)), ...extra], { pads: [1, 1, 1, 1], ...attrs }, ['y']);
    b.output('y');
    return b.build();
  };
  await assert.rejects(InferenceSession.create(model({ 'fovea.residual': 1 })), ShapeError, 'residual flag without input 3');
  await assert.rejects(InferenceSession.create(model({}, ['', 'r'])), ShapeError, 'input 3 without the residual flag');
  await assert.rejects(InferenceSession.create(model({ 'fovea.residual': 1 }, ['', 'r2'])), ShapeError, 'residual of the wrong shape');
  await assert.rejects(InferenceSession.create(model({ 'fovea.activation': 'Clip' })), ShapeError, 'Clip without parameters');
  await assert.rejects(InferenceSession.create(model({ 'fovea.activation': 'Tanh; }' })), ShapeError, 'not a name');
  // A Gemm whose inputs are constant folds on the host, epilogue included.
  const b = new ModelBuilder(13);
  b.input('x', [2, 3]);
  const A = spec([2, 4], 2);
  const B = spec([4, 3], 3);
  b.node('Gemm', [b.init('A', A), b.init('B', B)], { 'fovea.activation': 'Clip', 'fovea.activation_params': { floats: [-0.2, 0.3] } }, ['g']);
  b.node('Add', ['x', 'g'], {}, ['y']);
  b.output('y');
  const s = await InferenceSession.create(b.build());
  try {
    const zeros = new Tensor('float32', new Float32Array(6), [2, 3]);
    const out = await s.run({ x: zeros });
    assert.equal((await s.stats()).dispatches, 1, 'only the Add runs');
    const want = new Float32Array(6);
    for (let m = 0; m < 2; m++) {
      for (let n = 0; n < 3; n++) {
        let acc = 0;
        for (let k = 0; k < 4; k++) acc += A.data[m * 4 + k] * B.data[k * 3 + n];
        want[m * 3 + n] = Math.min(Math.max(acc, Math.fround(-0.2)), Math.fround(0.3));
      }
    }
    assertClose(out.y.data as Float32Array, want, { rtol: 1e-5, atol: 1e-6 });
    assert.ok([...want].some((v) => v === Math.fround(0.3)) && [...want].some((v) => v === Math.fround(-0.2)), 'the data reaches both bounds');
  } finally {
    await s.release();
  }
});

test('the verifier re-runs shape inference after each pass: a stale value type or an unknown fovea.* attribute fails', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 2, 4, 4]);
  b.init('w', { dtype: 'float32', dims: [3, 2, 1, 1], data: randomFloats(6, 5) });
  b.node('Conv', ['x', 'w'], {}, ['c']);
  b.node('Relu', ['c'], {}, ['y']);
  b.output('y', [1, 3, 4, 4]);
  const g = runPasses(await decodeModel(b.build()), { verify: true });
  checkInferredTypes(g, 'test');
  const stale = { ...g, values: new Map(g.values) };
  stale.values.set('y', { ...stale.values.get('y')!, shape: [1, 3, 4, 5] });
  assert.throws(() => checkInferredTypes(stale, 'a-pass'), (e: Error) => e instanceof GraphError && /after pass a-pass/.test(e.message) && /\[1,3,4,5\]/.test(e.message));
  const typo = { ...g, nodes: g.nodes.map((n) => (n.opType === 'Conv' ? { ...n, attributes: { ...n.attributes, 'fovea.activaton': 'Relu' } } : n)) };
  assert.throws(() => checkInferredTypes(typo, 'a-pass'), /unknown internal attribute "fovea.activaton"/);
});
