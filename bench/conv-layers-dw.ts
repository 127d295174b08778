// Per-layer Conv timings by kernel variant: the measurements behind the automatic choice in
// runtime/ops/nn/conv.ts (depthwise, pointwise, im2col vs implicit-gemm / direct).
// Each layer is a model of REPEAT Convs of its shape (with a bias, chained through fused
// residual adds); every variant that can run it is timed two ways, both per conv:
//   - GPU: run({ profile: true }) (the GPU's timestamps per dispatch, the Conv's dispatches
//     summed, so im2col counts its im2col pass too), the minimum over --runs runs: on a shared
//     machine the software adapter's threads get preempted, and the minimum is the time the
//     kernel needs when it has the CPUs;
//   - CPU: the process's CPU time per plain run (lavapipe's threads included), which preemption
//     does not inflate; it includes the run's fixed cost (upload, readback) divided by REPEAT.
//   node --import tsx bench/conv-layers-dw.ts [--runs 20] [--filter dw] [--algos depthwise,direct]
// Output: one line per layer, "variant GPU / CPU ms [kernel]" sorted by CPU time, and the
// automatic choice.
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('runs', '20'));
const filter = opt('filter', '');
const onlyAlgos = opt('algos', '');
/** Convs of the layer's shape per model (see model()). */
const REPEAT = 8;

interface Layer {
  name: string;
  /** Input channels, output channels, input size (square), kernel, stride, group. */
  C: number;
  M: number;
  HW: number;
  k: number;
  s: number;
  group: number;
  /** Variants to time (those that can run it). */
  algos: string[];
}

const DW = ['depthwise', 'direct'];
const PW = ['pointwise', 'implicit-gemm', 'im2col'];
const DENSE = ['implicit-gemm', 'im2col'];
const dw = (C: number, HW: number, k: number, s: number, mult = 1): Layer => ({
  name: `dw ${C}${mult > 1 ? `x${mult}` : ''}@${HW} ${k}x${k} s${s}`,
  C,
  M: C * mult,
  HW,
  k,
  s,
  group: C,
  algos: DW,
});
const pw = (C: number, M: number, HW: number): Layer => ({ name: `pw ${C}->${M}@${HW}`, C, M, HW, k: 1, s: 1, group: 1, algos: PW });
const dense = (C: number, M: number, HW: number, k: number, s = 1): Layer => ({ name: `conv ${C}->${M}@${HW} ${k}x${k} s${s}`, C, M, HW, k, s, group: 1, algos: DENSE });

const LAYERS: Layer[] = [
  // MobileNetV2 / EfficientNet-B0 depthwise layers (224x224 input).
  dw(32, 112, 3, 1),
  dw(96, 112, 3, 2),
  dw(144, 56, 3, 1),
  dw(144, 56, 3, 2),
  dw(192, 28, 3, 1),
  dw(384, 14, 3, 1),
  dw(576, 14, 3, 1),
  dw(576, 14, 3, 2),
  dw(960, 7, 3, 1),
  dw(144, 56, 5, 2),
  dw(240, 28, 5, 1),
  dw(672, 14, 5, 1),
  dw(1152, 7, 5, 1),
  dw(32, 56, 3, 1, 2),
  // Pointwise (1x1) layers: MobileNetV2 expand/project, ResNet-50 bottlenecks.
  pw(16, 96, 112),
  pw(144, 24, 56),
  pw(192, 32, 28),
  pw(384, 64, 14),
  pw(576, 96, 14),
  pw(960, 160, 7),
  pw(320, 1280, 7),
  pw(64, 256, 56),
  pw(256, 64, 56),
  pw(1024, 256, 14),
  pw(2048, 512, 7),
  pw(13, 17, 9),
  // Dense 3x3: small spatial sizes and odd channel counts (im2col's candidates), and references.
  dense(64, 64, 56, 3),
  dense(128, 128, 28, 3),
  dense(256, 256, 14, 3),
  dense(512, 512, 7, 3),
  dense(512, 512, 4, 3),
  dense(256, 256, 2, 3),
  dense(13, 17, 9, 3),
  dense(37, 70, 6, 3),
  dense(3, 32, 112, 3, 2),
  dense(24, 40, 5, 5),
  dense(24, 40, 9, 5),
  dense(128, 128, 5, 5),
  dense(96, 96, 7, 5),
  dense(256, 512, 14, 3, 2),
  dense(256, 512, 8, 3, 2),
  dense(512, 512, 8, 3, 2),
  dense(64, 64, 3, 3),
  dense(64, 64, 7, 3),
  dense(160, 160, 4, 3),
  dense(48, 33, 11, 3),
  dense(256, 256, 6, 3),
  dense(100, 100, 3, 7),
];

/** REPEAT convs of the layer's shape, all on the same input, chained through their fused
 * residual: y_i = conv_i(x) + y_{i-1} (the residual Add fuses into the Conv's epilogue), so that
 * one run does REPEAT times the layer's work for one upload and one readback. */
function model(l: Layer): Uint8Array {
  const b = new ModelBuilder(13);
  const pad = l.k >> 1;
  b.input('x', [1, l.C, l.HW, l.HW]);
  const wdims = [l.M, l.C / l.group, l.k, l.k];
  const fan = (l.C / l.group) * l.k * l.k;
  let prev: string | undefined;
  for (let i = 0; i < REPEAT; i++) {
    b.init(`w${i}`, { dtype: 'float32', dims: wdims, data: randomFloats(wdims.reduce((a, c) => a * c, 1), 2 + i, -1 / Math.sqrt(fan), 1 / Math.sqrt(fan)) });
    b.init(`b${i}`, { dtype: 'float32', dims: [l.M], data: randomFloats(l.M, 100 + i) });
    const [c] = b.node('Conv', ['x', `w${i}`, `b${i}`], { group: l.group, strides: [l.s, l.s], pads: [pad, pad, pad, pad] });
    const last = i === REPEAT - 1;
    prev = prev ? b.node('Add', [c, prev], {}, last ? ['y'] : 1)[0] : c;
  }
  b.output('y');
  return b.build();
}

interface Timing {
  /** Minimum over runs of the GPU time of the Conv dispatches, per conv. */
  gpuMs: number;
  /** Process CPU time (the software adapter's threads included) per run, per conv: work that
   * preemption by other processes does not inflate. Includes the run's fixed overhead / REPEAT. */
  cpuMs: number;
  variant: string;
}

async function time(bytes: Uint8Array, feeds: Record<string, Tensor>, convAlgorithm?: string): Promise<Timing> {
  const s = await InferenceSession.create(bytes, convAlgorithm ? { convAlgorithm: convAlgorithm as never } : {});
  try {
    await s.run(feeds);
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < runs; r++) await s.run(feeds);
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs / REPEAT;
    let best = Infinity;
    let variant = '';
    for (let r = 0; r < runs; r++) {
      const out = await s.run(feeds, { profile: true });
      const convs = out.profile!.dispatches.filter((d) => d.op === 'Conv');
      best = Math.min(best, convs.reduce((a, d) => a + d.ms, 0) / REPEAT);
      variant = [...new Set(convs.map((d) => d.variant))].join(' + ');
    }
    return { gpuMs: best, cpuMs, variant };
  } finally {
    await s.release();
  }
}

for (const l of LAYERS) {
  if (filter && !l.name.includes(filter)) continue;
  const bytes = model(l);
  const feeds = { x: new Tensor('float32', randomFloats(l.C * l.HW * l.HW, 1), [1, l.C, l.HW, l.HW]) };
  const algos = onlyAlgos ? onlyAlgos.split(',').filter((a) => l.algos.includes(a)) : l.algos;
  const results: ({ algo: string } & Timing)[] = [];
  for (const algo of algos) results.push({ algo, ...(await time(bytes, feeds, algo)) });
  const auto = await time(bytes, feeds);
  results.sort((a, b) => a.cpuMs - b.cpuMs);
  const cells = results.map((r) => `${r.algo} ${r.gpuMs.toFixed(2)} / ${r.cpuMs.toFixed(2)} ms [${r.variant}]`).join(' | ');
  console.log(`${l.name.padEnd(26)} ${cells} || auto: ${auto.variant}`);
}
process.exit(0);
