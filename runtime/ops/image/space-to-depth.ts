// SpaceToDepth (ONNX opset 1/13): the inverse of DepthToSpace in DCR order: blocksize x blocksize
// spatial tiles become channels, [N, C, H, W] -> [N, C·b², H / b, W / b], output channel
// (i·b + j)·C + c holding input (c, h·b + i, w·b + j). One strided copy walking the output in
// order (any element type; the host version folds constants).
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInt } from '../attributes.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from '../tensor/strided.js';
import { dataLike, fail } from '../tensor/util.js';

interface SpaceToDepthAttrs {
  blocksize: number;
}

function check(node: Node, b: number, x: readonly number[]): void {
  if (x.length !== 4) fail(node, `the input must be 4-D [N, C, H, W], not rank ${x.length}`, { input: x });
  if (b < 1) fail(node, `blocksize ${b} must be positive`);
  if (x[2] % b !== 0 || x[3] % b !== 0) fail(node, `height and width (${x[2]}, ${x[3]}) must be multiples of blocksize ${b}`, { input: x });
}

function outShape(b: number, x: readonly number[]): number[] {
  return [x[0], x[1] * b * b, x[2] / b, x[3] / b];
}

/** Output coordinates (n, i, j, c, h, w): a row-major walk of the output. */
function box(b: number, x: readonly number[]): StridedBox {
  const [N, C, H, W] = x;
  const [sn, sc, sh, sw] = stridesOf(x);
  const shape = [N, b, b, C, H / b, W / b];
  return { shape, srcOffset: 0, srcStrides: [sn, sh, sw, sc, b * sh, b * sw], dstOffset: 0, dstStrides: stridesOf(shape) };
}

export const SpaceToDepth: OpDef<SpaceToDepthAttrs> = {
  opType: 'SpaceToDepth',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse(ctx) {
    const blocksize = attrInt(ctx.node, 'blocksize', 0);
    if (!blocksize) fail(ctx.node, 'the "blocksize" attribute is required');
    return { blocksize };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) fail(ctx.node, 'input is required');
    check(ctx.node, a.blocksize, x.shape);
    return [{ dtype: x.dtype, shape: outShape(a.blocksize, x.shape) }];
  },
  cpu(inputs, a) {
    const x = inputs[0]!;
    const shape = outShape(a.blocksize, x.dims);
    const data = dataLike(x.data, sizeOf(shape));
    stridedCopyHost(x.data, data, box(a.blocksize, x.dims));
    return [{ dtype: x.dtype, dims: shape, data }];
  },
  gpu(k, a) {
    stridedCopyGpu(k, k.input(0), k.output(0), box(a.blocksize, k.inputs[0]!.shape), 'space-to-depth');
  },
};
