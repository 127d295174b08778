// The zoo models (scripts/export-zoo.py, the small sizes tests/zoo.test.ts uses) in Fovea next to
// onnxruntime-web's WebGPU provider, in Node on the same adapter: median of N runs.
//   node --liftoff-only --import tsx bench/zoo.ts [--runs 5]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { ortWebSession } from './peers.js';
import { ensureExported } from '../tests/util/exported-models.js';
import { randomFloats } from '../tests/util/rng.js';
import { relativeError, runReference } from '../tests/util/reference.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await run();
    t.push(performance.now() - a);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

const { dir, models } = ensureExported('export-zoo', 'zoo', '~3 min');
console.log('| model | input | max rel err vs onnxruntime CPU | Fovea median ms | ORT-web WebGPU median ms | ratio |\n|---|---|---|---|---|---|');
for (const m of models) {
  const bytes = new Uint8Array(readFileSync(join(dir, m.file)));
  const dims = m.input.shape;
  const x = new Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), 11), dims);
  const s = await InferenceSession.create(bytes);
  const out = (await s.run({ [m.input.name]: x }))[m.output.name].data as Float32Array;
  const ref = (await runReference(bytes, { [m.input.name]: x }))[m.output.name].data as Float32Array;
  const fovea = await median(() => s.run({ [m.input.name]: x }));
  await s.release();
  let web = NaN;
  try {
    const w = await ortWebSession(bytes, m.input.name);
    web = await median(() => w.run(x.data as Float32Array, dims));
    await w.release();
  } catch (e) {
    console.error(`${m.name}: onnxruntime-web failed: ${(e as Error).message.split('\n')[0]}`);
  }
  console.log(`| ${m.name} | ${dims.join('x')} | ${relativeError(out, ref).toExponential(1)} | ${fovea.toFixed(1)} | ${Number.isNaN(web) ? 'failed' : web.toFixed(1)} | ${Number.isNaN(web) ? '-' : (fovea / web).toFixed(2)} |`);
}
process.exit(0);
