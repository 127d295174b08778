// Shared machinery of the comparison and logic ops with a bool result (Equal, Greater, Less,
// GreaterOrEqual, LessOrEqual, And, Or, Xor): numpy multidirectional broadcasting (ONNX
// Broadcasting.md), host evaluation for constant folding (shape chains compare int64 values),
// and one dispatch of shaders/binary.wgsl whose output type is u32 0/1 (Fovea's bool).
// Bool inputs are u32 0/1 on the GPU and are read as i32 there (the same bits).
import type { OpContext, OpDef, TypeShape } from '../types.js';
import type { DType } from '../../ir/types.js';
import { isFloat } from '../../ir/types.js';
import { broadcastShapes } from '../attributes.js';
import { isIntegerType } from '../activation/unary.js';
import { dispatchBinary, hostBinary } from './binary.js';
import { ShapeError } from '../../errors.js';

export interface CompareDef {
  opType: string;
  /** WGSL boolean expression of a and b (both f32, or both i32 for integer and bool tensors). */
  cond: string;
  host: (a: number, b: number) => boolean;
  /** Which input types the op takes: numbers (float and integer), bools, or both. */
  numeric: boolean;
  bool: boolean;
}

function checkType(ctx: OpContext, def: CompareDef, d: DType): void {
  if (def.numeric && (isFloat(d) || isIntegerType(d))) return;
  if (def.bool && d === 'bool') return;
  throw new ShapeError(`input type ${d} is not supported`, {
    op: ctx.node.opType,
    node: ctx.node.name,
    hint: def.numeric ? (def.bool ? 'numeric and bool tensors are supported' : 'numeric tensors are supported') : 'this op takes bool tensors',
  });
}

export function compareOp(def: CompareDef): OpDef<Record<string, never>> {
  return {
    opType: def.opType,
    float16: true,
    packedF16: true,
    parse: (ctx) => {
      // Opset < 7 forms had `broadcast`/`axis` attributes (limited broadcasting of B).
      if (ctx.opset < 7 && ctx.node.attributes.axis !== undefined) {
        throw new ShapeError('the opset < 7 `axis` attribute (legacy broadcasting) is not supported', {
          op: ctx.node.opType,
          node: ctx.node.name,
          hint: 'convert the model to opset 7 or later',
        });
      }
      return {};
    },
    infer: (inputs, _a, ctx) => {
      const [a, b] = inputs;
      if (!a || !b) throw new ShapeError('inputs A and B are required', { op: ctx.node.opType, node: ctx.node.name });
      checkType(ctx, def, a.dtype);
      if (a.dtype !== b.dtype) {
        throw new ShapeError(`inputs have different types ${a.dtype} and ${b.dtype}`, { op: ctx.node.opType, node: ctx.node.name, shapes: { A: a.shape, B: b.shape } });
      }
      return [{ dtype: 'bool', shape: broadcastShapes(ctx.node, a.shape, b.shape) }];
    },
    cpu: (inputs, _a, ctx) => {
      const [a, b] = [inputs[0]!, inputs[1]!];
      const out = broadcastShapes(ctx.node, a.dims, b.dims);
      return [hostBinary(a, a.dims, b, b.dims, out, 'bool', (x, y) => (def.host(x, y) ? 1 : 0))];
    },
    gpu(k) {
      const [a, b] = k.inputs as TypeShape[];
      const int = !isFloat(a.dtype);
      dispatchBinary(k, {
        opType: def.opType,
        expr: `select(0u, 1u, ${def.cond})`,
        int,
        bInt: int,
        outType: 'u32',
        aShape: a.shape,
        bShape: b.shape,
        outShape: k.outputs[0].shape,
      });
    },
  };
}
