// Whole-model benchmark in the browser: Fovea next to onnxruntime-web's WebGPU and wasm providers,
// in headless Chromium (Debian's, through playwright-core). 224x224, batch 1, seeded weights
// (bench/export-models.py) and one seeded input shared by all runtimes. For each (runtime, model):
// create time, first run and the median (min–max) of N runs, timed in the page with
// performance.now(); every run returns its output as CPU data. Ratios are Fovea's median over
// ORT-web's. Results also go to test-results/bench-browser-<adapter>.json.
//   npm run bench:browser -- [--runs 5] [--models resnet18,mobilenet_v2] [--adapter swiftshader|lavapipe]
//                            [--runtimes fovea,ort-webgpu,ort-wasm] [--timeout-s S]
// Adapters: swiftshader is Chromium's own software WebGPU (~0.35 GFLOP/s: VGG-16 is ~45 s a run);
// lavapipe is Mesa's Vulkan CPU driver (scripts/setup-system.sh) under Chromium's WebGPU
// compatibility mode (Dawn's OpenGL ES backend on ANGLE on Vulkan), several times faster.
// Each case gets its own browser: a tab or GPU process that dies (as ORT-web's has on VGG-16), a case
// that hangs, or a runtime that refuses a model is reported as failed and the bench goes on; and
// no case inherits another's warm caches.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { REPO, SWIFTSHADER_ARGS, launchChromium, logPageErrors, serveStatic, viteBuild } from '../e2e/support.js';
import { lavapipeIcd } from '../runtime/gpu/node-gpu.js';
import { randomFloats } from '../tests/util/rng.js';
import { option } from './args.js';

const RUNTIMES = ['fovea', 'ort-webgpu', 'ort-wasm'] as const;
type Runtime = (typeof RUNTIMES)[number];
const ADAPTERS = ['swiftshader', 'lavapipe'] as const;
type Adapter = (typeof ADAPTERS)[number];

const runs = Number(option('runs', '5'));
const models = option('models', 'squeezenet1_1,mobilenet_v2,resnet18,resnet50,vgg16').split(',');
const adapter = option('adapter', 'swiftshader') as Adapter;
const runtimes = option('runtimes', RUNTIMES.join(',')).split(',') as Runtime[];
const dir = process.env.FOVEA_BENCH_DIR ?? join(homedir(), '.cache', 'fovea', 'bench');
// Generous: a case that passes it is a hang (or a tab stuck in a dead GPU process), not a slow run.
const perRunS = adapter === 'swiftshader' ? 150 : 30;
const timeoutS = Number(option('timeout-s', String(180 + perRunS * (runs + 1))));
if (!ADAPTERS.includes(adapter)) throw new Error(`--adapter must be one of ${ADAPTERS.join(', ')}`);
for (const r of runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}: one of ${RUNTIMES.join(', ')}`);
if (!(runs >= 1)) throw new Error('--runs must be at least 1');

/** What bench/browser/bench.js returns from benchRun. */
interface PageResult {
  adapter?: Record<string, unknown>;
  /** Fovea's session.stats(): pipelines and dispatches per run. */
  stats?: { pipelines: number; dispatches: number };
  create?: number;
  first?: number;
  times?: number[];
  output?: number[];
  error?: string;
  stage?: string;
}

interface CaseResult {
  model: string;
  runtime: Runtime;
  adapter?: Record<string, unknown>;
  stats?: { pipelines: number; dispatches: number };
  create?: number;
  first?: number;
  times?: number[];
  median?: number;
  min?: number;
  max?: number;
  /**
   * Largest |difference| of the first run's output (its first 1000 values) from that of the first
   * runtime that succeeded on this model, and the largest |value| there (seeded weights give
   * logits of any scale: the difference means something only next to it).
   */
  maxAbsDiff?: number;
  maxAbsReference?: number;
  diffAgainst?: string;
  error?: string;
  /** The first run's output, for maxAbsDiff; dropped before the JSON is written. */
  output?: number[];
}

/**
 * Chromium on the chosen adapter, with a fresh profile (Playwright's default). lavapipe: the
 * recipe in /work/shared/ENVIRONMENT.md — stock Chromium's WebGPU does not take a CPU Vulkan
 * driver, but ANGLE on Vulkan does run on it, so WebGPU goes through Dawn's OpenGL ES backend,
 * which only offers compatibility mode. Playwright's own defaults would pin ANGLE to SwiftShader:
 * they are dropped. Mesa keeps compiled shaders in a disk cache shared by every process of the
 * user (~/.cache/mesa_shader_cache_db): each browser gets an empty one of its own, so that create
 * and first-run times are cold for every runtime, whatever ran before.
 */
async function launch(): Promise<{ browser: Browser; dispose(): Promise<void> }> {
  // Developer features unmask adapter.info (blank in compatibility mode otherwise), so that the
  // page can say which driver it ran on; they change no limits.
  const dev = '--enable-webgpu-developer-features';
  if (adapter === 'swiftshader') {
    const browser = await launchChromium([...SWIFTSHADER_ARGS, dev]);
    return { browser, dispose: () => closeBrowser(browser) };
  }
  const icd = lavapipeIcd();
  if (!existsSync(icd)) throw new Error(`no lavapipe ICD at ${icd}: run "npm run setup"`);
  const lib = dirname((JSON.parse(readFileSync(icd, 'utf8')) as { ICD: { library_path: string } }).ICD.library_path);
  const cache = mkdtempSync(join(tmpdir(), 'fovea-bench-mesa-'));
  const browser = await launchChromium(
    [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--use-angle=vulkan',
      '--use-webgpu-adapter=opengles',
      '--force-webgpu-compat',
      '--disable-vulkan-surface',
      dev,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    {
      env: {
        ...process.env,
        VK_ICD_FILENAMES: icd,
        LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
        MESA_SHADER_CACHE_DIR: cache,
      },
      ignoreDefaultArgs: ['--use-angle=swiftshader-webgl', '--enable-unsafe-swiftshader'],
    },
  ).catch((e) => {
    rmSync(cache, { recursive: true, force: true });
    throw e;
  });
  return {
    browser,
    dispose: async () => {
      await closeBrowser(browser);
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

/** A browser whose GPU process hangs may not close cleanly: do not wait on it for long. */
async function closeBrowser(browser: Browser): Promise<void> {
  await withTimeout(browser.close(), 20, 'browser.close').catch(() => {});
}

function withTimeout<T>(p: Promise<T>, s: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${s} s (${what})`)), s * 1000);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

async function runCase(url: string, runtime: Runtime, model: string, input: string, numThreads: number): Promise<CaseResult> {
  let launched: Awaited<ReturnType<typeof launch>> | undefined;
  try {
    launched = await launch();
    const { browser } = launched;
    const page = await browser.newPage();
    logPageErrors(page, `${runtime}/${model}`);
    const crashed = new Promise<never>((_, fail) => page.once('crash', () => fail(new Error('the tab crashed (renderer process died)'))));
    crashed.catch(() => {});
    await page.goto(`${url}index.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const spec = { runtime, modelUrl: `${model}.onnx`, input, dims: [1, 3, 224, 224], runs, numThreads };
    const r = await withTimeout(
      Promise.race([page.evaluate((s) => (window as unknown as { benchRun(s: unknown): Promise<PageResult> }).benchRun(s), spec), crashed]),
      timeoutS,
      `${runtime} on ${model}; --timeout-s to change`,
    );
    if (r.error) return { model, runtime, adapter: r.adapter, create: r.create, error: `${r.stage}: ${firstLine(r.error)}` };
    const ts = [...r.times!].sort((a, b) => a - b);
    return { model, runtime, adapter: r.adapter, stats: r.stats, create: r.create, first: r.first, times: r.times, median: ts[Math.floor(ts.length / 2)], min: ts[0], max: ts[ts.length - 1], output: r.output };
  } catch (e) {
    return { model, runtime, error: firstLine((e as Error).message) };
  } finally {
    await launched?.dispose();
  }
}

/** The adapter, feature level and isolation the page sees, once, for the log and the JSON. */
async function probe(url: string): Promise<Record<string, unknown>> {
  const { browser, dispose } = await launch();
  try {
    const page = await browser.newPage();
    logPageErrors(page, 'probe');
    await page.goto(`${url}index.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const info = await page.evaluate(() => (window as unknown as { benchProbe(): Promise<Record<string, unknown>> }).benchProbe());
    return { chromium: browser.version(), ...info };
  } finally {
    await dispose();
  }
}

function describeAdapter(a?: Record<string, unknown>): string {
  if (!a) return '(none reported)';
  const parts = [a.vendor, a.architecture, a.description].filter((v) => typeof v === 'string' && v).join(' / ');
  const extra = a.numThreads !== undefined ? `wasm threads ${a.numThreads}` : '';
  return [parts || '(no adapter info)', extra].filter(Boolean).join('; ');
}

async function main() {
  const missing = models.filter((m) => !existsSync(join(dir, `${m}.onnx`)));
  if (missing.length) {
    console.log(`exporting ${missing.join(', ')} to ${dir} (python3-torch)…`);
    const r = spawnSync('/usr/bin/python3', [join(REPO, 'bench', 'export-models.py'), dir, ...missing], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('export failed: run `npm run setup` first');
  }
  let t = performance.now();
  const bundle = await viteBuild('lib');
  console.log(`vite build --mode lib: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // onnxruntime-web's exports map hides its dist/ folder: resolve the CommonJS entry, which lives there.
  const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  // COOP + COEP make the page cross-origin isolated: SharedArrayBuffer, so wasm threads.
  const server = await serveStatic([join(REPO, 'bench', 'browser'), bundle, ortDist, dir], {}, {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  try {
    const env = await probe(server.url);
    const numThreads = Number(env.hardwareConcurrency) || 1;
    console.log(`chromium ${env.chromium}, adapter ${adapter}: ${JSON.stringify(env.adapter ?? env.gpu)}, feature level ${env.featureLevel ?? '?'}`);
    console.log(`crossOriginIsolated ${env.crossOriginIsolated}, navigator.hardwareConcurrency ${env.hardwareConcurrency}: ort.env.wasm.numThreads = ${numThreads}`);
    console.log(`runs ${runs}, per-case timeout ${timeoutS} s, models in ${dir}`);
    const x = randomFloats(3 * 224 * 224, 7);
    const input = Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
    const results: CaseResult[] = [];
    for (const model of models) {
      let reference: { runtime: Runtime; output: number[] } | undefined;
      for (const runtime of runtimes) {
        t = performance.now();
        const r = await runCase(server.url, runtime, model, input, numThreads);
        const wall = ((performance.now() - t) / 1000).toFixed(0);
        if (r.output) {
          if (reference) {
            let d = 0;
            let m = 0;
            for (let i = 0; i < r.output.length; i++) {
              d = Math.max(d, Math.abs(r.output[i] - reference.output[i]));
              m = Math.max(m, Math.abs(reference.output[i]));
            }
            r.maxAbsDiff = d;
            r.maxAbsReference = m;
            r.diffAgainst = reference.runtime;
          } else reference = { runtime, output: r.output };
        }
        if (r.error) console.log(`${model} / ${runtime}: failed: ${r.error} [${wall} s]`);
        else
          console.log(
            `${model} / ${runtime}: create ${r.create!.toFixed(0)} ms, first ${r.first!.toFixed(0)} ms, median ${r.median!.toFixed(0)} ms (${r.min!.toFixed(0)}–${r.max!.toFixed(0)})` +
              `${r.stats ? `, ${r.stats.pipelines} pipelines, ${r.stats.dispatches} dispatches` : ''}` +
              `${r.maxAbsDiff !== undefined ? `, max |Δ| vs ${r.diffAgainst} ${r.maxAbsDiff.toExponential(1)} (max |y| ${r.maxAbsReference!.toExponential(1)})` : ''} [${wall} s]` +
              `\n  adapter: ${runtime === 'ort-wasm' ? `none (CPU, wasm threads ${r.adapter?.numThreads})` : describeAdapter(r.adapter)}`,
          );
        delete r.output;
        results.push(r);
      }
    }
    printTable(results);
    const out = join(REPO, 'test-results', `bench-browser-${adapter}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), adapter, runs, numThreads, environment: env, results }, null, 2) + '\n');
    console.log(`\nresults: ${out}`);
  } finally {
    await server.close();
  }
}

function printTable(results: CaseResult[]) {
  const get = (m: string, r: Runtime) => results.find((c) => c.model === m && c.runtime === r);
  const ms = (v?: number) => (v === undefined ? '-' : v.toFixed(0));
  const cells = (c?: CaseResult) => {
    if (!c) return ['-', '-', '-'];
    if (c.error) return [ms(c.create), '-', `failed: ${c.error.length > 90 ? c.error.slice(0, 87) + '…' : c.error}`.replace(/\|/g, '\\|')];
    return [ms(c.create), ms(c.first), `${ms(c.median)} (${ms(c.min)}–${ms(c.max)})`];
  };
  const ratio = (a?: CaseResult, b?: CaseResult) => (a?.median !== undefined && b?.median !== undefined ? (a.median / b.median).toFixed(2) : '-');
  const names: Record<Runtime, string> = { fovea: 'fovea', 'ort-webgpu': 'ort-web webgpu', 'ort-wasm': 'ort-web wasm' };
  const head = ['model'];
  for (const r of runtimes) head.push(`${names[r]} create`, 'first', 'median (min–max) ms');
  const peers = runtimes.includes('fovea') ? runtimes.filter((r) => r !== 'fovea') : [];
  for (const p of peers) head.push(`fovea/${names[p]}`);
  console.log(`\n${adapter}, Chromium headless, 224², batch 1, ${runs} runs; times in ms\n`);
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const m of models) {
    const row = [m];
    for (const r of runtimes) row.push(...cells(get(m, r)));
    for (const p of peers) row.push(ratio(get(m, 'fovea'), get(m, p)));
    console.log(`| ${row.join(' | ')} |`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
