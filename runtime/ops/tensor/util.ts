// Helpers shared by the tensor ops: failing with the node's name, reading the constant integer
// inputs that fix an output shape (Reshape's shape, Slice's starts, Pad's pads…), and host
// tensors of the same data kind as an input.
import type { HostData, HostTensor, Node } from '../../ir/types.js';
import { toNumbers } from '../../ir/host-tensor.js';
import type { OpContext } from '../types.js';
import { ShapeError } from '../../errors.js';

export function fail(node: Node, msg: string, shapes?: Record<string, readonly number[] | undefined>, hint?: string): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes, hint });
}

/** Input i as a list of numbers; undefined when the optional input is absent. Fovea compiles
 * static shapes, so an input that decides an output shape must be constant (an initializer or
 * a folded Shape chain). */
export function constInts(ctx: OpContext, i: number, what: string): number[] | undefined {
  if (!ctx.has(i)) return undefined;
  const t = ctx.constant(i);
  if (!t) {
    fail(ctx.node, `input ${i} ("${what}") must be constant: output shapes are fixed when the session compiles`, undefined, 'export the model with static shapes so that this input folds to a constant');
  }
  return toNumbers(t);
}

/** A zeroed array of the same kind (Float32Array, Float64Array or Int32Array) as `like`. */
export function dataLike(like: HostData, n: number): HostData {
  if (like instanceof Float32Array) return new Float32Array(n);
  if (like instanceof Float64Array) return new Float64Array(n);
  return new Int32Array(n);
}

/** The same elements under new dims (the host side of the view ops). */
export function reshapedHost(x: HostTensor, dims: number[]): HostTensor {
  return { dtype: x.dtype, dims: [...dims], data: x.data.slice() };
}

/** Validates a list of axes against a rank: normalises negatives, rejects repeats. */
export function normAxes(node: Node, axes: number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) fail(node, `axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) fail(node, `axes [${axes.join(',')}] repeat an axis`);
  return out;
}
