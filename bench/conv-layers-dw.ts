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
//
// Measured (lavapipe, 2 cores, batch 1, CPU ms per conv; ±15% run to run; "auto" is what the
// automatic choice picked; wino*: Winograd's own rule, conv-winograd.ts, took the layer):
//   layer                      depthwise  direct    | layer                  pointwise implicit im2col
//   dw 32@112 3x3 s1              7.7      18.7     | pw 16->96@112            22.6     26.7     27.0
//   dw 96@112 3x3 s2              8.2      15.8     | pw 144->24@56             5.9      7.6     16.5
//   dw 144@56 3x3 s1              8.5      20.6     | pw 192->32@28             2.3      2.8      5.6
//   dw 144@56 3x3 s2              2.8       6.7     | pw 384->64@14             2.8      3.2      4.5
//   dw 192@28 3x3 s1              3.6       8.8     | pw 576->96@14             6.7      6.7      9.4
//   dw 384@14 3x3 s1              1.7       3.4     | pw 960->160@7             5.2      9.4      6.4
//   dw 576@14 3x3 s1              2.4       5.2     | pw 320->1280@7           11.3     13.4     11.5
//   dw 576@14 3x3 s2              0.8       1.5     | pw 64->256@56            32.2     32.8     35.6
//   dw 960@7 3x3 s1               1.0       2.4     | pw 256->64@56            24.7     27.4     40.3
//   dw 144@56 5x5 s2              3.9       8.1     | pw 1024->256@14          23.9     26.3     27.8
//   dw 240@28 5x5 s1              5.5      14.0     | pw 2048->512@7           27.2     31.4     30.1
//   dw 672@14 5x5 s1              5.7      10.1     |   (auto: pointwise on all of them)
//   dw 1152@7 5x5 s1              2.5       3.7     |
//   dw 32x2@56 3x3 s1 (mult 2)    3.4       8.9     |   (auto: depthwise 4x4 on all of them)
//   layer                      implicit   im2col auto     | layer (3-D)             implicit direct pointwise auto
//   160->160@4 3x3 s1            13.4       3.7 wino*    | 64->64@4x28² 3³         177     699           implicit
//   512->512@8 3x3 s2            33.6      21.2 im2col   | 128->128@2x14² 3³       84      291           implicit
//   256->512@8 3x3 s2            17.0      10.6 im2col   | 64->128@4x28² 3³ s2     52      185           implicit
//   96->96@7 5x5 s1              14.0      10.7 im2col   | 64->128@4x28² 1³ s2      3.8     23           implicit
//   37->70@6 3x3 s1               2.3       1.6 wino*    | 64->256@4x14² 1³        12.0     90     8.7  pointwise
//   256->512@14 3x3 s2           33.9      32.0 implicit | 32->32 g32@8x28² 3³     96.7     16.6        direct
//   512->512@7 3x3 s1            75.3      66.5 wino*    | 48->96 g16@4x14² 3³     19.3     13.7        implicit
//   128->128@5 5x5 s1             6.2       8.8 implicit |
//   100->100@3 7x7 s1             9.6       9.6 implicit |
//   64->64@7 3x3 s1               1.3       1.9 implicit |
//   3->32@112 3x3 s2              2.6       4.1 implicit |
// The subgroup GEMM (gemmKernel 'subgroup', shaders/conv-gemm-sg.wgsl; 'X sg' below), the default
// on software adapters, against the tiled one on the pointwise layers: GPU ms (minimum of 10
// runs) / CPU ms per conv, lavapipe, quiet machine:
//   layer              pointwise sg    pointwise (tiled)   im2col sg      im2col (tiled)
//   pw 16->96@112       5.46 / 16.1      7.47 / 24.3        6.18 / 21.2     8.48 / 25.0
//   pw 144->24@56       0.70 / 2.1       2.76 / 6.2         1.58 / 4.1      3.78 / 8.0
//   pw 384->64@14       0.39 / 0.9       1.43 / 3.0         0.61 / 1.2      1.63 / 3.5
//   pw 960->160@7       0.68 / 1.4       3.37 / 5.2         0.83 / 1.5      3.50 / 5.9
//   pw 320->1280@7      1.81 / 4.2       5.43 / 12.4        1.42 / 3.1      5.54 / 11.0
//   pw 64->256@56       4.40 / 15.0     12.20 / 30.6        3.91 / 14.9    13.43 / 31.9
//   pw 256->64@56       2.42 / 7.9      11.88 / 26.8        4.66 / 11.9    12.98 / 30.6
//   pw 1024->256@14     3.64 / 11.4     12.05 / 27.6        3.68 / 7.5     12.23 / 24.4
//   pw 2048->512@7      4.36 / 8.4      13.69 / 29.8        3.45 / 6.8     13.84 / 29.4
// Grouped 3x3 layers (ResNeXt-50 32x4d, RegNetX-400MF), same measure: im2col on the subgroup
// GEMM (auto) against the tiled kernels and direct:
//   layer                  im2col sg     implicit-gemm    im2col (tiled)    direct
//   128 g32@56 (4/group)   13.3 / 31.3   24.0 / 51.3      25.4 / 52.9       21.2 / 48.9
//   256 g32@28 (8/group)    6.6 / 15.7   13.3 / 27.8      12.9 / 27.8       19.3 / 39.9
//   512 g32@14 (16/group)   3.9 / 8.9     6.5 / 13.5       6.9 / 14.5       17.7 / 35.4
//   1024 g32@7 (32/group)   2.1 / 4.3     9.0 / 18.5       9.3 / 18.4       16.4 / 33.7
//   160 g10@14 (16/group)   1.4 / 2.8     2.1 / 4.6        2.3 / 5.3         6.0 / 12.2
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ModelBuilder } from '../tests/util/onnx-builder.js';
import { randomFloats } from '../tests/util/rng.js';
import { option } from './args.js';

const runs = Number(option('runs', '20'));
const filter = option('filter', '');
const onlyAlgos = option('algos', '');
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
  /** Depth of a 3-D layer (input D x HW x HW, cubic kernel); absent for 2-D. */
  D?: number;
  /** Variants to time (those that can run it). */
  algos: string[];
}

const DW = ['depthwise', 'direct'];
// 'X sg': variant X on the subgroup GEMM (gemmKernel 'subgroup'); plain 'pointwise' and 'im2col'
// run the tiled GEMM (gemmKernel 'tiled').
const PW = ['pointwise', 'pointwise sg', 'implicit-gemm', 'im2col', 'im2col sg'];
const DENSE = ['implicit-gemm', 'im2col', 'im2col sg'];
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
/** A grouped 3x3 conv (ResNeXt's 32 groups, RegNet's group width). */
const grouped = (C: number, HW: number, group: number, s = 1): Layer => ({
  name: `grouped ${C} g${group}@${HW} 3x3 s${s}`,
  C,
  M: C,
  HW,
  k: 3,
  s,
  group,
  algos: [...DENSE, 'direct'],
});

const VOL = ['implicit-gemm', 'direct'];
const vol = (C: number, M: number, D: number, HW: number, k: number, s = 1, group = 1): Layer => ({
  name: `3d ${C}->${M}${group > 1 ? ` g${group}` : ''}@${D}x${HW}² ${k}³ s${s}`,
  C,
  M,
  HW,
  D,
  k,
  s,
  group,
  algos: k === 1 && s === 1 ? [...VOL, 'pointwise'] : VOL,
});

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
  // Grouped: ResNeXt-50 32x4d's 3x3 layers (4 to 32 channels per group), a RegNetX-400MF layer.
  grouped(128, 56, 32),
  grouped(256, 28, 32),
  grouped(512, 14, 32),
  grouped(1024, 7, 32),
  grouped(160, 14, 10),
  dense(64, 64, 3, 3),
  dense(64, 64, 7, 3),
  dense(160, 160, 4, 3),
  dense(48, 33, 11, 3),
  dense(256, 256, 6, 3),
  dense(100, 100, 3, 7),
  // 3-D (R3D-18-like at a 4-frame 56x56 clip, and depthwise 3-D).
  vol(64, 64, 4, 28, 3),
  vol(128, 128, 2, 14, 3),
  vol(64, 128, 4, 28, 3, 2),
  vol(64, 128, 4, 28, 1, 2),
  vol(64, 256, 4, 14, 1),
  vol(32, 32, 8, 28, 3, 1, 32),
  vol(48, 96, 4, 14, 3, 1, 16),
];

/** REPEAT convs of the layer's shape, all on the same input, chained through their fused
 * residual: y_i = conv_i(x) + y_{i-1} (the residual Add fuses into the Conv's epilogue), so that
 * one run does REPEAT times the layer's work for one upload and one readback. */
function model(l: Layer): Uint8Array {
  const b = new ModelBuilder(13);
  const pad = l.k >> 1;
  const lead = l.D ? [l.D] : [];
  b.input('x', [1, l.C, ...lead, l.HW, l.HW]);
  const kdims = l.D ? [l.k, l.k, l.k] : [l.k, l.k];
  const wdims = [l.M, l.C / l.group, ...kdims];
  const fan = (l.C / l.group) * l.k ** kdims.length;
  const ones = (v: number) => kdims.map(() => v);
  let prev: string | undefined;
  for (let i = 0; i < REPEAT; i++) {
    b.init(`w${i}`, { dtype: 'float32', dims: wdims, data: randomFloats(wdims.reduce((a, c) => a * c, 1), 2 + i, -1 / Math.sqrt(fan), 1 / Math.sqrt(fan)) });
    b.init(`b${i}`, { dtype: 'float32', dims: [l.M], data: randomFloats(l.M, 100 + i) });
    const [c] = b.node('Conv', ['x', `w${i}`, `b${i}`], { group: l.group, strides: ones(l.s), pads: [...ones(pad), ...ones(pad)] });
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
  const [conv, sg] = (convAlgorithm ?? '').split(' ');
  const s = await InferenceSession.create(bytes, convAlgorithm ? { convAlgorithm: conv as never, gemmKernel: sg ? 'subgroup' : 'tiled' } : {});
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
  const xdims = [1, l.C, ...(l.D ? [l.D] : []), l.HW, l.HW];
  const feeds = { x: new Tensor('float32', randomFloats(xdims.reduce((a, c) => a * c, 1), 1), xdims) };
  const algos = onlyAlgos ? onlyAlgos.split(',').filter((a) => l.algos.includes(a)) : l.algos;
  const results: ({ algo: string } & Timing)[] = [];
  for (const algo of algos) results.push({ algo, ...(await time(bytes, feeds, algo)) });
  const auto = await time(bytes, feeds);
  results.sort((a, b) => a.cpuMs - b.cpuMs);
  const cells = results.map((r) => `${r.algo} ${r.gpuMs.toFixed(2)} / ${r.cpuMs.toFixed(2)} ms [${r.variant}]`).join(' | ');
  console.log(`${l.name.padEnd(26)} ${cells} || auto: ${auto.variant}`);
}
process.exit(0);
