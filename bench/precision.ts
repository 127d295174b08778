// Precision benchmark (issue 12): weight bytes on the GPU, peak activation bytes and median
// latency of each model in float32 and its converted float16 / int8 files, in Fovea next to
// onnxruntime-web (WebGPU and wasm) on the same files, in Node over dawn.node on one adapter
// (FOVEA_ADAPTER=lavapipe|swiftshader). Files: the export scripts' seeded models, converted by
// scripts/convert-precision.py (int8 calibrated on seeded noise: fine for timing). float16 is the
// fp16-keep-io file by default (float16 weights and compute, float32 I/O, as most web apps ship;
// --fp16-form fp16 for float16 I/O), int8 the QDQ file (--int8-form int8-qoperator|int8-dynamic).
//   npm run bench -- --precision float32,float16,int8 [--models resnet50,mobilenet_v2,unet1024]
//     [--runs 5] [--forms fp16,int8-qdq] [--no-peers]
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { fromHalfBits, toHalfBits } from '../runtime/ir/half.js';
import { ortWebSession, ortWasmSession, type PeerSession } from './peers.js';
import { randomFloats } from '../tests/util/rng.js';
import { option, flag } from './args.js';

const runs = Number(option('runs', '5'));
const precisions = option('precision', 'float32,float16,int8').split(',');
const models = option('models', 'resnet50,mobilenet_v2,unet1024').split(',');
/** The converted form benchmarked for each precision. */
const FORM: Record<string, string> = { float32: 'fp32', float16: option('fp16-form', 'fp16-keep-io'), int8: option('int8-form', 'int8-qdq') };
const peers = !flag('no-peers');
const dir = process.env.FOVEA_BENCH_DIR ?? join(homedir(), '.cache', 'fovea', 'bench');
const here = import.meta.dirname ?? 'bench';
const SHAPES: Record<string, number[]> = { unet1024: [1, 3, 1024, 1024] };

function sourceModel(m: string): string {
  const path = join(dir, `${m}.onnx`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const r = m === 'unet1024'
    ? spawnSync('/usr/bin/python3', [join(here, '..', 'scripts', 'export-unet-1024.py'), dir], { stdio: 'inherit' })
    : spawnSync('/usr/bin/python3', [join(here, 'export-models.py'), dir, m], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`export of ${m} failed: run \`npm run setup\` first`);
  return path;
}

function converted(m: string, form: string): string {
  const src = sourceModel(m);
  if (form === 'fp32') return src;
  const out = join(dir, 'precision');
  const path = join(out, `${m}.${form}.onnx`);
  if (existsSync(path)) return path;
  const shape = (SHAPES[m] ?? [1, 3, 224, 224]).join(',');
  const r = spawnSync('/usr/bin/python3', [join(here, '..', 'scripts', 'convert-precision.py'), src, '--out', out, '--forms', form, '--input-shape', shape, '--calib-count', '4'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`conversion of ${m} to ${form} failed`);
  return path;
}

interface Result {
  median: number;
  min: number;
  max: number;
  weightBytes?: number;
  activationBytes?: number;
}

async function time(s: PeerSession, x: Float32Array, dims: number[]): Promise<Result> {
  await s.run(x, dims);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await s.run(x, dims);
    ts.push(performance.now() - a);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], min: ts[0], max: ts[ts.length - 1] };
}

async function fovea(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Result> {
  const s = await InferenceSession.create(bytes);
  const input = s.inputNames[0];
  const half = s.inputMetadata[0].type === 'float16';
  const feed = half ? new Tensor('float16', toHalfBits(x).subarray(0, x.length), dims) : new Tensor('float32', x, dims);
  const peer: PeerSession = {
    run: async () => {
      const y = (await s.run({ [input]: feed }))[s.outputNames[0]];
      return y.type === 'float16' ? fromHalfBits(y.data as Uint16Array) : (y.data as Float32Array);
    },
    release: () => s.release(),
  };
  const r = await time(peer, x, dims);
  const st = await s.stats();
  await s.release();
  return { ...r, weightBytes: st.weightBytes, activationBytes: st.activationBytes };
}

async function peer(make: () => Promise<PeerSession>, x: Float32Array, dims: number[]): Promise<Result> {
  const s = await make();
  try {
    return await time(s, x, dims);
  } finally {
    await s.release();
  }
}

const mib = (b?: number) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(1));
const ms = (r?: Result | string) => (typeof r === 'string' ? r : r ? `${r.median.toFixed(0)} (${r.min.toFixed(0)}–${r.max.toFixed(0)})` : '-');

export async function benchPrecision(): Promise<void> {
  const rows: string[][] = [];
  for (const m of models) {
    const dims = SHAPES[m] ?? [1, 3, 224, 224];
    const x = randomFloats(dims.reduce((a, b) => a * b, 1), 7);
    let f32: number | undefined;
    for (const p of precisions) {
      const form = FORM[p];
      if (!form) throw new Error(`unknown precision ${p} (float32, float16, int8)`);
      const bytes = new Uint8Array(readFileSync(converted(m, form)));
      const cell: Record<string, Result | string> = {};
      for (const [name, run] of [
        ['fovea', () => fovea(bytes, x, dims)],
        ...(peers ? ([['ort-web-webgpu', () => peer(() => ortWebSession(bytes, 'input'), x, dims)], ['ort-web-wasm', () => peer(() => ortWasmSession(bytes, 'input'), x, dims)]] as const) : []),
      ] as [string, () => Promise<Result>][]) {
        try {
          cell[name] = await run();
          console.log(`${m} ${form} / ${name}: ${ms(cell[name])} ms`);
        } catch (e) {
          cell[name] = `failed: ${(e as Error).message.split('\n')[0].slice(0, 80)}`;
          console.log(`${m} ${form} / ${name}: ${cell[name]}`);
        }
      }
      const f = cell.fovea;
      if (p === 'float32' && typeof f === 'object') f32 = f.median;
      rows.push([
        m, p, form,
        typeof f === 'object' ? mib(f.weightBytes) : '-', typeof f === 'object' ? mib(f.activationBytes) : '-',
        ms(f), typeof f === 'object' && f32 ? (f.median / f32).toFixed(2) : '-',
        ms(cell['ort-web-webgpu'] ?? '-'), ms(cell['ort-web-wasm'] ?? '-'),
      ]);
    }
  }
  const head = ['model', 'precision', 'file', 'weights MiB', 'peak act. MiB', 'fovea median (min–max) ms', 'vs float32', 'ort-web webgpu', 'ort-web wasm'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
