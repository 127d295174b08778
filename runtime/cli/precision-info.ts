// The precision part of `fovea info`: which form of reduced precision a model file uses (as the
// converters emit them: float16 with or without float32 I/O, weight-only float16, mixed, and the
// three int8 forms), how many values of each element type its graph holds, and the GPU bytes of
// weights and peak activations in each precision it can run in (planned on the host).
import type { DType, Graph } from '../ir/types.js';
import { runPasses } from '../passes/index.js';
import type { Precision } from '../passes/convert-precision.js';
import { valueStorage, planGraph } from '../gpu/plan.js';
import { planMemory } from '../gpu/memory.js';
import type { KernelLimits } from '../ops/types.js';

export type PrecisionForm =
  | 'float32'
  | 'float16'
  | 'float16 (float32 I/O)'
  | 'float16 weights (float32 compute)'
  | 'mixed float16/float32'
  | 'int8 dynamic (DynamicQuantizeLinear + ConvInteger/MatMulInteger)'
  | 'int8 QDQ (QuantizeLinear/DequantizeLinear)'
  | 'int8 QOperator (QLinearConv/QLinearMatMul)';

export interface PrecisionBytes {
  /** What the plan assumed: the session option and whether the device stores f16. */
  precision: Precision;
  shaderF16: boolean;
  weightBytes: number;
  peakActivationBytes: number;
}

export interface PrecisionReport {
  form: PrecisionForm;
  /** Element type -> number of graph values (after shape inference) of that type. */
  valueTypes: Record<string, number>;
  /** GPU bytes per precision; `error` where the planner refused that combination. */
  bytes: (PrecisionBytes | { precision: Precision; shaderF16: boolean; error: string })[];
}

const COMPUTE_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export function precisionForm(model: Graph): PrecisionForm {
  const ops = new Set(model.nodes.map((n) => n.opType));
  if (ops.has('QLinearConv') || ops.has('QLinearMatMul')) return 'int8 QOperator (QLinearConv/QLinearMatMul)';
  if (ops.has('ConvInteger') || ops.has('MatMulInteger') || ops.has('DynamicQuantizeLinear')) return 'int8 dynamic (DynamicQuantizeLinear + ConvInteger/MatMulInteger)';
  if (ops.has('QuantizeLinear') || ops.has('DequantizeLinear')) return 'int8 QDQ (QuantizeLinear/DequantizeLinear)';
  const typeOf = (v: string): DType | undefined => model.values.get(v)?.dtype ?? model.initializers.get(v)?.dtype;
  const computeTypes = new Set(model.nodes.filter((n) => COMPUTE_OPS.has(n.opType)).map((n) => typeOf(n.outputs[0])).filter(Boolean));
  const halfWeights = [...model.initializers.values()].some((t) => t.dtype === 'float16');
  if (computeTypes.has('float16') && computeTypes.has('float32')) return 'mixed float16/float32';
  if (computeTypes.has('float16') || (!computeTypes.size && halfWeights)) {
    const io = [...model.inputs, ...model.outputs].map(typeOf);
    return io.includes('float16') ? 'float16' : 'float16 (float32 I/O)';
  }
  return halfWeights ? 'float16 weights (float32 compute)' : 'float32';
}

export function precisionReport(model: Graph, g: Graph, limits: KernelLimits, freeDimensions: Record<string, number>): PrecisionReport {
  const valueTypes: Record<string, number> = {};
  for (const v of g.values.values()) valueTypes[v.dtype] = (valueTypes[v.dtype] ?? 0) + 1;
  const combos: { precision: Precision; shaderF16: boolean }[] = [
    { precision: 'auto', shaderF16: true },
    { precision: 'auto', shaderF16: false },
    { precision: 'float16', shaderF16: true },
    { precision: 'float32', shaderF16: false },
  ];
  const bytes = combos.map((c) => {
    try {
      const pg = runPasses(model, { freeDimensions, precision: c.precision });
      // Without shader-f16 float16 is packed (p16) where it can be, as a session stores it.
      const plan = planGraph(pg, valueStorage({ ...limits, shaderF16: c.shaderF16, packedF16: !c.shaderF16 }, pg));
      return {
        ...c,
        weightBytes: plan.buffers.reduce((a, b) => a + (b.init ? b.bytes : 0), 0),
        peakActivationBytes: planMemory(plan, { reuse: true, keep: [] }).peakBytes,
      };
    } catch (e) {
      return { ...c, error: (e as Error).message };
    }
  });
  return { form: precisionForm(model), valueTypes, bytes };
}

/** Lines for the human-readable report. */
export function formatPrecision(p: PrecisionReport): string[] {
  const lines = ['', `precision  ${p.form}`];
  lines.push(`  value types: ${Object.entries(p.valueTypes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('  GPU bytes (weights / peak activations):');
  for (const b of p.bytes) {
    const what = `precision '${b.precision}', ${b.shaderF16 ? 'f16 storage (shader-f16)' : 'no shader-f16 (packed f16)'}`;
    lines.push('error' in b ? `    ${what}: cannot plan (${b.error})` : `    ${what}: ${mib(b.weightBytes)} / ${mib(b.peakActivationBytes)}`);
  }
  return lines;
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(2)} MiB`;
}
