// Shape rules of MatMulInteger and QLinearMatMul: numpy MatMul of A [..., M, K] by B [K, N].
// Fovea's integer kernel folds A's batch dims into rows, so B must be 2-D (the form quantized
// CNN classifiers and Gemm-like layers use); a batched B is reported as unsupported.
import type { TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { fail, unsupportedForm } from './util.js';

export function matMulShape(node: Node, a: TypeShape, b: TypeShape): number[] {
  const shapes = { A: a.shape, B: b.shape };
  if (b.shape.length !== 2) unsupportedForm(node, `a B of rank ${b.shape.length} (Fovea's integer MatMul takes a 2-D B)`);
  if (a.shape.length < 1) fail(node, 'A must have rank >= 1', shapes);
  const K = a.shape[a.shape.length - 1];
  if (K !== b.shape[0]) fail(node, `inner dimensions differ: ${K} vs ${b.shape[0]}`, shapes);
  return a.shape.length === 1 ? [b.shape[1]] : [...a.shape.slice(0, -1), b.shape[1]];
}
