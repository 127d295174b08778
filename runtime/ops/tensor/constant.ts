// Constant (ONNX opset 1/9/11/12/13/19/21): a tensor given by exactly one attribute: `value`
// (a tensor), or from opset 12 `value_float`, `value_floats` (float32 scalar / 1-D),
// `value_int`, `value_ints` (int64 scalar / 1-D). `sparse_value` and the string forms are not
// supported. Always folded: a host value, never a dispatch.
import type { OpDef, TypeShape } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { attrFloat, attrFloats, attrInt, attrInts, attrTensor } from '../attributes.js';
import { fail } from './util.js';

const FORMS = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'sparse_value', 'value_string', 'value_strings'];

export const Constant: OpDef<HostTensor> = {
  opType: 'Constant',
  parse(ctx) {
    const node = ctx.node;
    const given = FORMS.filter((f) => node.attributes[f] !== undefined);
    if (given.length !== 1) fail(node, `needs exactly one of ${FORMS.join(', ')}; got ${given.length ? given.join(', ') : 'none'}`);
    switch (given[0]) {
      case 'value':
        return attrTensor(node, 'value')!;
      case 'value_float':
        return makeHost('float32', [], [attrFloat(node, 'value_float', 0)]);
      case 'value_floats': {
        const v = attrFloats(node, 'value_floats')!;
        return makeHost('float32', [v.length], v);
      }
      case 'value_int':
        return makeHost('int64', [], [attrInt(node, 'value_int', 0)]);
      case 'value_ints': {
        const v = attrInts(node, 'value_ints')!;
        return makeHost('int64', [v.length], v);
      }
      default:
        return fail(node, `the "${given[0]}" form is not supported`, undefined, 'use a dense numeric tensor');
    }
  },
  infer: (_inputs, t): TypeShape[] => [{ dtype: t.dtype, shape: [...t.dims] }],
  cpu: (_inputs, t) => [t],
};
