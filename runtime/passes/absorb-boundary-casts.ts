// Casts between float32 and float16 at the graph's boundary become part of the upload and the
// readback: no dispatch. Converters emit them around float16 graphs that keep float32 I/O
// (onnxconverter-common's keep_io_types): Cast(f32 -> f16) right after an input, Cast(f16 -> f32)
// right before an output. After this pass such an input or output has the Cast's inner type in
// the graph, while the session keeps the type the file declares for its Tensors and converts on
// the host (runtime/tensor.ts toGpuElements / fromElements): the same IEEE rounding as the Cast.
// An input is absorbed when every reader is a Cast to the same other float type; an output when
// its producer is such a Cast of a value the graph computes (not an input, constant or output).
// Kept values (keepValues) are left alone. Runs after infer-shapes: values have types.
import type { DType, Graph, Node } from '../ir/types.js';
import { externalNames, type RewriteOptions } from './graph-edit.js';

const FLOAT_CODE: Record<number, DType> = { 1: 'float32', 10: 'float16' };

function floatCast(n: Node): DType | undefined {
  return n.opType === 'Cast' && !n.domain ? FLOAT_CODE[n.attributes.to as number] : undefined;
}

const isBoundaryFloat = (d: DType | undefined) => d === 'float32' || d === 'float16';

export function absorbBoundaryCasts(g: Graph, o: RewriteOptions = {}): Graph {
  const external = externalNames(g, o);
  const kept = new Set(o.keepValues ?? []);
  const values = new Map(g.values);
  const rename = new Map<string, string>();
  const drop = new Set<Node>();

  for (const x of g.inputs) {
    const from = values.get(x)?.dtype;
    if (!isBoundaryFloat(from) || external.has(x)) continue;
    const readers = g.nodes.filter((n) => n.inputs.includes(x));
    const to = readers.length ? floatCast(readers[0]) : undefined;
    if (!to || to === from || !readers.every((n) => floatCast(n) === to && n.inputs[0] === x && !external.has(n.outputs[0]))) continue;
    for (const n of readers) {
      drop.add(n);
      rename.set(n.outputs[0], x);
    }
    values.set(x, { ...values.get(x)!, dtype: to });
  }

  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const y of n.outputs) if (y) producer.set(y, n);
  const inputs = new Set(g.inputs);
  for (const y of g.outputs) {
    const cast = producer.get(y);
    if (!cast || drop.has(cast) || kept.has(y) || g.outputs.filter((z) => z === y).length > 1) continue;
    const to = floatCast(cast);
    const z = cast.inputs[0];
    const inner = values.get(z)?.dtype;
    if (!to || !isBoundaryFloat(inner) || inner === to || !producer.has(z) || inputs.has(z) || g.initializers.has(z) || external.has(z) || rename.has(z)) continue;
    drop.add(cast);
    rename.set(z, y);
    values.set(y, { ...values.get(y)!, dtype: inner! });
    values.delete(z);
  }
  if (!drop.size) return g;
  const map = (v: string) => rename.get(v) ?? v;
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => ({ ...n, inputs: n.inputs.map(map), outputs: n.outputs.map(map) }));
  for (const n of drop) if (rename.get(n.outputs[0]) !== undefined) values.delete(n.outputs[0]);
  return { ...g, nodes, values };
}
