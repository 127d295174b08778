// `fovea info`'s precision report (runtime/cli/precision-info.ts), without a GPU: the model's
// precision form, its value types, and the GPU bytes of weights and peak activations per
// precision and storage — float16 is 2 bytes with shader-f16 (f16) and without it (packed p16),
// float32 4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from '../util/onnx-builder.js';
import { randomFloats } from '../util/rng.js';
import { modelInfo } from '../../runtime/cli/info.js';

test('fovea info: a float16 model has half the float32 bytes on both float16 storages', async () => {
  const b = new ModelBuilder(13);
  b.input('x', [1, 8, 16, 16], 'float16');
  b.init('w', { dtype: 'float16', dims: [16, 8, 3, 3], data: Array.from(randomFloats(16 * 8 * 9, 1, -1, 1)) });
  const [c] = b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] });
  b.node('Relu', [c], {}, ['y']);
  b.output('y', [1, 16, 16, 16], 'float16');
  const dir = mkdtempSync(join(tmpdir(), 'fovea-info-'));
  try {
    const file = join(dir, 'half.onnx');
    writeFileSync(file, b.build());
    const p = (await modelInfo(file)).precision;
    assert.equal(p.form, 'float16');
    assert.ok(p.valueTypes.float16 > 0, JSON.stringify(p.valueTypes));
    const at = (precision: string, shaderF16: boolean) => {
      const r = p.bytes.find((x) => x.precision === precision && x.shaderF16 === shaderF16);
      assert.ok(r && 'weightBytes' in r, JSON.stringify(p.bytes));
      return r as { weightBytes: number; peakActivationBytes: number };
    };
    const [f16, p16, f32] = [at('auto', true), at('auto', false), at('float32', false)];
    // W's 1152 values take 2 bytes each on both float16 storages, 4 in float32 (the conv's other
    // constants, its tap table, are i32 on all three).
    assert.deepEqual(p16, { ...f16, precision: 'auto', shaderF16: false });
    assert.equal(f32.weightBytes - f16.weightBytes, 16 * 8 * 9 * 2);
    assert.equal(f32.peakActivationBytes, 2 * f16.peakActivationBytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
