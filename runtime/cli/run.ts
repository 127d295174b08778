// `fovea run MODEL --input NAME=FILE.npy … --out DIR [--free-dim name=N]`: runs the model once
// on WebGPU (dawn.node) and writes DIR/<output name>.npy for every output.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor, InputError } from '../index.node.js';
import type { TensorType } from '../tensor.js';
import { readNpy, writeNpy } from './npy.js';

export interface RunOptions {
  model: string;
  /** "NAME=FILE.npy", or just "FILE.npy" when the model has a single input. */
  inputs: string[];
  out: string;
  freeDimensions?: Record<string, number>;
}

export interface RunResult {
  outputs: { name: string; file: string; type: TensorType; dims: readonly number[] }[];
}

export async function runModel(o: RunOptions, log: (line: string) => void = () => {}): Promise<RunResult> {
  const session = await InferenceSession.create(o.model, { freeDimensions: o.freeDimensions });
  try {
    const feeds: Record<string, Tensor> = {};
    for (const spec of o.inputs) {
      const [name, file] = splitInput(spec, session.inputNames);
      if (feeds[name]) throw new InputError(`input "${name}" is given twice`);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (e) {
        throw new InputError(`could not read input file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      const want = session.inputMetadata.find((m) => m.name === name)!.type;
      feeds[name] = coerce(readNpy(bytes, file).tensor, want, name, file);
    }
    const missing = session.inputNames.filter((n) => !feeds[n]);
    if (missing.length) {
      throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`, {
        hint: `pass ${missing.map((n) => `--input ${n}=FILE.npy`).join(' ')}`,
      });
    }

    const results = await session.run(feeds);
    await mkdir(o.out, { recursive: true });
    const files = outputFileNames(session.outputNames);
    const outputs: RunResult['outputs'] = [];
    for (const name of session.outputNames) {
      const t = results[name];
      const file = join(o.out, files.get(name)!);
      await writeFile(file, writeNpy(t));
      outputs.push({ name, file, type: t.type, dims: t.dims });
      log(`${name}  ${t.type}  [${t.dims.join(', ')}]  -> ${file}`);
    }
    return { outputs };
  } finally {
    await session.release();
  }
}

/** Splits "NAME=FILE". A file name may itself contain '=': the prefix counts as a name only if
 * the model has an input of that name. A bare file (an existing one, if it holds '=') is
 * accepted when the model has a single input. */
function splitInput(spec: string, names: readonly string[]): [string, string] {
  const eq = spec.indexOf('=');
  if (eq > 0 && names.includes(spec.slice(0, eq))) return [spec.slice(0, eq), spec.slice(eq + 1)];
  if (names.length === 1 && (eq < 0 || existsSync(spec))) return [names[0], spec];
  const given = eq > 0 ? `"${spec.slice(0, eq)}"` : `"${spec}"`;
  throw new InputError(`--input ${given} does not name an input of the model`, {
    hint: `use --input NAME=FILE.npy with NAME one of: ${names.join(', ')}`,
  });
}

/** Converts a tensor read from .npy to the type the model's input expects, where that is
 * exact (int32 <-> int64 within range); anything else is an error naming both types. */
function coerce(t: Tensor, want: string, name: string, file: string): Tensor {
  if (t.type === want) return t;
  if (want === 'int64' && t.type === 'int32') {
    return new Tensor('int64', BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)), t.dims);
  }
  if (want === 'int32' && t.type === 'int64') {
    const src = t.data as BigInt64Array;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      if (src[i] > 2147483647n || src[i] < -2147483648n) throw new InputError(`input "${name}" (${file}): value ${src[i]} does not fit the model's int32 input`);
      out[i] = Number(src[i]);
    }
    return new Tensor('int32', out, t.dims);
  }
  throw new InputError(`input "${name}" expects ${want}, ${file} holds ${t.type}`, {
    hint: want === 'float32' ? 'save it with arr.astype(numpy.float32)' : `save it as ${want}`,
  });
}

/** File names for outputs: characters other than letters, digits, '.', '_' and '-' become '_'
 * (ONNX names often hold '/' or ':'), no leading dot, and collisions get a numeric suffix. */
export function outputFileNames(names: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    if (!base) base = 'output';
    let candidate = base;
    for (let k = 2; used.has(candidate.toLowerCase()); k++) candidate = `${base}_${k}`;
    used.add(candidate.toLowerCase());
    out.set(name, `${candidate}.npy`);
  }
  return out;
}
