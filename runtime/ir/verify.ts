// The IR verifier: every value has one producer, nodes are in topological order, every op is
// registered, and (after shape inference) every value read or written has a static shape.
import type { Graph } from './types.js';
import { GraphError, LimitError, ShapeError } from '../errors.js';

export interface VerifyOptions {
  /** Require static shapes on every value (true after infer-shapes). */
  shapes?: boolean;
}

export function verifyGraph(g: Graph, opts: VerifyOptions = {}): void {
  const produced = new Set<string>();
  const available = new Set<string>(['']);
  for (const name of g.inputs) {
    if (produced.has(name)) throw new GraphError(`graph input "${name}" is listed twice`);
    produced.add(name);
    available.add(name);
  }
  for (const name of g.initializers.keys()) {
    if (produced.has(name)) throw new GraphError(`value "${name}" is both a graph input and an initializer`);
    produced.add(name);
    available.add(name);
  }
  for (const n of g.nodes) {
    for (const x of n.inputs) {
      if (!available.has(x)) {
        throw new GraphError(`input "${x}" is read before it is produced`, { op: n.opType, node: n.name, hint: 'the graph is not in topological order or has a dangling name' });
      }
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (produced.has(o)) throw new GraphError(`value "${o}" has more than one producer`, { op: n.opType, node: n.name });
      produced.add(o);
      available.add(o);
    }
    if (opts.shapes) {
      for (const x of [...n.inputs, ...n.outputs]) {
        if (x && !g.values.get(x)?.shape) throw new GraphError(`value "${x}" has no static shape`, { op: n.opType, node: n.name });
      }
    }
  }
  for (const o of g.outputs) {
    // '' marks an omitted optional input or output of a node, never a graph output.
    if (!o) throw new GraphError('a graph output has no name', { hint: 'every graph output must name a value' });
    if (!available.has(o)) throw new GraphError(`graph output "${o}" is never produced`);
  }
}

/** Where a checked shape belongs, for error messages. */
export interface ShapeSite {
  op?: string;
  node?: string;
}

/** Bytes a tensor of this shape takes on the GPU (4 bytes per element, see ir/types.ts). */
export function gpuBytesOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) * 4;
}

/**
 * A static shape from an untrusted model (declared, or computed by an op's infer from declared
 * dims and attributes) must be a list of non-negative safe integers, and the tensor must fit
 * `limitBytes`. Checked before anything of that size is allocated, on the host (constant
 * folding) or on the GPU, so that a hostile file fails with a typed error instead of an
 * allocation crash.
 */
export function checkStaticShape(what: string, shape: readonly number[], limitBytes: number | undefined, site: ShapeSite = {}): void {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new ShapeError(`${what} has an invalid shape [${Array.isArray(shape) ? shape.join(',') : String(shape)}]`, {
      ...site,
      hint: 'dims must be non-negative integers',
    });
  }
  const bytes = gpuBytesOf(shape);
  if (limitBytes !== undefined && bytes > limitBytes) {
    throw new LimitError(`${what} needs ${bytes} bytes, above the session's memory limit of ${limitBytes} bytes`, {
      ...site,
      shapes: { [what]: shape },
      hint: 'the model declares (or computes) a tensor too large for this device; use smaller input dims, or raise maxMemoryBytes',
    });
  }
}
