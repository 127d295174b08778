// Seeded W (and optional B) for Conv/ConvTranspose test models, as initializers or as graph inputs.
import { ModelBuilder } from './onnx-builder.js';
import { randomFloats } from './rng.js';
import type { Feeds } from './reference.js';
import { Tensor } from '../../runtime/index.node.js';

/** Adds 'w' (dims `w`, seed+1) and, when `biasLength` is set, 'b' (seed+2); returns the node's inputs after 'x'. */
export function addConvWeights(b: ModelBuilder, feeds: Feeds, o: { w: number[]; biasLength?: number; asInputs?: boolean; seed: number }): string[] {
  const tensors: [string, number[], number][] = [['w', o.w, o.seed + 1]];
  if (o.biasLength !== undefined) tensors.push(['b', [o.biasLength], o.seed + 2]);
  for (const [name, dims, seed] of tensors) {
    const data = randomFloats(dims.reduce((p, q) => p * q, 1), seed);
    if (o.asInputs) {
      b.input(name, dims);
      feeds[name] = new Tensor('float32', data, dims);
    } else {
      b.init(name, { dtype: 'float32', dims, data });
    }
  }
  return tensors.map(([name]) => name);
}
