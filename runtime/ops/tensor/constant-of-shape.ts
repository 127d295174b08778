// ConstantOfShape (ONNX opset 9/20/21): a tensor of shape input 0 (1-D int64, constant here:
// it fixes the output shape) filled with the one-element `value` tensor attribute, whose dtype
// it takes; the default is a float32 0. Folded on the host: never a dispatch.
import type { OpDef, TypeShape } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { attrTensor } from '../attributes.js';
import { constInts, fail } from './util.js';

interface ConstantOfShapeAttrs {
  dims: number[];
  value: HostTensor;
}

export const ConstantOfShape: OpDef<ConstantOfShapeAttrs> = {
  opType: 'ConstantOfShape',
  shapeInputs: [0],
  parse(ctx) {
    const dims = constInts(ctx, 0, 'input');
    if (!dims) fail(ctx.node, 'input 0 (the shape) is required');
    if (dims.some((d) => d < 0)) fail(ctx.node, `shape [${dims.join(',')}] has a negative dim`);
    const value = attrTensor(ctx.node, 'value') ?? makeHost('float32', [1], [0]);
    if (value.data.length !== 1) fail(ctx.node, `"value" must hold one element, it has ${value.data.length}`);
    return { dims, value };
  },
  infer: (_inputs, a): TypeShape[] => [{ dtype: a.value.dtype, shape: [...a.dims] }],
  cpu(_inputs, a) {
    const t = makeHost(a.value.dtype, a.dims);
    t.data.fill(Number(a.value.data[0]));
    return [t];
  },
};
