// The graph passes, in the order they run. Each is a pure function Graph -> Graph in its own
// file; the verifier runs after every pass when `verify` is set (always in tests), and once
// shapes are known it also re-runs every node's shape inference (check-inferred.ts).
// Optimisation levels, like onnxruntime's graphOptimizationLevel:
//   'disabled': only the required passes (sort, bind input shapes, infer shapes with constant
//     folding, remove dead nodes);
//   'basic': also the rewrites whose result is still plain ONNX (absorb-boundary-casts,
//     remove-identities, fold-batch-norm);
//   (split-large-values, required where a device's binding limit is given, runs after
//     fold-batch-norm and before the fusions, so that its slab convs fuse like any conv;)
//   'all' (the default): also the fusions into kernel epilogues (fuse-residual-add, then
//     fuse-activations, so that Conv -> Add -> Relu becomes one Conv), and fuse-qdq (QDQ-quantized
//     convs to QLinearConv) and fuse-qdq-ops (QDQ Add, Mul, Sigmoid, LeakyRelu, GlobalAveragePool,
//     Concat to onnxruntime's QLinear* ops, as its QDQ transformer does), which run before
//     infer-shapes so that the weights' DequantizeLinear is still there (shape inference folds it
//     into a float initializer).
import type { Graph } from '../ir/types.js';
import { verifyGraph } from '../ir/verify.js';
import { checkInferredTypes } from './check-inferred.js';
import { InputError } from '../errors.js';
import { sortTopologically } from './sort-topologically.js';
import { bindInputShapes, type BindOptions } from './bind-input-shapes.js';
import { inferShapes } from './infer-shapes.js';
import { convertPrecision, type Precision } from './convert-precision.js';
import { removeIdentities } from './remove-identities.js';
import { absorbBoundaryCasts } from './absorb-boundary-casts.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { fuseResidualAdd } from './fuse-residual-add.js';
import { fuseActivations } from './fuse-activations.js';
import { removeDeadNodes } from './remove-dead-nodes.js';
import { fuseQdq } from './fuse-qdq.js';
import { fuseQdqOps } from './fuse-qdq-ops.js';
import { splitLargeValues, type SplitOptions } from './split-large-values.js';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'all';
export const GRAPH_OPTIMIZATION_LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'all'];

export interface PassOptions extends BindOptions, SplitOptions {
  /** Run the verifier after every pass. */
  verify?: boolean;
  /** Called with the graph after each pass (the IR-dump debug switch uses it). */
  onPass?: (name: string, g: Graph) => void;
  /** The float type to compute in (SessionOptions.precision; default 'auto': the model's). */
  precision?: Precision;
  /** Which optional passes run (default 'all'). */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

export interface Pass {
  name: string;
  run: (g: Graph, o: PassOptions) => Graph;
  /** Whether every value has a static shape after this pass. */
  shapesKnown: boolean;
  /** The lowest optimisation level that runs this pass; absent: required, always runs. */
  level?: 'basic' | 'all';
}

export const PASSES: Pass[] = [
  { name: 'sort-topologically', run: (g) => sortTopologically(g), shapesKnown: false },
  { name: 'bind-input-shapes', run: (g, o) => bindInputShapes(g, o), shapesKnown: false },
  { name: 'fuse-qdq', run: (g, o) => fuseQdq(g, o), shapesKnown: false, level: 'all' },
  { name: 'fuse-qdq-ops', run: (g, o) => fuseQdqOps(g, o), shapesKnown: false, level: 'all' },
  { name: 'convert-precision', run: (g, o) => convertPrecision(g, o.precision), shapesKnown: false },
  { name: 'infer-shapes', run: (g, o) => inferShapes(g, o), shapesKnown: true },
  { name: 'absorb-boundary-casts', run: (g, o) => absorbBoundaryCasts(g, o), shapesKnown: true, level: 'basic' },
  { name: 'remove-identities', run: (g, o) => removeIdentities(g, o), shapesKnown: true, level: 'basic' },
  { name: 'fold-batch-norm', run: (g, o) => foldBatchNorm(g, o), shapesKnown: true, level: 'basic' },
  { name: 'split-large-values', run: (g, o) => splitLargeValues(g, o), shapesKnown: true },
  { name: 'fuse-residual-add', run: (g, o) => fuseResidualAdd(g, o), shapesKnown: true, level: 'all' },
  { name: 'fuse-activations', run: (g, o) => fuseActivations(g, o), shapesKnown: true, level: 'all' },
  { name: 'remove-dead-nodes', run: (g) => removeDeadNodes(g), shapesKnown: true },
];

/** Validates a graphOptimizationLevel option (from untyped callers too). */
export function checkOptimizationLevel(level: unknown): GraphOptimizationLevel {
  if (level === undefined) return 'all';
  if (!GRAPH_OPTIMIZATION_LEVELS.includes(level as GraphOptimizationLevel)) {
    throw new InputError(`graphOptimizationLevel must be one of ${GRAPH_OPTIMIZATION_LEVELS.map((l) => `'${l}'`).join(', ')}, got ${JSON.stringify(level)}`);
  }
  return level as GraphOptimizationLevel;
}

export function runPasses(g: Graph, o: PassOptions = {}): Graph {
  const level = GRAPH_OPTIMIZATION_LEVELS.indexOf(checkOptimizationLevel(o.graphOptimizationLevel));
  for (const p of PASSES) {
    if (p.level && GRAPH_OPTIMIZATION_LEVELS.indexOf(p.level) > level) continue;
    g = p.run(g, o);
    if (o.verify) {
      verifyGraph(g, { shapes: p.shapesKnown });
      if (p.shapesKnown) checkInferredTypes(g, p.name);
    }
    o.onPass?.(p.name, g);
  }
  return g;
}
