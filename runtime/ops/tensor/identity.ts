// Identity (ONNX opset 1/13/14/16/19/21): output = input. A view: no dispatch, no copy.
import type { OpDef, TypeShape } from '../types.js';
import { reshapedHost } from './util.js';

export const Identity: OpDef<Record<string, never>> = {
  opType: 'Identity',
  view: true,
  parse: () => ({}),
  infer: (inputs): TypeShape[] => [{ dtype: inputs[0]!.dtype, shape: [...inputs[0]!.shape] }],
  cpu: (inputs) => [reshapedHost(inputs[0]!, inputs[0]!.dims)],
};
