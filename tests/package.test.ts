// `import { InferenceSession, Tensor } from 'fovea'` works from plain Node in a folder that links
// the package (the built dist/, made by `npm install`'s prepare step or `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelBuilder } from './util/onnx-builder.js';

const root = resolve(import.meta.dirname, '..');

test('the built package imports from plain Node and runs a model', () => {
  assert.ok(existsSync(join(root, 'dist/runtime/index.node.js')), 'dist/ is missing: run `npm run build`');
  const dir = mkdtempSync(join(tmpdir(), 'fovea-pkg-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'fovea'), 'dir');
  const b = new ModelBuilder();
  b.input('x', [1, 3]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [1, 3]);
  writeFileSync(join(dir, 'm.onnx'), b.build());
  writeFileSync(
    join(dir, 'main.mjs'),
    `import { InferenceSession, Tensor } from 'fovea';
const s = await InferenceSession.create('m.onnx');
const out = await s.run({ x: new Tensor('float32', new Float32Array([-1, 0.5, 2]), [1, 3]) });
console.log(JSON.stringify([...out.y.data]));
await s.release();
process.exit(0);
`,
  );
  const r = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').at(-1), '[0,0.5,2]');
});
