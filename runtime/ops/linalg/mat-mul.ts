// MatMul (ONNX opsets 1, 9, 13): matrix product with numpy.matmul semantics.
// Spec: https://onnx.ai/onnx/operators/onnx__MatMul.html
// - A 1-D first operand [K] is promoted to [1, K] and a 1-D second operand [K] to [K, 1]; the
//   added dimension is removed from the result.
// - Otherwise operands are stacks of matrices [..., M, K] x [..., K, N] whose batch dims broadcast
//   (multidirectionally) to the output's [..., M, N].
// Integer tensors multiply in i32 (int64 saturated, like every integer on the GPU).
// A fused activation (`fovea.activation`, set by the fuse-activations pass; float tensors only) is
// applied to Y in the kernel's epilogue: see runtime/ops/activation/epilogue.ts.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import type { HostTensor, Node } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { makeHost, saturate } from '../../ir/host-tensor.js';
import { broadcastShapes } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { emitGemm, GEMM_ALGORITHMS, type GemmBatch } from './gemm-kernel.js';
import { applyEpilogueHost, parseEpilogue, type Epilogue } from '../activation/epilogue.js';

interface MatMulAttrs {
  /** Fused activation (identity unless a fusion pass set one). */
  epilogue: Epilogue;
}

interface MatMulDims {
  M: number;
  N: number;
  K: number;
  /** Broadcast batch dims of the output (possibly empty). */
  batch: number[];
  /** A's and B's batch dims, left-padded with 1s to batch.length. */
  aBatch: number[];
  bBatch: number[];
  out: number[];
}

function matMulDims(node: Node, a: readonly number[], b: readonly number[]): MatMulDims {
  const shapes = { A: a, B: b };
  if (a.length === 0 || b.length === 0) throw new ShapeError('MatMul operands must have rank >= 1', { op: node.opType, node: node.name, shapes });
  const a2 = a.length === 1 ? [1, a[0]] : [...a];
  const b2 = b.length === 1 ? [b[0], 1] : [...b];
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const K2 = b2[b2.length - 2];
  const N = b2[b2.length - 1];
  if (K !== K2) throw new ShapeError(`inner dimensions differ: ${K} vs ${K2}`, { op: node.opType, node: node.name, shapes });
  const batch = broadcastShapes(node, a2.slice(0, -2), b2.slice(0, -2));
  const pad = (s: number[]) => [...Array<number>(batch.length - s.length).fill(1), ...s];
  const aBatch = pad(a2.slice(0, -2));
  const bBatch = pad(b2.slice(0, -2));
  const out = [...batch];
  if (a.length !== 1) out.push(M);
  if (b.length !== 1) out.push(N);
  return { M, N, K, batch, aBatch, bBatch, out };
}

/** Element strides of an operand's batch dims (matrices of `matrix` elements), 0 where broadcast. */
function batchStrides(dims: number[], matrix: number): number[] {
  const s = new Array<number>(dims.length);
  let acc = matrix;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = dims[i] === 1 ? 0 : acc;
    acc *= dims[i];
  }
  return s;
}

/** Drops unit batch dims and merges neighbours that both operands step through uniformly, so that
 * the shader's 4 batch dims cover ranks up to 6 (and usually far more). */
function mergeBatch(b: GemmBatch): GemmBatch {
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  b.dims.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && aStrides[last] === b.aStrides[i] * d && bStrides[last] === b.bStrides[i] * d) {
      dims[last] *= d;
      aStrides[last] = b.aStrides[i];
      bStrides[last] = b.bStrides[i];
      return;
    }
    dims.push(d);
    aStrides.push(b.aStrides[i]);
    bStrides.push(b.bStrides[i]);
  });
  return { dims, aStrides, bStrides };
}

export const MatMul: OpDef<MatMulAttrs> = {
  opType: 'MatMul',
  float16: true,
  packedF16: true,
  variants: GEMM_ALGORITHMS,
  parse: (ctx) => ({ epilogue: parseEpilogue(ctx.node) }),
  infer(inputs: (TypeShape | undefined)[], attrs, ctx: OpContext): TypeShape[] {
    const [a, b] = inputs;
    if (!a || !b) throw new ShapeError('A and B are required', { op: ctx.node.opType, node: ctx.node.name });
    if (a.dtype !== b.dtype) throw new ShapeError(`A is ${a.dtype} but B is ${b.dtype}`, { op: ctx.node.opType, node: ctx.node.name });
    if (attrs.epilogue.name && !isFloat(a.dtype)) {
      throw new ShapeError(`a fused activation needs float tensors, A and B are ${a.dtype}`, { op: ctx.node.opType, node: ctx.node.name });
    }
    return [{ dtype: a.dtype, shape: matMulDims(ctx.node, a.shape, b.shape).out }];
  },
  cpu(inputs: (HostTensor | undefined)[], attrs, ctx: OpContext): HostTensor[] {
    const [a, b] = inputs as [HostTensor, HostTensor];
    const d = matMulDims(ctx.node, a.dims, b.dims);
    const { M, N, K } = d;
    const aStr = batchStrides(d.aBatch, M * K);
    const bStr = batchStrides(d.bBatch, K * N);
    const y = makeHost(a.dtype, d.out);
    const count = sizeOf(d.batch);
    for (let t = 0; t < count; t++) {
      let rem = t;
      let aOff = 0;
      let bOff = 0;
      for (let i = d.batch.length - 1; i >= 0; i--) {
        const idx = rem % d.batch[i];
        rem = Math.floor(rem / d.batch[i]);
        aOff += idx * aStr[i];
        bOff += idx * bStr[i];
      }
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a.data[aOff + m * K + k] * b.data[bOff + k * N + n];
          // Host integers are int64 saturated to int32 (runtime/ir/types.ts), not wrapped.
          y.data[t * M * N + m * N + n] = y.data instanceof Int32Array ? saturate(s) : s;
        }
      }
    }
    return [applyEpilogueHost(attrs.epilogue, y, ctx)];
  },
  gpu(k, attrs) {
    const [a, b] = k.inputs;
    const d = matMulDims(k.node, a!.shape, b!.shape);
    const integer = !isFloat(a!.dtype);
    const operands = { a: { input: 0, trans: false }, b: { input: 1, trans: false }, integer, epilogue: attrs.epilogue };
    if (b!.shape.length <= 2) {
      // B is one matrix: A's batch dims are just more rows of one [batch * M, K] product (A and Y
      // are row-major), which is also the form an oversized constant B can be split in.
      emitGemm(k, { M: sizeOf(d.aBatch) * d.M, N: d.N, K: d.K, ...operands });
      return;
    }
    const batch = mergeBatch({ dims: d.batch, aStrides: batchStrides(d.aBatch, d.M * d.K), bStrides: batchStrides(d.bBatch, d.K * d.N) });
    emitGemm(k, { M: d.M, N: d.N, K: d.K, ...operands, batch: batch.dims.length ? batch : undefined });
  },
};
