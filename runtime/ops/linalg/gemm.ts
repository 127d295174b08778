// Gemm (ONNX opsets 1, 6, 7, 9, 11, 13): Y = alpha * A' * B' + beta * C, where
// A' = transpose(A) if transA else A ([M, K]), B' = transpose(B) if transB else B ([K, N]).
// Spec: https://onnx.ai/onnx/operators/onnx__Gemm.html
// - alpha, beta default 1.0; transA, transB default 0.
// - C is unidirectionally broadcastable to [M, N] (scalar, [N], [1, N], [M, 1], [M, N]); it is
//   optional from opset 11 (absent means no bias). Before opset 7 the `broadcast` attribute
//   (default 0) had to be set for any C other than a full [M, N].
// A fused activation (`fovea.activation`, set by the fuse-activations pass) is applied to Y in
// the kernel's epilogue: see runtime/ops/activation/epilogue.ts.
// Float tensors only: the integer types the spec added in opset 9 have no defined rounding for the
// float alpha/beta, and the runtimes Fovea is checked against do not implement them either.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import type { HostTensor, Node } from '../../ir/types.js';
import { isFloat } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { attrFloat, attrInt } from '../attributes.js';
import { ShapeError, UnsupportedOpError } from '../../errors.js';
import { emitGemm, GEMM_ALGORITHMS } from './gemm-kernel.js';
import { applyEpilogueHost, parseEpilogue, type Epilogue } from '../activation/epilogue.js';

interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
  /** Whether C may be broadcast (always from opset 7; the `broadcast` attribute before). */
  broadcast: boolean;
  /** Fused activation (identity unless a fusion pass set one). */
  epilogue: Epilogue;
}

interface GemmDims {
  M: number;
  N: number;
  K: number;
  /** C's element strides along Y's rows and columns (0 where broadcast); undefined without C. */
  c?: { rowStride: number; colStride: number };
}

function fail(node: Node, msg: string, shapes: Record<string, readonly number[] | undefined>): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes });
}

/** M, N, K and C's broadcast strides, validating the shapes. */
function gemmDims(node: Node, a: readonly number[], b: readonly number[], c: readonly number[] | undefined, attrs: GemmAttrs): GemmDims {
  const shapes = { A: a, B: b, C: c };
  if (a.length !== 2 || b.length !== 2) fail(node, 'A and B must be 2-D', shapes);
  const [M, K] = attrs.transA ? [a[1], a[0]] : [a[0], a[1]];
  const [K2, N] = attrs.transB ? [b[1], b[0]] : [b[0], b[1]];
  if (K !== K2) fail(node, `inner dimensions differ: A' is [${M},${K}], B' is [${K2},${N}]`, shapes);
  if (!c) return { M, N, K };
  if (c.length > 2) fail(node, 'C must have rank 0, 1 or 2', shapes);
  // Unidirectional broadcasting aligns C's trailing dims with [M, N].
  const rows = c.length === 2 ? c[0] : 1;
  const cols = c.length >= 1 ? c[c.length - 1] : 1;
  if ((rows !== 1 && rows !== M) || (cols !== 1 && cols !== N)) fail(node, `C is not unidirectionally broadcastable to [${M},${N}]`, shapes);
  if (!attrs.broadcast && (c.length !== 2 || rows !== M || cols !== N)) {
    fail(node, `C must be [${M},${N}] when broadcast=0 (Gemm before opset 7)`, shapes);
  }
  return { M, N, K, c: { rowStride: rows === 1 ? 0 : cols, colStride: cols === 1 ? 0 : 1 } };
}

export const Gemm: OpDef<GemmAttrs> = {
  opType: 'Gemm',
  float16: true,
  packedF16: true,
  variants: GEMM_ALGORITHMS,
  parse(ctx: OpContext): GemmAttrs {
    const n = ctx.node;
    return {
      alpha: attrFloat(n, 'alpha', 1),
      beta: attrFloat(n, 'beta', 1),
      transA: attrInt(n, 'transA', 0) !== 0,
      transB: attrInt(n, 'transB', 0) !== 0,
      broadcast: ctx.opset < 7 ? attrInt(n, 'broadcast', 0) !== 0 : true,
      epilogue: parseEpilogue(n),
    };
  },
  infer(inputs: (TypeShape | undefined)[], attrs: GemmAttrs, ctx: OpContext): TypeShape[] {
    const [a, b, c] = inputs;
    if (!a || !b) fail(ctx.node, 'A and B are required', {});
    if (!isFloat(a.dtype)) {
      throw new UnsupportedOpError([{ op: 'Gemm', domain: '', nodes: [ctx.node.name] }], `Gemm on ${a.dtype} tensors is not supported (float only); MatMul supports integers`);
    }
    const { M, N } = gemmDims(ctx.node, a.shape, b.shape, c?.shape, attrs);
    return [{ dtype: a.dtype, shape: [M, N] }];
  },
  cpu(inputs: (HostTensor | undefined)[], attrs: GemmAttrs, ctx: OpContext): HostTensor[] {
    const [a, b, c] = inputs as [HostTensor, HostTensor, HostTensor | undefined];
    const { M, N, K, c: cs } = gemmDims(ctx.node, a.dims, b.dims, c?.dims, attrs);
    const y = makeHost(a.dtype, [M, N]);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = attrs.transA ? a.data[k * M + m] : a.data[m * K + k];
          const bv = attrs.transB ? b.data[n * K + k] : b.data[k * N + n];
          s += av * bv;
        }
        let v = attrs.alpha * s;
        if (c && cs && attrs.beta !== 0) v += attrs.beta * c.data[m * cs.rowStride + n * cs.colStride];
        y.data[m * N + n] = v;
      }
    }
    return [applyEpilogueHost(attrs.epilogue, y, ctx)];
  },
  gpu(k, attrs) {
    const [a, b, c] = k.inputs;
    const { M, N, K, c: cs } = gemmDims(k.node, a!.shape, b!.shape, c?.shape, attrs);
    emitGemm(k, {
      M,
      N,
      K,
      a: { input: 0, trans: attrs.transA },
      b: { input: 1, trans: attrs.transB },
      integer: false,
      alpha: attrs.alpha,
      // beta = 0 ignores C entirely (as onnxruntime does), so NaN/Inf in C do not leak into Y.
      c: c && cs && attrs.beta !== 0 ? { input: 2, rowStride: cs.rowStride, colStride: cs.colStride, beta: attrs.beta } : undefined,
      epilogue: attrs.epilogue,
    });
  },
};
