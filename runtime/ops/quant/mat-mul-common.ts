// Shape rules of MatMulInteger and QLinearMatMul: numpy MatMul of A [..., M, K] by B [K, N].
// Fovea's integer kernel folds A's batch dims into rows when B is 2-D (the form quantized CNN
// classifiers and Gemm-like layers use), or runs one packed B per batch when B has exactly A's
// batch dims; other broadcasts of a batched B are reported as unsupported.
import type { TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { fail, unsupportedForm } from './util.js';

export function matMulShape(node: Node, a: TypeShape, b: TypeShape): number[] {
  const shapes = { A: a.shape, B: b.shape };
  if (a.shape.length < 1 || b.shape.length < 2) fail(node, 'A must have rank >= 1 and B rank >= 2', shapes);
  const K = a.shape[a.shape.length - 1];
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) fail(node, `inner dimensions differ: ${K} vs ${K2}`, shapes);
  if (b.shape.length > 2) {
    const same = a.shape.length === b.shape.length && b.shape.slice(0, -2).every((d, i) => d === a.shape[i]);
    if (!same) unsupportedForm(node, `a batched B [${b.shape}] whose batch dims differ from A's [${a.shape}] (Fovea's integer MatMul broadcasts a 2-D B only)`);
  }
  return a.shape.length === 1 ? [N] : [...a.shape.slice(0, -1), N];
}
