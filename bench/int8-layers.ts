// GPU time per layer of int8 QLinearConv against the float32 Conv on ResNet-style 1x1 and 3x3
// layers: one session per layer and kernel variant, a single conv node (+ bias), timed with
// run({ profile: true }) (the GPU's timestamps per dispatch where the adapter has
// 'timestamp-query'): the sum of the conv node's dispatches, median of `--runs` runs after a
// warm-up run. float32 runs the session's default choice (conv.ts's cost rule); int8 runs each
// integer-kernel variant of runtime/ops/quant/int-conv.ts ('auto' is the default choice) on
// uint8 activations and int8 per-output-channel weights with an int32 bias, the layout
// onnxruntime's quantizer emits (QOperator form). The int8 weights are packed once at create
// (host), so no packing dispatch is timed.
//   node --import tsx bench/int8-layers.ts [--layers 3x3:64@28,1x1:256>64@28] [--runs 7] [--algo auto,packed,plain]
// A layer is KxK:C@S (C -> C channels at S x S) or KxK:C>M@S (C -> M channels); stride 1,
// 'same' padding.
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { INT_CONV_ALGORITHMS } from '../runtime/ops/quant/int-conv.js';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats, rng } from '../tests/util/rng.js';
import { option } from './args.js';

interface Layer { k: number; C: number; M: number; S: number; name: string }

const DEFAULT = '3x3:64@28,3x3:128@28,3x3:256@14,1x1:64>256@28,1x1:256>64@28,1x1:512>128@14';
const layers: Layer[] = option('layers', DEFAULT).split(',').map((spec) => {
  const m = spec.match(/^(\d)x\d:(\d+)(?:>(\d+))?@(\d+)$/);
  if (!m) throw new Error(`layer "${spec}": expected KxK:C@S or KxK:C>M@S`);
  const [k, C, M, S] = [Number(m[1]), Number(m[2]), Number(m[3] ?? m[2]), Number(m[4])];
  return { k, C, M, S, name: spec };
});
const runs = Number(option('runs', '7'));
const algos = option('algo', ['auto', ...INT_CONV_ALGORITHMS].join(',')).split(',');

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function ints(n: number, seed: number, lo: number, hi: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

function floatModel(l: Layer): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [1, l.C, l.S, l.S]);
  const s = Math.sqrt(6 / (l.k * l.k * l.C));
  const w = b.init('w', { dtype: 'float32', dims: [l.M, l.C, l.k, l.k], data: randomFloats(l.M * l.C * l.k * l.k, 2, -s, s) });
  const bias = b.init('b', { dtype: 'float32', dims: [l.M], data: randomFloats(l.M, 3, -0.1, 0.1) });
  const p = (l.k - 1) / 2;
  b.node('Conv', ['x', w, bias], { pads: [p, p, p, p] }, ['y']);
  b.output('y', [1, l.M, l.S, l.S]);
  return b.build();
}

function int8Model(l: Layer): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [1, l.C, l.S, l.S], 'uint8');
  const f = (name: string, dims: number[], data: number[]) => b.init(name, { dtype: 'float32', dims, data });
  const q = (name: string, dtype: 'uint8' | 'int8' | 'int32', dims: number[], data: number[]) => b.init(name, { dtype, dims, data });
  const K = l.C * l.k * l.k;
  const ws = Array.from(randomFloats(l.M, 4, 0.002, 0.004));
  const ins = [
    'x', f('xs', [], [0.02]), q('xz', 'uint8', [], [128]),
    q('w', 'int8', [l.M, l.C, l.k, l.k], ints(l.M * K, 5, -127, 127)), f('ws', [l.M], ws), q('wz', 'int8', [l.M], new Array(l.M).fill(0)),
    // y's scale keeps the requantised outputs inside the 8-bit range for these random operands.
    f('ys', [], [0.02 * 0.003 * 40 * Math.sqrt(K)]), q('yz', 'uint8', [], [128]), q('bias', 'int32', [l.M], ints(l.M, 6, -2000, 2000)),
  ];
  const p = (l.k - 1) / 2;
  b.node('QLinearConv', ins, { pads: [p, p, p, p] }, ['y']);
  b.output('y', [1, l.M, l.S, l.S], 'uint8');
  return b.build();
}

/** Median GPU ms of the conv node's dispatches, its kernel variants and the adapter. */
async function time(bytes: Uint8Array, feeds: Record<string, Tensor>, opts: Parameters<typeof InferenceSession.create>[1]): Promise<{ ms: number; variant: string; adapter: string; method: string }> {
  const s = await InferenceSession.create(bytes, opts);
  try {
    await s.run(feeds);
    const ms: number[] = [];
    let variant = '';
    let method = '';
    for (let r = 0; r < runs; r++) {
      const p = (await s.run(feeds, { profile: true })).profile!;
      const conv = p.dispatches.filter((d) => d.op === 'Conv' || d.op === 'QLinearConv');
      ms.push(conv.reduce((a, d) => a + d.ms, 0));
      variant = [...new Set(conv.map((d) => d.variant))].join(' + ');
      method = p.method;
    }
    return { ms: median(ms), variant, adapter: s.adapter, method };
  } finally {
    await s.release();
  }
}

let header = false;
for (const l of layers) {
  const xf = new Tensor('float32', randomFloats(l.C * l.S * l.S, 1, 0, 2), [1, l.C, l.S, l.S]);
  const xq = new Tensor('uint8', Uint8Array.from(ints(l.C * l.S * l.S, 7, 0, 255)), [1, l.C, l.S, l.S]);
  const macs = l.M * l.C * l.k * l.k * l.S * l.S;
  const f32 = await time(floatModel(l), { x: xf }, {});
  if (!header) {
    console.log(`adapter ${f32.adapter}, GPU time per layer (${f32.method}), median of ${runs} runs; stride 1, same padding`);
    header = true;
  }
  const row = (what: string, t: { ms: number; variant: string }) =>
    `${l.name.padEnd(16)} ${what.padEnd(12)} ${t.ms.toFixed(3).padStart(9)} ms ${((2 * macs) / t.ms / 1e6).toFixed(2).padStart(7)} G(OP)/s  x${(t.ms / f32.ms).toFixed(2)} of f32  [${t.variant}]`;
  console.log(row('float32', f32));
  for (const algo of algos) {
    const t = await time(int8Model(l), { x: xq }, algo === 'auto' ? {} : { forceAlgorithm: algo });
    console.log(row(`int8 ${algo}`, t));
  }
}
process.exit(0);
