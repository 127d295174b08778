// Transpose (ONNX opset 1/13/21): output dim i is input dim perm[i]; perm defaults to the
// reversed dims. One strided copy: the output is written contiguously while the input is read
// with its strides permuted.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInts } from '../attributes.js';
import { fail, dataLike } from './util.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface TransposeAttrs {
  perm?: number[];
}

function permOf(node: Node, rank: number, perm: number[] | undefined): number[] {
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) fail(node, `perm [${perm.join(',')}] is not a permutation of ${rank} dims`);
  return perm;
}

function transposeBox(node: Node, shape: number[], a: TransposeAttrs): StridedBox {
  const perm = permOf(node, shape.length, a.perm);
  const inStrides = stridesOf(shape);
  const out = perm.map((p) => shape[p]);
  return { shape: out, srcOffset: 0, srcStrides: perm.map((p) => inStrides[p]), dstOffset: 0, dstStrides: stridesOf(out) };
}

export const Transpose: OpDef<TransposeAttrs> = {
  opType: 'Transpose',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: (ctx) => ({ perm: attrInts(ctx.node, 'perm') }),
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: transposeBox(ctx.node, x.shape, a).shape }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const box = transposeBox(ctx.node, x.dims, a);
    const data = dataLike(x.data, sizeOf(box.shape));
    stridedCopyHost(x.data, data, box);
    return [{ dtype: x.dtype, dims: box.shape, data }];
  },
  gpu(k, a) {
    stridedCopyGpu(k, k.input(0), k.output(0), transposeBox(k.node, k.inputs[0]!.shape, a), 'transpose');
  },
};
