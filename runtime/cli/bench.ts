// `fovea bench MODEL [--runs N] [--profile] [--free-dim name=N]`: create time, first run and the
// median (min–max) of N runs on seeded random inputs; with --profile, a per-node table of GPU
// times (timestamp-query, or the documented per-dispatch CPU fallback).
import { InferenceSession, Tensor } from '../index.node.js';
import type { RunProfile } from '../session.js';

export interface BenchOptions {
  model: string;
  runs: number;
  profile: boolean;
  freeDimensions: Record<string, number>;
}

export interface BenchReport {
  adapter: string;
  createMs: number;
  firstRunMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  dispatches: number;
  profile?: RunProfile;
}

/** Seeded uniform [-1, 1) floats (and zeros for integer inputs): benchmarks need no data files. */
function randomFeeds(s: InferenceSession, free: Record<string, number>): Record<string, Tensor> {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const feeds: Record<string, Tensor> = {};
  for (const m of s.inputMetadata) {
    const dims = m.dims.map((d) => (typeof d === 'number' ? d : free[d] ?? 1));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[m.name] = m.type === 'float32' ? new Tensor('float32', Float32Array.from({ length: n }, next), dims) : new Tensor('int64', new BigInt64Array(n), dims);
  }
  return feeds;
}

export async function benchModel(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const s = await InferenceSession.create(o.model, { freeDimensions: o.freeDimensions });
  const createMs = performance.now() - t0;
  try {
    const feeds = randomFeeds(s, o.freeDimensions);
    const t1 = performance.now();
    await s.run(feeds);
    const firstRunMs = performance.now() - t1;
    const times: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const a = performance.now();
      await s.run(feeds);
      times.push(performance.now() - a);
    }
    times.sort((a, b) => a - b);
    const profile = o.profile ? (await s.run(feeds, { profile: true })).profile : undefined;
    return {
      adapter: s.adapter,
      createMs,
      firstRunMs,
      medianMs: times[Math.floor(times.length / 2)] ?? firstRunMs,
      minMs: times[0] ?? firstRunMs,
      maxMs: times[times.length - 1] ?? firstRunMs,
      runs: o.runs,
      dispatches: (await s.stats()).dispatches,
      profile,
    };
  } finally {
    await s.release();
  }
}

export function formatBench(r: BenchReport): string {
  const lines = [
    `adapter     ${r.adapter}`,
    `create      ${r.createMs.toFixed(1)} ms`,
    `first run   ${r.firstRunMs.toFixed(1)} ms`,
    `median      ${r.medianMs.toFixed(1)} ms  (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}, ${r.runs} runs, ${r.dispatches} dispatches)`,
  ];
  if (r.profile) {
    const p = r.profile;
    lines.push('', `profile (${p.method}), total ${p.totalMs.toFixed(2)} ms`);
    const rows = p.dispatches.map((d) => [d.node, d.op, d.variant, d.ms.toFixed(3), `${((100 * d.ms) / (p.totalMs || 1)).toFixed(1)}%`]);
    const head = ['node', 'op', 'kernel', 'ms', 'share'];
    const w = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
    const fmt = (row: string[]) => row.map((x, c) => (c >= 3 ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd();
    lines.push(`  ${fmt(head)}`, ...rows.map((row) => `  ${fmt(row)}`));
  }
  return lines.join('\n') + '\n';
}
