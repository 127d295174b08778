// Expand (ONNX opset 8/13): broadcasts the input to `shape` (input 1) with numpy's
// bidirectional rule, so the output shape is broadcast(input, shape) (a 1 in `shape` keeps the
// input's dim). One strided copy that reads broadcast dims with stride 0.
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { broadcastShapes } from '../attributes.js';
import { constInts, dataLike, fail } from './util.js';
import { stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface ExpandAttrs {
  shape: number[];
}

function expandBox(node: Node, input: number[], a: ExpandAttrs): StridedBox {
  if (a.shape.some((d) => d < 0)) fail(node, `shape [${a.shape.join(',')}] has a negative dim`);
  const out = broadcastShapes(node, input, a.shape);
  const inStrides = stridesOf(input);
  const lead = out.length - input.length;
  const srcStrides = out.map((_, i) => (i < lead || input[i - lead] === 1 ? 0 : inStrides[i - lead]));
  return { shape: out, srcOffset: 0, srcStrides, dstOffset: 0, dstStrides: stridesOf(out) };
}

export const Expand: OpDef<ExpandAttrs> = {
  opType: 'Expand',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1],
  parse(ctx) {
    const shape = constInts(ctx, 1, 'shape');
    if (!shape) fail(ctx.node, 'input 1 ("shape") is required');
    return { shape };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: expandBox(ctx.node, x.shape, a).shape }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const box = expandBox(ctx.node, x.dims, a);
    const data = dataLike(x.data, sizeOf(box.shape));
    stridedCopyHost(x.data, data, box);
    return [{ dtype: x.dtype, dims: box.shape, data }];
  },
  gpu(k, a) {
    stridedCopyGpu(k, k.input(0), k.output(0), expandBox(k.node, k.inputs[0]!.shape, a), 'expand');
  },
};
