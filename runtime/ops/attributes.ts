// Attribute readers with the ONNX spec's defaults, plus shape helpers shared by op files.
import type { AttributeValue, HostTensor, Node } from '../ir/types.js';
import { ShapeError } from '../errors.js';

function fail(node: Node, msg: string): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name });
}

export function attrInt(node: Node, name: string, def: number): number {
  const v = node.attributes[name];
  if (v === undefined) return def;
  if (typeof v !== 'number') fail(node, `attribute "${name}" must be an int`);
  return Math.trunc(v);
}

export function attrFloat(node: Node, name: string, def: number): number {
  const v = node.attributes[name];
  if (v === undefined) return def;
  if (typeof v !== 'number') fail(node, `attribute "${name}" must be a float`);
  return v;
}

export function attrString(node: Node, name: string, def: string): string {
  const v = node.attributes[name];
  if (v === undefined) return def;
  if (typeof v !== 'string') fail(node, `attribute "${name}" must be a string`);
  return v;
}

export function attrInts(node: Node, name: string, def?: number[]): number[] | undefined {
  const v = node.attributes[name];
  if (v === undefined) return def;
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) fail(node, `attribute "${name}" must be a list of ints`);
  return (v as number[]).map(Math.trunc);
}

export function attrFloats(node: Node, name: string, def?: number[]): number[] | undefined {
  const v = node.attributes[name];
  if (v === undefined) return def;
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) fail(node, `attribute "${name}" must be a list of floats`);
  return v as number[];
}

export function attrTensor(node: Node, name: string): HostTensor | undefined {
  const v: AttributeValue | undefined = node.attributes[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !('dims' in v)) fail(node, `attribute "${name}" must be a tensor`);
  return v as HostTensor;
}

/** Normalises a possibly negative axis against a rank. */
export function normAxis(node: Node, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style multidirectional broadcasting (ONNX Broadcasting.md). */
export function broadcastShapes(node: Node, ...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) {
        throw new ShapeError(`shapes cannot be broadcast`, {
          op: node.opType,
          node: node.name,
          shapes: Object.fromEntries(shapes.map((sh, k) => [`input${k}`, sh])),
        });
      }
      d = x;
    }
    out.push(d);
  }
  return out;
}
