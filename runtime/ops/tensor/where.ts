// Where (ONNX opset 9/16): output = condition ? X : Y elementwise, with numpy multidirectional
// broadcasting of all three inputs. X and Y share any type (copied bitwise on the GPU, see
// shaders/where.wgsl); condition is bool. Host evaluation folds the masks of shape chains.
import { halfTag, moveType } from '../../gpu/elements.js';
import type { OpDef, TypeShape } from '../types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { broadcastShapes } from '../attributes.js';
import { broadcastStrides, coalesceDims, BINARY_MAX_RANK } from '../math/binary.js';
import { grid } from '../../gpu/plan.js';
import { fail } from './util.js';

const WHERE_WG = 256;

export const Where: OpDef<Record<string, never>> = {
  opType: 'Where',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: () => ({}),
  infer(inputs, _a, ctx): TypeShape[] {
    const [c, x, y] = inputs;
    if (!c || !x || !y) fail(ctx.node, 'inputs condition, X and Y are required');
    if (c.dtype !== 'bool') fail(ctx.node, `condition must be bool, not ${c.dtype}`);
    if (x.dtype !== y.dtype) fail(ctx.node, `X (${x.dtype}) and Y (${y.dtype}) must have one type`, { X: x.shape, Y: y.shape });
    return [{ dtype: x.dtype, shape: broadcastShapes(ctx.node, c.shape, x.shape, y.shape) }];
  },
  cpu(inputs, _a, ctx) {
    const [c, x, y] = [inputs[0]!, inputs[1]!, inputs[2]!];
    const out = broadcastShapes(ctx.node, c.dims, x.dims, y.dims);
    const { shape, strides } = coalesceDims(out, [broadcastStrides(c.dims, out), broadcastStrides(x.dims, out), broadcastStrides(y.dims, out)]);
    const outStrides = stridesOf(shape);
    const r = makeHost(x.dtype, out);
    for (let i = 0; i < r.data.length; i++) {
      let rem = i;
      const at = [0, 0, 0];
      for (let d = 0; d < shape.length; d++) {
        const q = Math.floor(rem / outStrides[d]);
        rem -= q * outStrides[d];
        for (let k = 0; k < 3; k++) at[k] += q * strides[k][d];
      }
      r.data[i] = c.data[at[0]] !== 0 ? x.data[at[1]] : y.data[at[2]];
    }
    return [r];
  },
  gpu(k) {
    const [c, x, y] = k.inputs as TypeShape[];
    const out = k.outputs[0].shape;
    const n = sizeOf(out);
    const { shape, strides } = coalesceDims(out, [broadcastStrides(c.shape, out), broadcastStrides(x.shape, out), broadcastStrides(y.shape, out)]);
    if (shape.length > BINARY_MAX_RANK) fail(k.node, `${shape.length} non-mergeable broadcast dims, the kernel handles ${BINARY_MAX_RANK}`, { condition: c.shape, X: x.shape, Y: y.shape });
    k.dispatch({
      shader: 'where',
      variant: `Where${halfTag(moveType(x.dtype, k.limits), ' ')}`,
      defines: { WG: WHERE_WG, E: moveType(x.dtype, k.limits) },
      bindings: { cond: k.input(0), x0: k.input(1), x1: k.input(2), y: k.output(0) },
      uniforms: { n, rank: shape.length, out_strides: stridesOf(shape), c_strides: strides[0], a_strides: strides[1], b_strides: strides[2] },
      workgroups: grid(Math.ceil(n / WHERE_WG), k.limits),
    });
  },
};
