// No dynamic code: nothing under runtime/ or loaders/ evaluates strings as JavaScript (eval, new
// Function, string timers) or imports a module whose name is computed. Models are untrusted, and a
// page with a strict Content-Security-Policy (no 'unsafe-eval') must be able to run Fovea.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

const FORBIDDEN: [RegExp, string][] = [
  [/\beval\s*\(/, 'eval('],
  [/\bnew\s+Function\b/, 'new Function'],
  [/(?<![\w.$])Function\s*\(/, 'Function('],
  [/\b(?:setTimeout|setInterval|setImmediate)\s*\(\s*[`'"]/, 'a timer with a string body'],
  [/\bimport\s*\(\s*(?![`'"][^`'"$]*[`'"]\s*\))/, 'import() of a computed name'],
  [/\.constructor\s*\(\s*[`'"]/, 'Function via .constructor'],
];

/** Source without comments (string contents are kept: a string is not code). */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function findDynamicCode(src: string): string[] {
  const found: string[] = [];
  stripComments(src).split('\n').forEach((line, i) => {
    for (const [re, what] of FORBIDDEN) if (re.test(line)) found.push(`line ${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
  });
  return found;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

test('the scanner finds each form of dynamic code', () => {
  for (const bad of ['eval("1")', 'const f = new Function("a", "return a")', 'Function("return this")()', "setTimeout('x()', 1)", 'await import(name)', 'x.constructor("code")']) {
    assert.ok(findDynamicCode(bad).length > 0, bad);
  }
  for (const ok of ["await import('webgpu')", 'evaluate(x)', 'retrieval(x)', 'isFunction(x)', '// eval(x) in a comment', 'setTimeout(fn, 1)']) {
    assert.deepEqual(findDynamicCode(ok), [], ok);
  }
});

test('runtime/ and loaders/ contain no eval, new Function or computed imports', () => {
  const files = [...sources(join(ROOT, 'runtime')), ...sources(join(ROOT, 'loaders'))];
  assert.ok(files.length > 20, `found only ${files.length} source files`);
  const problems = files.flatMap((f) => findDynamicCode(readFileSync(f, 'utf8')).map((p) => `${relative(ROOT, f)} ${p}`));
  assert.deepEqual(problems, []);
});
