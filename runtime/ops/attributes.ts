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

/** WGSL words that start statements or declarations: never part of a plain expression. */
const WGSL_STATEMENT_WORDS = new Set([
  'alias', 'break', 'case', 'const', 'const_assert', 'continue', 'continuing', 'default', 'diagnostic', 'discard', 'else',
  'enable', 'fn', 'for', 'if', 'let', 'loop', 'override', 'requires', 'return', 'struct', 'switch', 'var', 'while',
]);

/**
 * A string attribute that is pasted into WGSL as an expression of `v` (the fused-activation hook
 * `fovea.activation` that fusion passes set). Model files are untrusted and can carry any
 * attribute, so the text must be a single expression: identifiers, numbers, operators, parentheses
 * and commas only — no braces, brackets, semicolons, comments, attributes, address-of or
 * statement keywords — and so cannot declare, loop, index buffers or end the surrounding code.
 */
export function attrWgslExpression(node: Node, name: string, def: string): string {
  const v = attrString(node, name, def);
  const bad = (why: string): never => fail(node, `attribute "${name}" is not a plain WGSL expression (${why})`);
  if (v.length > 256) bad('longer than 256 characters');
  if (!/^[A-Za-z0-9_.+\-*/%<>=!|^~?:,() ]*$/.test(v)) bad('it contains characters outside identifiers, numbers, operators and parentheses');
  if (v.includes('//') || v.includes('/*')) bad('it contains a comment');
  for (const word of v.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (WGSL_STATEMENT_WORDS.has(word)) bad(`"${word}"`);
  let depth = 0;
  for (const c of v) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) bad('unbalanced parentheses');
  }
  if (depth !== 0) bad('unbalanced parentheses');
  if (!/\S/.test(v)) bad('it is empty');
  return v;
}
