// Whole-model benchmark: Fovea next to onnxruntime-web's WebGPU provider and onnxruntime-node's
// webgpu provider, in Node over dawn.node on the same adapter. 224x224, batch 1, seeded weights.
// Reports create time, first run and the median (min–max) of N runs, and Fovea's ratio to ORT-web.
//   npm run bench -- [--runs 5] [--models resnet18,mobilenet_v2] [--no-peers]
//   npm run bench -- --precision float32,float16,int8 [...]: see bench/precision.ts
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ortWebSession, ortNodeWebgpuSession, type PeerSession } from './peers.js';
import { randomFloats } from '../tests/util/rng.js';
import { option, flag } from './args.js';
import { benchPrecision } from './precision.js';

const runs = Number(option('runs', '5'));
const models = option('models', 'squeezenet1_1,mobilenet_v2,resnet18,resnet50,vgg16').split(',');
const peers = !flag('no-peers');
const dir = process.env.FOVEA_BENCH_DIR ?? join(homedir(), '.cache', 'fovea', 'bench');

interface Timing {
  create: number;
  first: number;
  median: number;
  min: number;
  max: number;
}

async function time(make: () => Promise<PeerSession>, x: Float32Array, dims: number[]): Promise<Timing> {
  const t0 = performance.now();
  const s = await make();
  const t1 = performance.now();
  await s.run(x, dims);
  const t2 = performance.now();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await s.run(x, dims);
    ts.push(performance.now() - a);
  }
  await s.release();
  ts.sort((a, b) => a - b);
  return { create: t1 - t0, first: t2 - t1, median: ts[Math.floor(ts.length / 2)], min: ts[0], max: ts[ts.length - 1] };
}

function fovea(bytes: Uint8Array): () => Promise<PeerSession> {
  return async () => {
    const s = await InferenceSession.create(bytes);
    const input = s.inputNames[0];
    const output = s.outputNames[0];
    return {
      run: async (x, dims) => (await s.run({ [input]: new Tensor('float32', x, dims) }))[output].data as Float32Array,
      release: () => s.release(),
    };
  };
}

async function main() {
  if (option('precision', '')) {
    await benchPrecision();
    process.exit(0);
  }
  const missing = models.filter((m) => !existsSync(join(dir, `${m}.onnx`)));
  if (missing.length) {
    console.log(`exporting ${missing.join(', ')} to ${dir} (python3-torch)…`);
    const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname ?? 'bench', 'export-models.py'), dir, ...missing], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('export failed: run `npm run setup` first');
  }
  const dims = [1, 3, 224, 224];
  const x = randomFloats(3 * 224 * 224, 7);
  const rows: string[][] = [];
  const fmt = (t?: Timing) => (t ? [t.create.toFixed(0), t.first.toFixed(0), `${t.median.toFixed(0)} (${t.min.toFixed(0)}–${t.max.toFixed(0)})`] : ['-', '-', '-']);
  for (const m of models) {
    const bytes = new Uint8Array(readFileSync(join(dir, `${m}.onnx`)));
    const results: Record<string, Timing | undefined> = {};
    for (const [name, make] of [
      ['fovea', fovea(bytes)],
      ...(peers ? ([['ort-web-webgpu', () => ortWebSession(bytes, 'input')], ['ort-node-webgpu', () => ortNodeWebgpuSession(bytes, 'input')]] as const) : []),
    ] as [string, () => Promise<PeerSession>][]) {
      try {
        results[name] = await time(make, x, dims);
      } catch (e) {
        console.log(`${m} / ${name}: failed: ${(e as Error).message.split('\n')[0]}`);
      }
      const t = results[name];
      if (t) console.log(`${m} / ${name}: create ${t.create.toFixed(0)} ms, first ${t.first.toFixed(0)} ms, median ${t.median.toFixed(1)} ms (${t.min.toFixed(0)}–${t.max.toFixed(0)})`);
    }
    const f = results.fovea;
    const w = results['ort-web-webgpu'];
    rows.push([m, ...fmt(f), ...fmt(w), ...fmt(results['ort-node-webgpu']).slice(2), f && w ? (f.median / w.median).toFixed(2) : '-']);
  }
  const head = ['model', 'fovea create', 'first', 'median (min–max) ms', 'ort-web create', 'first', 'median', 'ort-node-webgpu median', 'fovea/ort-web'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
