// MaxUnpool (ONNX opset 9/11/22): the partial inverse of MaxPool. X [N, C, D1…Dk] holds pooled
// values and I (int64, same shape) their flat positions in the unpooled tensor (MaxPool's
// Indices output); Y is zero except Y[I[i]] = X[i]. Y's shape is the optional output_shape
// input (constant; opset 11+) or, from kernel_shape, strides and pads, the inverse of MaxPool's
// size formula: (in - 1) * stride - pad_begin - pad_end + kernel per spatial axis.
// GPU: a zero fill (shaders/fill.wgsl) and a scatter (shaders/max-unpool.wgsl).
import type { OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { attrInts } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { dispatchFill } from '../tensor/fill-kernel.js';
import { constInts, fail } from '../tensor/util.js';

interface MaxUnpoolAttrs {
  kernel?: number[];
  strides?: number[];
  pads?: number[];
  outputShape?: number[];
}

const UNPOOL_WG = 256;

function outShape(node: Node, a: MaxUnpoolAttrs, x: readonly number[]): number[] {
  const r = x.length - 2;
  if (r < 1) fail(node, `the input must be [N, C, D1, ...], not rank ${x.length}`, { X: x });
  if (!a.kernel || a.kernel.length !== r) fail(node, `kernel_shape must have ${r} values`, { X: x });
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const pads = a.pads ?? new Array<number>(2 * r).fill(0);
  if (strides.length !== r || pads.length !== 2 * r) fail(node, `strides needs ${r} values and pads ${2 * r}`, { X: x });
  const inferred = [x[0], x[1], ...x.slice(2).map((d, i) => (d - 1) * strides[i] - pads[i] - pads[r + i] + a.kernel![i])];
  if (inferred.some((d) => d <= 0)) fail(node, `the unpooled shape [${inferred.join(',')}] is not positive`, { X: x });
  if (!a.outputShape) return inferred;
  const o = a.outputShape;
  if (o.length !== x.length || o[0] !== x[0] || o[1] !== x[1]) fail(node, `output_shape [${o.join(',')}] must be [N, C, ...] of rank ${x.length}`, { X: x });
  if (sizeOf(o) < sizeOf(inferred)) fail(node, `output_shape [${o.join(',')}] is smaller than the unpooled shape [${inferred.join(',')}]`, { X: x });
  return [...o];
}

export const MaxUnpool: OpDef<MaxUnpoolAttrs> = {
  opType: 'MaxUnpool',
  float16: true,
  packedF16: true,
  shapeInputs: [2], // output_shape
  parse(ctx) {
    return {
      kernel: attrInts(ctx.node, 'kernel_shape'),
      strides: attrInts(ctx.node, 'strides'),
      pads: attrInts(ctx.node, 'pads'),
      outputShape: constInts(ctx, 2, 'output_shape'),
    };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const [x, idx] = inputs;
    if (!x || !idx) fail(ctx.node, 'inputs X and I are required');
    if (x.dtype !== 'float32' && x.dtype !== 'float16') fail(ctx.node, `input type ${x.dtype} is not supported: this op takes float32 and float16 tensors`);
    if (idx.shape.length !== x.shape.length || idx.shape.some((d, i) => d !== x.shape[i])) fail(ctx.node, 'I must have the shape of X', { X: x.shape, I: idx.shape });
    return [{ dtype: x.dtype, shape: outShape(ctx.node, a, x.shape) }];
  },
  gpu(k) {
    const ySize = sizeOf(k.outputs[0].shape);
    const n = sizeOf(k.inputs[0]!.shape);
    const x = k.inputs[0]!;
    dispatchFill(k, k.output(0), x.dtype, ySize, 0, 'MaxUnpool-zero');
    if (n === 0) return;
    const S = storageOf(x.dtype, k.limits);
    k.dispatch({
      shader: 'max-unpool',
      variant: `MaxUnpool${halfTag(S)}`,
      defines: { WG: UNPOOL_WG, S },
      bindings: { x: k.input(0), indices: k.input(1), y: k.output(0) },
      uniforms: { n, y_size: ySize },
      workgroups: grid(Math.ceil(n / UNPOOL_WG), k.limits),
    });
  },
};
