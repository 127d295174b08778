// Model sources: bytes, ArrayBuffer, Blob, file path, URL (streamed, with progress), and
// external data resolved beside the model — never outside its folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from './util/onnx-builder.js';
import { onnx } from '../loaders/onnx/proto.js';
import { InferenceSession, Tensor, ModelLoadError } from '../runtime/index.node.js';

const dir = mkdtempSync(join(tmpdir(), 'fovea-src-'));
let server: Server;
let base = '';

function reluModel(): Uint8Array {
  const b = new ModelBuilder();
  b.input('x', [1, 4]);
  b.node('Relu', ['x'], {}, ['y']);
  b.output('y', [1, 4]);
  return b.build();
}

/** A model whose output is Relu(w), w stored in an external file at `location`. */
function externalModel(location: string, offset = 0): { model: Uint8Array; data: Uint8Array } {
  const b = new ModelBuilder();
  b.init('w', { dtype: 'float32', dims: [4], data: [0, 0, 0, 0] });
  b.node('Relu', ['w'], {}, ['y']);
  b.output('y', [4]);
  const m = onnx.ModelProto.decode(b.build());
  const t = m.graph!.initializer![0];
  const data = new Uint8Array(new Float32Array([-1, 2, -3, 4]).buffer);
  t.rawData = new Uint8Array(0);
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: '16' },
  ];
  const padded = new Uint8Array(offset + 16);
  padded.set(data, offset);
  return { model: onnx.ModelProto.encode(m).finish(), data: padded };
}

before(async () => {
  writeFileSync(join(dir, 'relu.onnx'), reluModel());
  const ext = externalModel('weights/w.bin', 8);
  mkdirSync(join(dir, 'weights'));
  writeFileSync(join(dir, 'ext.onnx'), ext.model);
  writeFileSync(join(dir, 'weights', 'w.bin'), ext.data);
  writeFileSync(join(dir, 'escape.onnx'), externalModel('../outside.bin').model);
  writeFileSync(join(dir, 'absolute.onnx'), externalModel('/etc/passwd').model);
  server = createServer((req, res) => {
    try {
      const body = readFileSync(join(dir, decodeURIComponent(req.url!.slice(1))));
      res.writeHead(200, { 'content-length': body.length });
      // Two chunks, so progress is reported more than once.
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.end(body.subarray(body.length >> 1)), 5);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});

after(() => server.close());

async function check(s: InferenceSession): Promise<void> {
  const out = await s.run({ x: new Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 4]) });
  assert.deepEqual([...out.y.data], [0, 2, 0, 4]);
  await s.release();
}

test('bytes, ArrayBuffer, Blob and file path', async () => {
  const bytes = reluModel();
  await check(await InferenceSession.create(bytes));
  await check(await InferenceSession.create(new Uint8Array(bytes).buffer)); // a copy: protobufjs returns a pooled Buffer
  await check(await InferenceSession.create(new Blob([new Uint8Array(bytes)])));
  await check(await InferenceSession.create(join(dir, 'relu.onnx')));
});

test('URL: streamed with progress', async () => {
  const seen: [number, number | undefined, string][] = [];
  const s = await InferenceSession.create(`${base}/relu.onnx`, { onProgress: (l, t, stage) => seen.push([l, t, stage]) });
  const downloads = seen.filter((p) => p[2] === 'download');
  const size = reluModel().length;
  assert.ok(downloads.length >= 2, `progress reported ${downloads.length} times`);
  assert.deepEqual(downloads.at(-1), [size, size, 'download']);
  assert.ok(seen.some((p) => p[2] === 'compile'));
  await check(s);
  await assert.rejects(InferenceSession.create(`${base}/missing.onnx`), (e: Error) => e instanceof ModelLoadError && /404/.test(e.message));
});

test('external data beside the model: from a path and from a URL', async () => {
  for (const src of [join(dir, 'ext.onnx'), `${base}/ext.onnx`]) {
    const s = await InferenceSession.create(src);
    const out = await s.run({});
    assert.deepEqual([...out.y.data], [0, 2, 0, 4], String(src));
    await s.release();
  }
});

test('external data may not escape the model folder, and needs a location to resolve against', async () => {
  for (const f of ['escape.onnx', 'absolute.onnx']) {
    await assert.rejects(InferenceSession.create(join(dir, f)), (e: Error) => e instanceof ModelLoadError && /escapes/.test(e.message), f);
    await assert.rejects(InferenceSession.create(`${base}/${f}`), (e: Error) => e instanceof ModelLoadError && /escapes/.test(e.message), f);
  }
  await assert.rejects(InferenceSession.create(readFileSync(join(dir, 'ext.onnx'))), (e: Error) => e instanceof ModelLoadError && /external data/.test(e.message));
});

test('external data out of bounds is a typed error', async () => {
  const ext = externalModel('short.bin', 100);
  writeFileSync(join(dir, 'short.onnx'), ext.model);
  writeFileSync(join(dir, 'short.bin'), new Uint8Array(10));
  await assert.rejects(InferenceSession.create(join(dir, 'short.onnx')), (e: Error) => e instanceof ModelLoadError && /out of bounds/.test(e.message));
});
