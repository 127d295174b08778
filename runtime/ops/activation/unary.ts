// Shared shape of the elementwise unary ops: same shape and dtype out, one dispatch of
// shaders/unary.wgsl with the op's WGSL expression of `v` (and alpha/beta/gamma uniforms).
// Each op file supplies its attributes, its expression and a host version for folding.
// Ops that the ONNX spec also defines on integer tensors (Neg, Abs, Relu, Clip…) give a second,
// i32 expression; float-only ops reject integer inputs at shape inference.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import type { DType, HostTensor } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { makeHost, saturate } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';
import { ShapeError } from '../../errors.js';

export interface UnaryParams {
  alpha?: number;
  beta?: number;
  gamma?: number;
}

export const UNARY_WG = 256;

/** Integer tensors live on the GPU as i32 (int64 saturated, see ir/types.ts). */
export function isIntegerType(d: DType): boolean {
  return d === 'int64' || d === 'int32' || d === 'int16' || d === 'int8' || d === 'uint8' || d === 'uint16' || d === 'uint32' || d === 'uint64';
}

export function unaryOp<A extends UnaryParams>(def: {
  opType: string;
  /** See OpDef.shapeInputs (Clip's min/max inputs). */
  shapeInputs?: readonly number[];
  parse?: (ctx: OpContext) => A;
  /** WGSL expression of v (f32), alpha, beta, gamma. */
  wgsl: string;
  /** The same op on i32 values (alpha/beta/gamma are i32 then); absent: float inputs only. */
  wgslInt?: string;
  /** The same function on the host (constant folding, and the reference in unit tests). */
  host: (v: number, a: A) => number;
  /** Extra compile-time defines of unary.wgsl (e.g. ERF: pull in a helper function). */
  defines?: Record<string, string | number | boolean>;
}): OpDef<A> {
  return {
    opType: def.opType,
    float16: true,
    packedF16: true,
    shapeInputs: def.shapeInputs,
    parse: def.parse ?? (() => ({}) as A),
    infer: (inputs: (TypeShape | undefined)[], _a: A, ctx: OpContext) => {
      const x = inputs[0];
      if (!x) throw new ShapeError('input X is required', { op: ctx.node.opType, node: ctx.node.name });
      if (!isFloat(x.dtype) && !(def.wgslInt && isIntegerType(x.dtype))) {
        throw new ShapeError(`input type ${x.dtype} is not supported`, {
          op: ctx.node.opType,
          node: ctx.node.name,
          hint: def.wgslInt ? 'float and integer tensors are supported' : 'this op takes float tensors',
        });
      }
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    cpu: (inputs: (HostTensor | undefined)[], a: A) => {
      const x = inputs[0]!;
      const y = makeHost(x.dtype, x.dims);
      const int = y.data instanceof Int32Array;
      for (let i = 0; i < x.data.length; i++) {
        const v = def.host(x.data[i], a);
        y.data[i] = int ? saturate(v) : v;
      }
      return [y];
    },
    gpu(k, a) {
      const n = sizeOf(k.outputs[0].shape);
      const int = !isFloat(k.outputs[0].dtype);
      // i32 parameters: saturate the ±inf / ±FLT_MAX defaults of e.g. Clip into i32 range.
      const param = (v: number | undefined) => (int ? saturate(v ?? 0) : v ?? 0);
      const S = storageOf(k.outputs[0].dtype, k.limits);
      k.dispatch({
        shader: 'unary',
        variant: int ? `${def.opType}-i32` : `${def.opType}${halfTag(S)}`,
        defines: int ? { ...def.defines, WG: UNARY_WG, EXPR: def.wgslInt!, INT: true, S: 'i32' } : { ...def.defines, WG: UNARY_WG, EXPR: def.wgsl, S },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: { n, alpha: param(a.alpha), beta: param(a.beta), gamma: param(a.gamma) },
        workgroups: grid(Math.ceil(n / UNARY_WG), k.limits),
      });
    },
  };
}
