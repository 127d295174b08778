// Float16 and int8 forms of the project's models, converted by scripts/convert-models.py into a cache
// outside the repo ($FOVEA_CACHE_DIR/precision/<model>/<hash>/, default ~/.cache/fovea), keyed by
// the converter scripts and the source model: the first call for a model converts it (seconds;
// the seeded exports may need PyTorch to export first, see tests/util/exported-models.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ConvertedManifest {
  name: string;
  source: string;
  hash: string;
  /** The single input's name and its dims per evaluation sample. */
  input: string;
  dims: number[];
  /** Evaluation samples in eval.f32 (float32, back to back) and their labels, where known. */
  count: number;
  labels?: number[];
  fp32: string;
  /** form (fp16, fp16-keep-io, fp16-mixed, fp16-weights, int8-dynamic, int8-dynamic-pc, int8-dynamic-u8, int8-qdq, int8-qoperator) -> file */
  forms: Record<string, string>;
}

/** Converts `name` (see `scripts/convert-models.py --list`) if needed; returns its dir and manifest. */
export function ensureConverted(name: string): { dir: string; manifest: ConvertedManifest; evalInputs: Float32Array } {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'convert-models.py'), '--only', name], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.stdout.split('\n').filter((l) => l.startsWith(`[convert-models] ${name}: `)).pop() ?? '';
  const dir = line.replace(`[convert-models] ${name}: `, '').replace(/^up to date, /, '');
  if (r.status !== 0 || !existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`scripts/convert-models.py --only ${name} failed (exit ${r.status ?? r.signal}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ConvertedManifest;
  const bytes = readFileSync(join(dir, 'eval.f32'));
  const evalInputs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { dir, manifest, evalInputs };
}

/** The cache root that scripts/convert-models.py writes to. */
export const convertedRoot = () => join(process.env.FOVEA_CACHE_DIR || join(homedir(), '.cache', 'fovea'), 'precision');
