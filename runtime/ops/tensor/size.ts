// Size (ONNX opset 1/13/19/21): the input's element count as a 0-D int64 tensor. A constant
// under static shapes (foldFromShapes): no dispatch.
import type { OpDef, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';

export const Size: OpDef<Record<string, never>> = {
  opType: 'Size',
  parse: () => ({}),
  infer: (): TypeShape[] => [{ dtype: 'int64', shape: [] }],
  foldFromShapes: (inputs) => [makeHost('int64', [], [sizeOf(inputs[0]!.shape)])],
};
