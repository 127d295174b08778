// DepthToSpace (ONNX opset 1/11/13): moves blocks of channels into blocksize x blocksize spatial
// tiles: [N, C, H, W] -> [N, C / b², H·b, W·b]. mode (opset 11+, default DCR): DCR reads the
// channels as (b, b, C/b²) (depth-column-row, TensorFlow's order), CRD as (C/b², b, b) (PyTorch's
// PixelShuffle). Both are a reshape-transpose-reshape, run as one strided copy that walks the
// output in order (any element type; the host version folds constants).
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { attrInt, attrString } from '../attributes.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from '../tensor/strided.js';
import { dataLike, fail } from '../tensor/util.js';

interface DepthToSpaceAttrs {
  blocksize: number;
  crd: boolean;
}

function check(node: Node, a: DepthToSpaceAttrs, x: readonly number[]): void {
  if (x.length !== 4) fail(node, `the input must be 4-D [N, C, H, W], not rank ${x.length}`, { input: x });
  if (a.blocksize < 1) fail(node, `blocksize ${a.blocksize} must be positive`);
  if (x[1] % (a.blocksize * a.blocksize) !== 0) fail(node, `channels (${x[1]}) must be a multiple of blocksize² (${a.blocksize * a.blocksize})`, { input: x });
}

function outShape(a: DepthToSpaceAttrs, x: readonly number[]): number[] {
  const b = a.blocksize;
  return [x[0], x[1] / (b * b), x[2] * b, x[3] * b];
}

/** Output coordinates (n, c, h, i, w, j) with h·b + i and w·b + j the spatial position: a
 * row-major walk of the output. The input channel is i·b·C' + j·C' + c (DCR) or c·b² + i·b + j (CRD). */
function box(a: DepthToSpaceAttrs, x: readonly number[]): StridedBox {
  const b = a.blocksize;
  const [N, C, H, W] = x;
  const c2 = C / (b * b);
  const [sn, sc, sh, sw] = stridesOf(x);
  const shape = [N, c2, H, b, W, b];
  const chan = a.crd ? { c: b * b * sc, i: b * sc, j: sc } : { c: sc, i: b * c2 * sc, j: c2 * sc };
  return { shape, srcOffset: 0, srcStrides: [sn, chan.c, sh, chan.i, sw, chan.j], dstOffset: 0, dstStrides: stridesOf(shape) };
}

export const DepthToSpace: OpDef<DepthToSpaceAttrs> = {
  opType: 'DepthToSpace',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse(ctx) {
    const mode = ctx.opset >= 11 ? attrString(ctx.node, 'mode', 'DCR') : 'DCR';
    if (mode !== 'DCR' && mode !== 'CRD') fail(ctx.node, `mode "${mode}" is not one of DCR, CRD`);
    const blocksize = attrInt(ctx.node, 'blocksize', 0);
    if (!blocksize) fail(ctx.node, 'the "blocksize" attribute is required');
    return { blocksize, crd: mode === 'CRD' };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) fail(ctx.node, 'input is required');
    check(ctx.node, a, x.shape);
    return [{ dtype: x.dtype, shape: outShape(a, x.shape) }];
  },
  cpu(inputs, a) {
    const x = inputs[0]!;
    const shape = outShape(a, x.dims);
    const data = dataLike(x.data, sizeOf(shape));
    stridedCopyHost(x.data, data, box(a, x.dims));
    return [{ dtype: x.dtype, dims: shape, data }];
  },
  gpu(k, a) {
    stridedCopyGpu(k, k.input(0), k.output(0), box(a, k.inputs[0]!.shape), a.crd ? 'depth-to-space-crd' : 'depth-to-space-dcr');
  },
};
