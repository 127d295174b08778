// demo/graph-info.ts on the bundled models: the feature-map layers the demo offers, and the CAM
// weights it finds. CAM's defining property is checked on real data: the spatial mean of
// CAM_k plus the linear layer's bias is the model's logit k.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../runtime/index.node.js';
import { classActivationMap, findCam, listLayers } from '../demo/graph-info.js';

const MODELS = join(import.meta.dirname, '..', 'demo', 'public', 'models');
const have = (id: string) => existsSync(join(MODELS, `${id}.onnx`)) && existsSync(join(MODELS, `${id}.json`));

function firstSample(id: string): Tensor {
  const info = JSON.parse(readFileSync(join(MODELS, `${id}.json`), 'utf8')) as { mean: number; std: number; samples: { pixels: number[] }[] };
  return new Tensor('float32', Float32Array.from(info.samples[0].pixels, (p) => (p / 255 - info.mean) / info.std), [1, 1, 28, 28]);
}

test('ResNet-style model: CAM found, and mean(CAM_k) + b_k = logit_k', { skip: have('resnet-fashion') ? false : 'resnet-fashion not trained yet' }, async () => {
  const path = join(MODELS, 'resnet-fashion.onnx');
  const x = firstSample('resnet-fashion');
  const plain = await InferenceSession.create(path, { freeDimensions: { batch: 1 } });
  const graph = await plain.graph();
  const cam = findCam(graph);
  assert.ok(cam, 'the ResNet ends in global average pooling + Gemm');
  assert.equal(cam.classes, 10);
  assert.equal(cam.channels, 48);
  const layers = listLayers(graph);
  assert.ok(layers.some((l) => l.name === cam.feature), 'the CAM feature map is one of the listed layers');
  assert.ok(layers.every((l) => l.dims.length === 4 && l.dims[0] === 1));
  const gemm = graph.nodes.find((n) => n.opType === 'Gemm')!;
  const bias = graph.initializers.get(gemm.inputs[2])!.data;
  await plain.release();

  const s = await InferenceSession.create(path, { freeDimensions: { batch: 1 }, keepValues: [cam.feature] });
  const out = await s.run({ input: x });
  const logits = out.logits.data as Float32Array;
  const feature = await s.fetchValue(cam.feature);
  await s.release();
  for (let k = 0; k < 10; k++) {
    const map = classActivationMap(cam, { dims: [...feature.dims], data: feature.data as Float32Array }, k);
    const mean = map.reduce((a, v) => a + v, 0) / map.length;
    assert.ok(Math.abs(mean + bias[k] - logits[k]) < 1e-3 * (1 + Math.abs(logits[k])), `class ${k}: ${mean + bias[k]} vs logit ${logits[k]}`);
  }
});

test('VGG-style model: feature-map layers, but no CAM (its head is an MLP)', { skip: have('vgg-fashion') ? false : 'vgg-fashion not trained yet' }, async () => {
  const s = await InferenceSession.create(join(MODELS, 'vgg-fashion.onnx'), { freeDimensions: { batch: 1 } });
  const graph = await s.graph();
  assert.equal(findCam(graph), undefined);
  const layers = listLayers(graph);
  assert.ok(layers.length >= 5, `${layers.length} layers`);
  assert.deepEqual(layers[0].dims.slice(1), [16, 28, 28]);
  await s.release();
});
