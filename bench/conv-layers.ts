// Per-layer Conv throughput of each kernel variant on ResNet/VGG-style 3x3 stride-1 layers:
// a chain of `--chain` identical Conv(3x3, pad 1) + bias + Relu layers (C -> C channels at
// H x W) in one session, so that a run is dominated by the convs rather than by the upload of the
// input and the readback. Reports, per layer and variant, the median time per conv and the
// effective GFLOP/s, counted as the direct convolution's FLOPs (2*N*C*M*9*OH*OW per conv) for
// every variant, so that Winograd's saved multiplies show up as a higher rate. Also the CPU time
// of the process (lavapipe's worker threads included): on a software adapter it measures the
// kernels' work and is less sensitive to other load on the machine than the wall time. The cost
// of a run without the convs (upload, one Relu, readback: a model x -> Relu -> y of the same
// shape) is measured the same way and subtracted before dividing by the chain's length.
//   node --import tsx bench/conv-layers.ts [--layers 64@56,128@28,256@14,512@7,64@112]
//     [--algo auto,implicit-gemm,winograd-f2,winograd] [--chain 4] [--runs 5] [--batch 1]
// A layer is C@S (C channels at S x S); 'auto' is the default choice (no forceAlgorithm).
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { option } from './args.js';

const layers = option('layers', '64@56,128@28,256@14,512@7,64@112').split(',').map((s) => s.split('@').map(Number) as [number, number]);
const algos = option('algo', 'auto,implicit-gemm,winograd-f2,winograd').split(',');
const chain = Number(option('chain', '4'));
const runs = Number(option('runs', '5'));
const N = Number(option('batch', '1'));

/** The run's fixed part: the input's upload, one elementwise op and the output's readback. */
function baseline(C: number, S: number): Uint8Array {
  const b = new ModelBuilder(13);
  b.input('x', [N, C, S, S]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [N, C, S, S]);
  return b.build();
}

/** Median wall time and mean CPU time (ms) of one run of a session. */
async function time(bytes: Uint8Array, feeds: Record<string, Tensor>, opts: Parameters<typeof InferenceSession.create>[1]): Promise<{ ms: number; cpuMs: number; adapter: string }> {
  const s = await InferenceSession.create(bytes, opts);
  try {
    await s.run(feeds); // warm-up: first submission
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await s.run(feeds);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], cpuMs: (cpu.user + cpu.system) / 1000 / runs, adapter: s.adapter };
  } finally {
    await s.release();
  }
}

function model(C: number, S: number): Uint8Array {
  const b = new ModelBuilder(13);
  let x = b.input('x', [N, C, S, S]);
  // He-style scale keeps the activations in range along the chain.
  const scale = Math.sqrt(6 / (9 * C));
  for (let i = 0; i < chain; i++) {
    const w = b.init(`w${i}`, { dtype: 'float32', dims: [C, C, 3, 3], data: randomFloats(C * C * 9, 10 + i, -scale, scale) });
    const bias = b.init(`b${i}`, { dtype: 'float32', dims: [C], data: randomFloats(C, 100 + i, -0.1, 0.1) });
    const [c] = b.node('Conv', [x, w, bias], { pads: [1, 1, 1, 1] });
    [x] = b.node('Relu', [c], {}, i === chain - 1 ? ['y'] : 1);
  }
  b.output('y', [N, C, S, S]);
  return b.build();
}

console.log(`Conv 3x3 stride 1 pad 1 + bias + Relu, batch ${N}, ${chain} layers per run, median of ${runs} runs`);
for (const [C, S] of layers) {
  const bytes = model(C, S);
  const feeds = { x: new Tensor('float32', randomFloats(N * C * S * S, 1), [N, C, S, S]) };
  const flops = 2 * N * C * C * 9 * S * S;
  const base = await time(baseline(C, S), feeds, {});
  for (const algo of algos) {
    const t = await time(bytes, feeds, algo === 'auto' ? {} : { forceAlgorithm: algo });
    const ms = Math.max(t.ms - base.ms, 1e-3) / chain;
    const cpuMs = Math.max(t.cpuMs - base.cpuMs, 1e-3) / chain;
    console.log(
      `${C}@${S}x${S} ${algo.padEnd(13)} ${ms.toFixed(1).padStart(7)} ms/conv ${((flops / ms) * 1e-6).toFixed(2).padStart(6)} GFLOP/s` +
        `   CPU ${cpuMs.toFixed(1).padStart(7)} ms/conv ${((flops / cpuMs) * 1e-6).toFixed(2).padStart(6)} GFLOP/CPU-s [${t.adapter}]`,
    );
  }
}
process.exit(0);
