// Builds WGSL from the files in shaders/: `//#include NAME` pulls in another file (the shared
// prelude), `#if KEY` / `#ifnot KEY` / `#else` / `#endif` lines select variant code,
// `{{KEY}}` is replaced by the define's value, and `//#tensor NAME BINDING ACCESS TYPE` declares a
// storage binding of elements stored as TYPE with the accessors NAME_get / NAME_set (tensorDecl:
// one source for every element storage, packed f16 included). Everything a define changes is compile-time
// specialisation and so part of the pipeline cache key (the final text); runtime values
// (shapes, strides) live in the `params` uniform struct instead.
// Binding layouts and uniform offsets come from wgsl_reflect, never from positional guesses.
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { SHADERS } from './shaders.generated.js';
import { CompileError } from '../errors.js';
import { computeOf, type StorageType } from './elements.js';

export type Defines = Record<string, string | number | boolean>;

export function buildShader(name: string, defines: Defines = {}): string {
  // A define the shader never names (in `#if`, `#ifnot` or `{{KEY}}`, in any branch of it or of
  // what it includes) is a misspelling on one side or the other: without this check a misspelled
  // flag would silently select the other branch.
  const known = shaderKeys(name);
  for (const k of Object.keys(defines)) {
    if (!known.has(k)) throw new CompileError(`define "${k}" is not used by shader "${name}"`, { hint: `the shader names: ${[...known].sort().join(', ') || '(none)'}` });
  }
  const code = preprocess(name, defines, new Set());
  // WGSL requires `enable f16;` before any declaration exactly when the module uses f16 (the
  // element type of float16 values on devices with 'shader-f16': runtime/gpu/elements.ts).
  return usesF16(code) ? `enable f16;\n${code}` : code;
}

const KEYS = new Map<string, Set<string>>();

/** Every define key a shader and the files it includes (in any branch) name. */
export function shaderKeys(name: string, stack: Set<string> = new Set()): Set<string> {
  const cached = KEYS.get(name);
  if (cached) return cached;
  const src = SHADERS[name];
  if (src === undefined) throw new CompileError(`no shader named "${name}"`, { hint: 'shaders/*.wgsl, run `npm run gen`' });
  if (stack.has(name)) throw new CompileError(`shader include cycle at "${name}"`);
  stack.add(name);
  const keys = new Set<string>();
  for (const line of src.split('\n')) {
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^#if(not)?\s+(\w+)$/))) keys.add(m[2]);
    else if ((m = t.match(/^\/\/#include\s+([\w/-]+)$/))) for (const k of shaderKeys(m[1], stack)) keys.add(k);
    else for (const x of line.matchAll(/\{\{(\w+)\}\}/g)) keys.add(x[1]);
  }
  stack.delete(name);
  KEYS.set(name, keys);
  return keys;
}

function usesF16(code: string): boolean {
  return code.split('\n').some((line) => /\bf16\b/.test(line.replace(/\/\/.*$/, '')));
}

function preprocess(name: string, defines: Defines, stack: Set<string>): string {
  const src = SHADERS[name];
  if (src === undefined) throw new CompileError(`no shader named "${name}"`, { hint: 'shaders/*.wgsl, run `npm run gen`' });
  if (stack.has(name)) throw new CompileError(`shader include cycle at "${name}"`);
  stack.add(name);
  const out: string[] = [];
  const active: boolean[] = [];
  const on = () => active.every(Boolean);
  for (const line of src.split('\n')) {
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^#if(not)?\s+(\w+)$/))) {
      const v = defines[m[2]];
      const truthy = v !== undefined && v !== false && v !== 0 && v !== '';
      active.push(m[1] ? !truthy : truthy);
    } else if (t === '#else') {
      active[active.length - 1] = !active[active.length - 1];
    } else if (t === '#endif') {
      active.pop();
    } else if (!on()) {
      continue;
    } else if ((m = t.match(/^\/\/#include\s+([\w/-]+)$/))) {
      out.push(preprocess(m[1], defines, stack));
    } else if (t.startsWith('//#tensor')) {
      out.push(tensorDecl(name, substitute(name, t, defines)));
    } else {
      out.push(substitute(name, line, defines));
    }
  }
  stack.delete(name);
  return out.join('\n');
}

function substitute(name: string, line: string, defines: Defines): string {
  return line.replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in defines)) throw new CompileError(`shader "${name}" needs define {{${k}}}`);
    return String(defines[k]);
  });
}

/** The element storages a `//#tensor` line takes (runtime/gpu/elements.ts StorageType). */
const TENSOR_TYPES: ReadonlySet<string> = new Set<StorageType>(['f32', 'f16', 'p16', 'i8', 'u8', 'i32', 'u32']);

/**
 * Expands `//#tensor NAME BINDING ACCESS TYPE` (ACCESS: read | read_write; `//#tensor4` for vec4
 * elements) into the binding and its accessors, which read and write in the compute type (f32 for
 * both f16 forms, else the storage type):
 *   NAME_get(i) -> C, NAME_set(i, v), NAME_set2(i, vec2 v): elements i and i + 1   (//#tensor)
 *   NAME_get4(q) -> vec4<C>, NAME_set4(q, v)   (//#tensor4, q indexes groups of 4 elements)
 * f32/f16/i32/u32: array<TYPE> (array<vec4<TYPE>>). p16, float16 packed two per 32-bit word
 * (devices without 'shader-f16'): array<u32> read with unpack2x16float; a written p16 binding is
 * array<atomic<u32>>, each element set by clearing its half and or-ing in its bits, so that two
 * invocations writing the two halves of one word never lose each other's; values beyond f16's
 * range become ±Infinity (pack2x16float leaves them indeterminate). p16 vec4 elements are
 * vec2<u32> (two whole words per element group: plain stores). i8 / u8, 8-bit integers packed
 * four per word (byte i & 3 of word i >> 2), computed in i32: read with extractBits (i8
 * sign-extended), written like p16 by clearing the element's byte and or-ing in its low 8 bits
 * (the kernel saturates first); their vec4 groups are one whole word each.
 */
export function tensorDecl(shader: string, line: string): string {
  const m = line.match(/^\/\/#tensor(4?)\s+(\w+)\s+(\d+)\s+(read|read_write)\s+(\w+)$/);
  if (!m) throw new CompileError(`shader "${shader}": bad tensor line "${line}"`, { hint: '//#tensor NAME BINDING read|read_write TYPE' });
  const [, vec, n, b, access, type] = m;
  if (!TENSOR_TYPES.has(type)) throw new CompileError(`shader "${shader}": tensor ${n} has element type "${type}"`, { hint: [...TENSOR_TYPES].join(', ') });
  const write = access === 'read_write';
  const decl = (t: string) => `@group(0) @binding(${b}) var<storage, ${access}> ${n}: array<${t}>;`;
  const C = computeOf(type as StorageType);
  const lines: string[] = [];
  if (type === 'i8' || type === 'u8') {
    lines.push(...byteTensorDecl(n, type, write, vec !== '', decl));
  } else if (type !== 'p16') {
    if (vec) {
      lines.push(decl(`vec4<${type}>`), `fn ${n}_get4(q: u32) -> vec4<${C}> { return vec4<${C}>(${n}[q]); }`);
      if (write) lines.push(`fn ${n}_set4(q: u32, v: vec4<${C}>) { ${n}[q] = vec4<${type}>(v); }`);
    } else {
      lines.push(decl(type), `fn ${n}_get(i: u32) -> ${C} { return ${C}(${n}[i]); }`);
      if (write) {
        lines.push(`fn ${n}_set(i: u32, v: ${C}) { ${n}[i] = ${type}(v); }`);
        lines.push(`fn ${n}_set2(i: u32, v: vec2<${C}>) { ${n}[i] = ${type}(v.x); ${n}[i + 1u] = ${type}(v.y); }`);
      }
    }
  } else if (vec) {
    lines.push(decl('vec2<u32>'), `fn ${n}_get4(q: u32) -> vec4<f32> { let w = ${n}[q]; return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)); }`);
    if (write) lines.push(`fn ${n}_set4(q: u32, v: vec4<f32>) { ${n}[q] = vec2<u32>(f16_bits(v.x) | (f16_bits(v.y) << 16u), f16_bits(v.z) | (f16_bits(v.w) << 16u)); }`);
  } else if (!write) {
    lines.push(decl('u32'), `fn ${n}_get(i: u32) -> f32 { return unpack2x16float(${n}[i >> 1u])[i & 1u]; }`);
  } else {
    lines.push(
      decl('atomic<u32>'),
      `fn ${n}_get(i: u32) -> f32 { return unpack2x16float(atomicLoad(&${n}[i >> 1u]))[i & 1u]; }`,
      `fn ${n}_set(i: u32, v: f32) {`,
      `  let s = (i & 1u) * 16u;`,
      `  atomicAnd(&${n}[i >> 1u], ~(0xffffu << s));`,
      `  atomicOr(&${n}[i >> 1u], f16_bits(v) << s);`,
      `}`,
      // Two adjacent elements from one invocation: a whole word, stored at once, where i is even.
      `fn ${n}_set2(i: u32, v: vec2<f32>) {`,
      `  if ((i & 1u) == 0u) { atomicStore(&${n}[i >> 1u], f16_bits(v.x) | (f16_bits(v.y) << 16u)); return; }`,
      `  ${n}_set(i, v.x);`,
      `  ${n}_set(i + 1u, v.y);`,
      `}`,
    );
  }
  return lines.join('\n');
}

/** The accessors of an i8 / u8 tensor (see tensorDecl). */
function byteTensorDecl(n: string, type: 'i8' | 'u8', write: boolean, vec: boolean, decl: (t: string) => string): string[] {
  // extractBits on i32 sign-extends the field, on u32 zero-extends it (WGSL §17.2 bit builtins).
  const field = (word: string, at: string) => (type === 'i8' ? `extractBits(bitcast<i32>(${word}), ${at}, 8u)` : `i32(extractBits(${word}, ${at}, 8u))`);
  if (vec) {
    const lanes = [0, 8, 16, 24].map((b) => field('w', `${b}u`)).join(', ');
    const out = [decl('u32'), `fn ${n}_get4(q: u32) -> vec4<i32> { let w = ${n}[q]; return vec4<i32>(${lanes}); }`];
    if (write) {
      const b = (c: string) => `(u32(v.${c}) & 0xffu)`;
      out.push(`fn ${n}_set4(q: u32, v: vec4<i32>) { ${n}[q] = ${b('x')} | (${b('y')} << 8u) | (${b('z')} << 16u) | (${b('w')} << 24u); }`);
    }
    return out;
  }
  if (!write) return [decl('u32'), `fn ${n}_get(i: u32) -> i32 { return ${field(`${n}[i >> 2u]`, '(i & 3u) * 8u')}; }`];
  return [
    decl('atomic<u32>'),
    `fn ${n}_get(i: u32) -> i32 { return ${field(`atomicLoad(&${n}[i >> 2u])`, '(i & 3u) * 8u')}; }`,
    `fn ${n}_set(i: u32, v: i32) {`,
    `  let s = (i & 3u) * 8u;`,
    `  atomicAnd(&${n}[i >> 2u], ~(0xffu << s));`,
    `  atomicOr(&${n}[i >> 2u], (u32(v) & 0xffu) << s);`,
    `}`,
    `fn ${n}_set2(i: u32, v: vec2<i32>) { ${n}_set(i, v.x); ${n}_set(i + 1u, v.y); }`,
  ];
}

export type Scalar = 'u32' | 'i32' | 'f32';

export interface UniformMember {
  name: string;
  offset: number;
  scalar: Scalar;
  /** Number of scalars (1 for scalars, 2-4 for vectors, N*k for arrays of vectors). */
  count: number;
  /** Byte stride between consecutive scalars' groups (arrays of vec4: 16). */
  stride: number;
  width: number;
}

export interface ShaderReflection {
  storage: { name: string; binding: number; readOnly: boolean }[];
  uniform?: { name: string; binding: number; size: number; members: UniformMember[] };
  entry: string;
}

interface TypeLike {
  name: string;
  format?: TypeLike | null;
  count?: number;
  stride?: number;
}

function scalarOf(t: TypeLike): Scalar {
  const n = t.name;
  if (n === 'u32' || n === 'i32' || n === 'f32') return n;
  if (t.format) return scalarOf(t.format);
  throw new CompileError(`unsupported uniform member type ${n}`);
}

function widthOf(t: TypeLike): number {
  const m = t.name.match(/^vec(\d)/);
  return m ? Number(m[1]) : 1;
}

export function reflectShader(code: string): ShaderReflection {
  const r = new WgslReflect(code);
  const storage = r.storage.map((s) => ({ name: s.name, binding: s.binding, readOnly: s.access !== 'read_write' }));
  const u = r.uniforms[0];
  let uniform: ShaderReflection['uniform'];
  if (u) {
    const members: UniformMember[] = (u.members ?? []).map((m) => {
      const t = m.type as unknown as TypeLike;
      if (t.name === 'array') {
        const el = t.format!;
        const w = widthOf(el);
        return { name: m.name, offset: m.offset, scalar: scalarOf(el), count: (t.count ?? 0) * w, stride: t.stride ?? 16, width: w };
      }
      return { name: m.name, offset: m.offset, scalar: scalarOf(t), count: widthOf(t), stride: 4 * widthOf(t), width: widthOf(t) };
    });
    uniform = { name: u.name, binding: u.binding, size: u.size, members };
  }
  const entry = r.entry.compute[0]?.name;
  if (!entry) throw new CompileError('shader has no @compute entry point');
  return { storage, uniform, entry };
}

/** Writes `values` into `dst` (a uniform slot) at the offsets reflection found. */
export function packUniforms(
  refl: NonNullable<ShaderReflection['uniform']>,
  values: Record<string, number | readonly number[]>,
  dst: DataView,
  where: string,
): void {
  for (const m of refl.members) {
    const v = values[m.name];
    if (v === undefined) throw new CompileError(`uniform "${m.name}" was not given`, { hint: where });
    const arr = typeof v === 'number' ? [v] : v;
    if (arr.length > m.count) throw new CompileError(`uniform "${m.name}" has ${arr.length} values, room for ${m.count}`, { hint: where });
    for (let i = 0; i < arr.length; i++) {
      const off = m.offset + Math.floor(i / m.width) * m.stride + (i % m.width) * 4;
      if (m.scalar === 'f32') dst.setFloat32(off, arr[i], true);
      else if (m.scalar === 'i32') dst.setInt32(off, arr[i], true);
      else dst.setUint32(off, arr[i] >>> 0, true);
    }
  }
  for (const k of Object.keys(values)) {
    if (!refl.members.some((m) => m.name === k)) throw new CompileError(`uniform "${k}" is not in the shader's params struct`, { hint: where });
  }
}
