// The graph passes, in the order they run. Each is a pure function Graph -> Graph in its own
// file; the verifier runs after every pass when `verify` is set (always in tests).
import type { Graph } from '../ir/types.js';
import { verifyGraph } from '../ir/verify.js';
import { sortTopologically } from './sort-topologically.js';
import { bindInputShapes, type BindOptions } from './bind-input-shapes.js';
import { inferShapes } from './infer-shapes.js';
import { removeDeadNodes } from './remove-dead-nodes.js';

export interface PassOptions extends BindOptions {
  /** Run the verifier after every pass. */
  verify?: boolean;
  /** Called with the graph after each pass (the IR-dump debug switch uses it). */
  onPass?: (name: string, g: Graph) => void;
}

export interface Pass {
  name: string;
  run: (g: Graph, o: PassOptions) => Graph;
  /** Whether every value has a static shape after this pass. */
  shapesKnown: boolean;
}

export const PASSES: Pass[] = [
  { name: 'sort-topologically', run: (g) => sortTopologically(g), shapesKnown: false },
  { name: 'bind-input-shapes', run: (g, o) => bindInputShapes(g, o), shapesKnown: false },
  { name: 'infer-shapes', run: (g, o) => inferShapes(g, o), shapesKnown: true },
  { name: 'remove-dead-nodes', run: (g) => removeDeadNodes(g), shapesKnown: true },
];

export function runPasses(g: Graph, o: PassOptions = {}): Graph {
  for (const p of PASSES) {
    g = p.run(g, o);
    if (o.verify) verifyGraph(g, { shapes: p.shapesKnown });
    o.onPass?.(p.name, g);
  }
  return g;
}
