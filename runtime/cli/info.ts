// `fovea info MODEL [--json] [--free-dim name=N]`: the model's inputs and outputs, an op
// histogram, and a per-layer table (output shape, parameters, FLOPs, receptive field) computed
// from the shape-inferred graph. Runs entirely on the host: no GPU is needed.
import '../index.node.js'; // installs the file-path reader for model sources
import { readSource } from '../../loaders/onnx/source.js';
import { decodeModel } from '../../loaders/onnx/decode.js';
import { checkSupported } from '../ops/unsupported.js';
import { runPasses } from '../passes/index.js';
import { planGraph } from '../gpu/plan.js';
import type { Graph } from '../ir/types.js';
import { InputError } from '../errors.js';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR, RESIDUAL_ATTR } from '../ir/fovea-attributes.js';
import { CONVENTIONS, modelStats, type LayerStats } from './model-stats.js';
import { formatPrecision, precisionReport, type PrecisionReport } from './precision-info.js';
import '../ops/index.js';
import { DEFAULT_LIMITS } from '../gpu/device.js';
import type { KernelLimits } from '../ops/types.js';

export interface ValueSummary {
  name: string;
  dtype: string;
  /** Declared dims; strings are free dims. */
  dims: (number | string)[];
  /** The static shape after binding free dims and shape inference. */
  shape: number[] | null;
}

export interface InfoReport {
  model: string;
  graph: string;
  opset: number;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Op type -> node count, as in the model file (before constant folding). */
  opHistogram: Record<string, number>;
  nodes: { inFile: number; afterPasses: number };
  layers: LayerStats[];
  totals: { params: number; flops: number };
  conventions: typeof CONVENTIONS;
  /** With --passes: node count after every pass, and every remaining node's epilogue and kernels. */
  passes?: { name: string; nodes: number }[];
  fused?: { node: string; op: string; activation?: string; residual?: boolean; kernels: string[] }[];
  /** With --passes: what the kernels were planned for (an adapter, or WebGPU's default limits). */
  kernelsFor?: string;
  /** The reduced-precision form, value types and GPU bytes per precision. */
  precision: PrecisionReport;
}

/** The device limits `--passes` plans kernels for, and what they describe. */
export interface InfoTarget {
  limits: KernelLimits;
  label: string;
}


/** Loads a model and computes its report. */
export async function modelInfo(
  modelPath: string,
  freeDimensions: Record<string, number> = {},
  opts: { passes?: boolean; target?: InfoTarget } = {},
): Promise<InfoReport> {
  const loaded = await readSource(modelPath);
  const model = await decodeModel(loaded.bytes, { readExternal: loaded.readExternal });
  checkSupported(model);
  requireBoundDims(model, freeDimensions);
  const passes: { name: string; nodes: number }[] = [{ name: '(file)', nodes: model.nodes.length }];
  const g = runPasses(model, { freeDimensions, verify: true, onPass: (name, pg) => passes.push({ name, nodes: pg.nodes.length }) });
  const stats = modelStats(g);

  const summary = (name: string): ValueSummary => {
    const declared = model.values.get(name);
    const v = g.values.get(name);
    return {
      name,
      dtype: v?.dtype ?? declared?.dtype ?? 'unknown',
      dims: declared?.declared ?? v?.shape ?? [],
      shape: v?.shape ?? null,
    };
  };
  const histogram = new Map<string, number>();
  for (const n of model.nodes) {
    const key = n.domain ? `${n.domain}.${n.opType}` : n.opType;
    histogram.set(key, (histogram.get(key) ?? 0) + 1);
  }
  const sorted = [...histogram].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    model: modelPath,
    graph: model.name,
    opset: model.opset,
    inputs: model.inputs.map(summary),
    outputs: model.outputs.map(summary),
    opHistogram: Object.fromEntries(sorted),
    nodes: { inFile: model.nodes.length, afterPasses: g.nodes.length },
    layers: stats.layers,
    totals: stats.totals,
    conventions: CONVENTIONS,
    precision: precisionReport(model, g, opts.target?.limits ?? DEFAULT_LIMITS, freeDimensions),
    ...(opts.passes ? { passes, fused: fusedGraph(g, opts.target?.limits ?? DEFAULT_LIMITS), kernelsFor: opts.target?.label ?? 'WebGPU default limits' } : {}),
  };
}

/** Every remaining node with its fused epilogue and the kernel variants the planner picks. */
function fusedGraph(g: Graph, limits: KernelLimits): NonNullable<InfoReport['fused']> {
  const plan = planGraph(g, limits);
  const kernels = new Map<string, string[]>();
  for (const d of plan.dispatches) kernels.set(d.node, [...(kernels.get(d.node) ?? []), d.variant]);
  return g.nodes.map((n) => {
    const act = n.attributes[ACTIVATION_ATTR];
    const params = n.attributes[ACTIVATION_PARAMS_ATTR];
    return {
      node: n.name,
      op: n.opType,
      ...(typeof act === 'string' ? { activation: Array.isArray(params) && params.length ? `${act}(${params.join(', ')})` : act } : {}),
      ...(n.attributes[RESIDUAL_ATTR] === 1 ? { residual: true } : {}),
      kernels: kernels.get(n.name) ?? ['(view)'],
    };
  });
}

/** Names every unbound free dim at once, with the CLI flag that binds it. */
export function requireBoundDims(model: Graph, freeDimensions: Record<string, number>): void {
  const missing = new Set<string>();
  for (const name of model.inputs) {
    for (const d of model.values.get(name)?.declared ?? []) if (typeof d === 'string' && freeDimensions[d] === undefined) missing.add(d);
  }
  if (missing.size) {
    const names = [...missing];
    throw new InputError(`the model has unbound free dimension${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}`, {
      hint: `pass ${names.map((n) => `--free-dim ${n}=N`).join(' ')}`,
    });
  }
}

/** The human-readable report. */
export function formatInfo(r: InfoReport): string {
  const lines: string[] = [];
  lines.push(`model  ${r.model}  (graph "${r.graph}", opset ${r.opset})`);
  const values = (title: string, vs: ValueSummary[]) => {
    lines.push('', title);
    lines.push(
      ...table(
        ['name', 'dtype', 'dims', 'shape'],
        vs.map((v) => [v.name, v.dtype, `[${v.dims.join(', ')}]`, v.shape ? `[${v.shape.join(', ')}]` : '?']),
        [],
      ).map((l) => `  ${l}`),
    );
  };
  values('inputs', r.inputs);
  values('outputs', r.outputs);

  lines.push('', `ops (${r.nodes.inFile} nodes in the file, ${r.nodes.afterPasses} after constant folding)`);
  lines.push(...table(['op', 'count'], Object.entries(r.opHistogram).map(([k, v]) => [k, String(v)]), [1]).map((l) => `  ${l}`));

  lines.push('', 'layers');
  const rows = r.layers.map((l, i) => [
    String(i),
    l.name,
    l.op,
    l.outputShape ? `[${l.outputShape.join(', ')}]` : '?',
    l.params ? group(l.params) : '-',
    l.flops ? group(l.flops) : '-',
    l.rf ? axes(l.rf) : '-',
    l.jump ? axes(l.jump) : '-',
  ]);
  lines.push(...table(['#', 'node', 'op', 'output', 'params', 'FLOPs', 'RF', 'jump'], rows, [0, 4, 5]).map((l) => `  ${l}`));

  if (r.passes && r.fused) {
    lines.push('', 'passes');
    lines.push(...table(['pass', 'nodes'], r.passes.map((p) => [p.name, String(p.nodes)]), [1]).map((l) => `  ${l}`));
    lines.push('', `fused graph (kernels planned for ${r.kernelsFor ?? 'WebGPU default limits'})`);
    const fusedRows = r.fused.map((f) => [f.node, f.op, [f.residual ? '+residual' : '', f.activation ?? ''].filter(Boolean).join(' ') || '-', f.kernels.join(', ')]);
    lines.push(...table(['node', 'op', 'epilogue', 'kernels'], fusedRows, []).map((l) => `  ${l}`));
  }
  lines.push(...formatPrecision(r.precision));
  lines.push('', `total  params ${group(r.totals.params)} (${human(r.totals.params)})  FLOPs ${group(r.totals.flops)} (${human(r.totals.flops)})`);
  lines.push('', 'conventions');
  lines.push(`  FLOPs: ${r.conventions.flops}`);
  lines.push(`  params: ${r.conventions.params}`);
  lines.push(`  RF: ${r.conventions.receptiveField}`);
  return lines.join('\n') + '\n';
}

/** Left-aligned columns, right-aligned where listed. */
function table(head: string[], rows: string[][], right: number[]): string[] {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (right.includes(c) ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** "7" for equal axes, else "7x5"; fractional jumps (after upsampling) keep 3 decimals. */
function axes(xs: number[]): string {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/0+$/, ''));
  return xs.every((x) => x === xs[0]) ? f(xs[0]) : xs.map(f).join('x');
}

function group(n: number): string {
  return n.toLocaleString('en-US');
}

function human(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(2)} ${u}`;
  return String(n);
}
