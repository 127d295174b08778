// Binds free (symbolic) input dims to numbers — from the session's `freeDimensions` option,
// else from the shapes of the first feeds — so that every later shape is static.
import type { Graph } from '../ir/types.js';
import { InputError } from '../errors.js';
import { checkStaticShape } from '../ir/verify.js';

export interface BindOptions {
  freeDimensions?: Record<string, number>;
  /** Shapes of the first run's feeds, by input name. */
  feedShapes?: Record<string, readonly number[]>;
  /** Inputs larger than this (bytes on the GPU) are refused before anything is allocated. */
  maxMemoryBytes?: number;
}

export function bindInputShapes(g: Graph, opts: BindOptions = {}): Graph {
  const values = new Map(g.values);
  for (const name of g.inputs) {
    const v = values.get(name)!;
    if (v.shape) {
      checkStaticShape(`input "${name}"`, v.shape, opts.maxMemoryBytes);
      continue;
    }
    const declared = v.declared;
    const feed = opts.feedShapes?.[name];
    if (!declared) {
      if (!feed) throw new InputError(`input "${name}" has no declared shape`, { hint: 'pass its shape by running with a feed' });
      checkStaticShape(`input "${name}"`, feed, opts.maxMemoryBytes);
      values.set(name, { ...v, shape: [...feed] });
      continue;
    }
    const shape = declared.map((d, i) => {
      if (typeof d === 'number') return d;
      const bound = opts.freeDimensions?.[d] ?? feed?.[i];
      if (bound === undefined) {
        throw new InputError(`input "${name}" has a free dimension "${d}" that is not bound`, {
          shapes: { declared: declared.map((x) => (typeof x === 'number' ? x : -1)) },
          hint: `pass freeDimensions: { "${d}": N } to InferenceSession.create`,
        });
      }
      if (!Number.isInteger(bound) || bound < 0) throw new InputError(`free dimension "${d}" must be a non-negative integer, got ${bound}`);
      return bound;
    });
    checkStaticShape(`input "${name}"`, shape, opts.maxMemoryBytes);
    values.set(name, { ...v, shape });
  }
  return { ...g, values };
}
