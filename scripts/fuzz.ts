// `npm run fuzz`: the long model fuzzer (tests/util/fuzz.ts). Runs many seeded cases of corrupted
// models through create + run and prints the outcome counts by error type; exits non-zero if any
// case crashed (an untyped error), hung, leaked GPU buffers, raised a GPU validation error or
// disagreed with onnxruntime-node.
//   npm run fuzz -- [--cases 2000] [--seed 1] [--timeout 30000] [--save DIR] [--no-compare] [--verbose]
// A failing case is reproduced with the same --seed and `--only INDEX`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Fuzzer, tally, tallyMutations, type CaseResult } from '../tests/util/fuzz.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '30000' },
    only: { type: 'string' },
    save: { type: 'string' },
    'no-compare': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const cases = Number(values.cases);
const seed = Number(values.seed);
const fuzzer = await Fuzzer.create({ timeoutMs: Number(values.timeout), compare: !values['no-compare'] });
console.log(`fuzz: ${values.only !== undefined ? `case ${values.only}` : `${cases} cases`}, seed ${seed}, seeds: ${fuzzer.seeds.map((s) => s.name).join(', ')}`);
const indices = values.only !== undefined ? values.only.split(',').map(Number) : Array.from({ length: cases }, (_, i) => i);
const results: CaseResult[] = [];
const t0 = performance.now();
for (const i of indices) {
  const c = fuzzer.makeCase(seed, i);
  const res = await fuzzer.runCase(c);
  results.push(res);
  if (values.verbose || res.failure) {
    console.log(`#${i} ${c.seed} [${c.mutations.join(' + ')}] ${res.outcome} (${res.ms.toFixed(0)} ms)${res.failure ? `\n    ${res.failure.split('\n').slice(0, 6).join('\n    ')}` : ''}${values.verbose && res.detail ? `\n    ${res.detail.slice(0, 300)}` : ''}`);
  }
  if (res.failure && values.save) {
    mkdirSync(values.save, { recursive: true });
    writeFileSync(join(values.save, `case-${seed}-${i}.onnx`), c.bytes);
  }
  if (!values.verbose && results.length % 250 === 0) console.log(`  ${results.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
fuzzer.dispose();

const secs = (performance.now() - t0) / 1000;
const failures = results.filter((r) => r.failure);
console.log(`\noutcomes (${results.length} cases, ${secs.toFixed(1)} s):`);
for (const [k, n] of tally(results)) console.log(`  ${String(n).padStart(6)}  ${k}`);
console.log('\nmutations applied:');
for (const [k, n] of tallyMutations(results)) console.log(`  ${String(n).padStart(6)}  ${k}`);
const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3);
console.log(`\nslowest: ${slowest.map((r) => `#${r.case.index} ${r.ms.toFixed(0)} ms`).join(', ')}`);
console.log(failures.length ? `\n${failures.length} FAILURE(S)` : '\nno failures');
process.exit(failures.length ? 1 : 0);
