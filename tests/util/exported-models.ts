// Models exported by a committed PyTorch script (scripts/export-models.py, scripts/export-zoo.py)
// into a cache outside the repo, keyed by the content of the script and of the cache module it
// imports (scripts/export_common.py, script_hash): a changed script re-exports.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface ManifestEntry {
  name: string;
  file: string;
  input: { name: string; shape: number[]; dims: (number | string)[] };
  output: { name: string; shape: number[] };
  seed: number;
  ops: string[];
  notes: string;
}

/**
 * Loads the manifest of `scripts/<script>.py`'s exports (cache subdir `subdir`), exporting the
 * models first when this version of the script has not run yet. Mirrors default_out_dir() in
 * the scripts.
 */
export function ensureExported(script: string, subdir: string, expected: string): { dir: string; models: ManifestEntry[] } {
  const path = join(ROOT, 'scripts', `${script}.py`);
  const hash = createHash('sha256')
    .update(readFileSync(path))
    .update(readFileSync(join(ROOT, 'scripts', 'export_common.py')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(process.env.FOVEA_CACHE_DIR || join(homedir(), '.cache', 'fovea'), subdir, hash);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `the ${subdir} tests export their models with PyTorch, but ${PYTHON} cannot import torch/torchvision/onnx ` +
          `(${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()}).\n` +
          `Install python3-torch python3-torchvision python3-onnx: run \`bash scripts/setup-system.sh\` ` +
          `(or \`sudo apt-get install -y python3-torch python3-torchvision python3-onnx\`).`,
      );
    }
    console.log(`[${subdir}] exporting the test models to ${dir} (first run for this export script, ${expected})`);
    // No --out: the script's default dir is this one, and it then also removes stale exports.
    const r = spawnSync(PYTHON, [path], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const line of r.stdout.split('\n')) if (line.startsWith(`[${script}]`)) console.log(line);
    if (r.status !== 0 || !existsSync(manifest)) {
      throw new Error(`scripts/${script}.py failed (exit ${r.status ?? r.signal}) or wrote no ${manifest}:\n${r.stderr.slice(-4000)}`);
    }
  }
  return { dir, models: (JSON.parse(readFileSync(manifest, 'utf8')) as { models: ManifestEntry[] }).models };
}
