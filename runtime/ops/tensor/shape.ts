// Shape (ONNX opset 1/13/15/19/21): the input's dims as a 1-D int64 tensor. Opset 15 adds
// `start` (default 0) and `end` (default: rank), negative counting from the back and clamped to
// [0, rank]. Static shapes make it a constant (foldFromShapes): no dispatch, and the chains
// that read it (Gather, Concat, Reshape…) fold too.
import type { OpDef, TypeShape } from '../types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { attrInt } from '../attributes.js';

interface ShapeAttrs {
  start: number;
  end?: number;
}

function range(rank: number, a: ShapeAttrs): [number, number] {
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = norm(a.start);
  const end = norm(a.end ?? rank);
  return [start, Math.max(start, end)];
}

export const Shape: OpDef<ShapeAttrs> = {
  opType: 'Shape',
  parse(ctx) {
    if (ctx.opset < 15) return { start: 0 };
    const end = ctx.node.attributes.end === undefined ? undefined : attrInt(ctx.node, 'end', 0);
    return { start: attrInt(ctx.node, 'start', 0), end };
  },
  infer(inputs, a): TypeShape[] {
    const [s, e] = range(inputs[0]!.shape.length, a);
    return [{ dtype: 'int64', shape: [e - s] }];
  },
  foldFromShapes(inputs, a) {
    const shape = inputs[0]!.shape;
    const [s, e] = range(shape.length, a);
    return [makeHost('int64', [e - s], shape.slice(s, e))];
  },
};
