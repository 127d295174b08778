// CastLike (ONNX opset 15/19/21): Cast of input 0 to the element type of input 1 (`target_type`,
// whose values are not read). Same conversions as Cast (runtime/ops/tensor/cast.ts); `saturate`
// (opset 19) only concerns float8 targets, which Fovea does not have.
import type { OpDef, TypeShape } from '../types.js';
import { castGpu, castHost } from './cast.js';
import { fail } from './util.js';

export const CastLike: OpDef<Record<string, never>> = {
  opType: 'CastLike',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: () => ({}),
  infer(inputs, _a, ctx): TypeShape[] {
    const [x, like] = inputs;
    if (!x || !like) fail(ctx.node, 'inputs input and target_type are required');
    if (x.dtype === 'string' || like.dtype === 'string') fail(ctx.node, 'string tensors are not supported');
    return [{ dtype: like.dtype, shape: [...x.shape] }];
  },
  cpu: (inputs) => [castHost(inputs[0]!, inputs[1]!.dtype)],
  gpu: (k) => castGpu(k, k.inputs[1]!.dtype),
};
