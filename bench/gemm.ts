// GEMM throughput: a chain of `--chain` MatMuls [M, K] x [K, N] (K = N) in one session, so that a
// run is dominated by the kernels rather than by the upload of the input and the readback.
// Reports the median GFLOP/s (2*M*N*K per product) over `--runs` runs, per kernel variant.
//   node --import tsx bench/gemm.ts [--size 512] [--m 512] [--chain 8] [--runs 5] [--algo gemm-tiled]
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { option } from './args.js';

const K = Number(option('size', '512'));
const M = Number(option('m', String(K)));
const chain = Number(option('chain', '8'));
const runs = Number(option('runs', '5'));
const algos = option('algo', 'gemm-tiled,gemm-skinny').split(',');

function model(): Uint8Array {
  const b = new ModelBuilder(13);
  let x = b.input('x', [M, K]);
  const scale = 1 / Math.sqrt(K);
  for (let i = 0; i < chain; i++) {
    const w = b.init(`w${i}`, { dtype: 'float32', dims: [K, K], data: randomFloats(K * K, 10 + i, -scale, scale) });
    [x] = b.node('MatMul', [x, w], {}, i === chain - 1 ? ['y'] : 1);
  }
  b.output('y', [M, K]);
  return b.build();
}

const bytes = model();
const feeds = { x: new Tensor('float32', randomFloats(M * K, 1), [M, K]) };
for (const algo of algos) {
  const s = await InferenceSession.create(bytes, { forceAlgorithm: algo });
  await s.run(feeds); // warm-up: first submission
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t0);
  }
  // CPU time of the whole process (lavapipe's worker threads included): on a software adapter it
  // is a measure of the kernels' work that other load on the machine does not inflate.
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const gflops = (2 * M * K * K * chain) / (median / 1000) / 1e9;
  const perCpuSecond = (2 * M * K * K * chain) / (cpuMs / 1000) / 1e9;
  console.log(
    `${algo}: M=${M} N=K=${K}, ${chain} products, median ${median.toFixed(1)} ms per run, ${gflops.toFixed(2)} GFLOP/s ` +
      `(CPU ${cpuMs.toFixed(0)} ms per run, ${perCpuSecond.toFixed(2)} GFLOP per CPU-second) [${s.adapter}]`,
  );
  await s.release();
}
process.exit(0);
