// Every WGSL variant that the test models produce compiles with no error and no warning.
// pipeline-cache.ts already turns compilation errors into CompileErrors at create; warnings
// (unused values, uniformity analysis findings, deprecated syntax…) do not fail a pipeline, so they
// are caught here: the plans of a set of models — the fuzzer's seed models, the demo models and,
// when installed, the ONNX backend test data — in every kernel variant that forceAlgorithm and
// graphOptimizationLevel select, are collected without running anything, and each distinct
// shader text is compiled with device.createShaderModule and checked with getCompilationInfo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDevice, UnsupportedOpError } from '../runtime/index.node.js';
import { kernelLimits } from '../runtime/gpu/device.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { runPasses, type GraphOptimizationLevel } from '../runtime/passes/index.js';
import { planGraph } from '../runtime/gpu/plan.js';
import { getOp, registeredOps } from '../runtime/ops/registry.js';
import { checkSupported } from '../runtime/ops/unsupported.js';
import { makeHost } from '../runtime/ir/host-tensor.js';
import type { Graph, HostTensor } from '../runtime/ir/types.js';
import type { GemmKernel, KernelLimits } from '../runtime/ops/types.js';
import { seedModels } from './util/fuzz.js';
import { TESTDATA_ROOT, dataFiles, dataSetDirs, listCases, readTensorFile } from './util/onnx-testdata.js';

/** forceAlgorithm names, by the op types that declare them (OpDef.variants). */
const VARIANTS: [string[], readonly string[]][] = registeredOps()
  .map((name) => name.split('::'))
  .map(([d, o]) => (o === undefined ? ['', d] : [d, o]))
  .map(([domain, opType]) => [[opType], getOp(domain, opType)?.variants ?? []] as [string[], readonly string[]])
  .filter(([, v]) => v.length > 0);

interface Feed {
  dims: number[];
  /** Values of a feed that decides shapes (an op's shapeInputs slot): they become constants. */
  host?: HostTensor;
}

/** Plans `model` in every applicable variant; adds each dispatch's code to `codes`. */
function collect(model: Graph, feeds: Map<string, Feed>, limits: KernelLimits, codes: Map<string, string>, where: string): number {
  checkSupported(model);
  const valueInputs = new Set<string>();
  for (const n of model.nodes) for (const i of getOp(n.domain, n.opType)?.shapeInputs ?? []) if (model.inputs.includes(n.inputs[i])) valueInputs.add(n.inputs[i]);
  const initializers = new Map(model.initializers);
  for (const name of valueInputs) {
    const host = feeds.get(name)?.host;
    if (!host) return 0;
    initializers.set(name, host);
  }
  const g: Graph = { ...model, inputs: model.inputs.filter((n) => !valueInputs.has(n)), initializers };
  const feedShapes: Record<string, number[]> = {};
  for (const name of g.inputs) {
    const f = feeds.get(name);
    const v = g.values.get(name);
    feedShapes[name] = f?.dims ?? (v?.declared ?? v?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  }
  const ops = new Set(g.nodes.map((n) => n.opType));
  const runs: { level: GraphOptimizationLevel; force?: string; gemm?: GemmKernel }[] = [{ level: 'all' }, { level: 'disabled' }];
  for (const [owners, names] of VARIANTS) if (owners.some((o) => ops.has(o))) for (const force of names) runs.push({ level: 'all', force });
  // The conv GEMM kernels: both where the device allows the subgroup one.
  if (ops.has('Conv')) for (const gemm of ['tiled', 'subgroup'] as const) for (const force of ['pointwise', 'im2col']) runs.push({ level: 'all', force, gemm });
  let planned = 0;
  for (const r of runs) {
    let plan;
    try {
      const graph = runPasses(g, { feedShapes, graphOptimizationLevel: r.level });
      plan = planGraph(graph, limits, { forceAlgorithm: r.force, gemmKernel: r.gemm });
    } catch {
      continue; // models the planner refuses (their tests cover why) have no shaders to check
    }
    planned++;
    for (const d of plan.dispatches) if (!codes.has(d.code)) codes.set(d.code, `${where}: ${d.op} "${d.node}" [${d.variant}]${r.force ? ` (${r.force})` : ''}`);
  }
  return planned;
}

test('every WGSL variant of the test models compiles without errors or warnings', async (t) => {
  const { device, adapterInfo } = await acquireDevice();
  const limits = kernelLimits(device, adapterInfo);
  const codes = new Map<string, string>();
  let models = 0;
  for (const seed of seedModels()) {
    try {
      if (collect(await decodeModel(seed.bytes), new Map(), limits, codes, seed.name)) models++;
    } catch (e) {
      // A converted seed (demo/public/models/precision) may use an op Fovea does not have yet.
      if (!(e instanceof UnsupportedOpError)) throw e;
      t.diagnostic(`${seed.name}: skipped, ${e.message}`);
    }
  }
  const fromSeeds = codes.size;

  if (existsSync(TESTDATA_ROOT)) {
    for (const c of listCases(TESTDATA_ROOT, ['node', 'pytorch-converted', 'pytorch-operator', 'simple'])) {
      try {
        const model = await decodeModel(new Uint8Array(readFileSync(join(c.dir, 'model.onnx'))));
        const set = dataSetDirs(c.dir)[0];
        const feeds = new Map<string, Feed>();
        if (set) {
          const files = dataFiles(set, 'input');
          const names = model.inputs;
          for (const [i, f] of files.entries()) {
            const tt = await readTensorFile(f);
            const name = tt.name || names[i];
            const values = Array.from(tt.data as ArrayLike<number | bigint>, Number);
            feeds.set(name, { dims: tt.dims, host: tt.dtype === 'string' ? undefined : makeHost(tt.dtype, tt.dims, values) });
          }
        }
        if (collect(model, feeds, limits, codes, c.id)) models++;
      } catch {
        // unsupported ops, sequence types… (the conformance test reports those)
      }
    }
  } else {
    t.diagnostic(`ONNX backend test data not found at ${TESTDATA_ROOT}: checking the seed models only`);
  }

  const diagnose = async (code: string, where: string): Promise<string[]> => {
    const module = device.createShaderModule({ code, label: where });
    const info = await module.getCompilationInfo();
    return info.messages.filter((m) => m.type === 'error' || m.type === 'warning').map((m) => `${where}: ${m.type} ${m.lineNum}:${m.linePos} ${m.message}`);
  };
  // The check itself: a shader with unreachable code draws a warning from the WGSL compiler.
  const control = await diagnose('@compute @workgroup_size(1) fn main() { return; let x = 1; }', 'control');
  assert.ok(control.some((m) => m.includes('warning')), 'the compiler reports warnings through getCompilationInfo');

  const problems: string[] = [];
  for (const [code, where] of codes) problems.push(...(await diagnose(code, where)));
  t.diagnostic(`${models} models planned, ${codes.size} distinct shaders (${fromSeeds} from the seed and demo models) compiled`);
  assert.ok(codes.size >= 20, `only ${codes.size} shaders were collected`);
  assert.deepEqual(problems, []);
});
