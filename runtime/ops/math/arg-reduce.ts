// Shared machinery of ArgMax and ArgMin (ONNX opset 1/11/12/13): the index of the largest
// (smallest) element along `axis` (default 0, negative counts from the back since opset 11),
// as int64; keepdims (default 1) keeps the reduced axis with size 1. select_last_index
// (opset 12, default 0) picks the last of tied elements instead of the first.
// GPU: shaders/arg-reduce.wgsl, one invocation per output, or one workgroup per output for long
// axes (forceAlgorithm 'argreduce-thread' / 'argreduce-workgroup' pick one).
import type { OpDef } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { attrInt, normAxis } from '../attributes.js';
import { isIntegerType } from '../activation/unary.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, halfTag, storageOf } from '../../gpu/elements.js';
import { ShapeError } from '../../errors.js';

export interface ArgAttrs {
  axis: number;
  keepdims: boolean;
  last: boolean;
}

const WG_THREAD = 64;
const WG_OUTPUT = 128;
/** Axes at least this long get a workgroup per output. */
const WORKGROUP_MIN_LEN = 256;

function split(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), len: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

export function argReduceOp(opType: 'ArgMax' | 'ArgMin'): OpDef<ArgAttrs> {
  const max = opType === 'ArgMax';
  return {
    opType,
    variants: ['argreduce-thread', 'argreduce-workgroup'],
    float16: true,
    packedF16: true,
    parse: (ctx) => ({
      axis: attrInt(ctx.node, 'axis', 0),
      keepdims: attrInt(ctx.node, 'keepdims', 1) !== 0,
      last: attrInt(ctx.node, 'select_last_index', 0) !== 0,
    }),
    infer: (inputs, a, ctx) => {
      const x = inputs[0];
      if (!x) throw new ShapeError('input "data" is required', { op: ctx.node.opType, node: ctx.node.name });
      if (!isFloat(x.dtype) && !isIntegerType(x.dtype)) throw new ShapeError(`input type ${x.dtype} is not supported`, { op: ctx.node.opType, node: ctx.node.name });
      const axis = normAxis(ctx.node, a.axis, x.shape.length);
      if (x.shape[axis] === 0) throw new ShapeError(`axis ${a.axis} is empty: there is no ${max ? 'largest' : 'smallest'} element`, { op: ctx.node.opType, node: ctx.node.name, shapes: { data: x.shape } });
      const shape = a.keepdims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
      return [{ dtype: 'int64', shape }];
    },
    cpu: (inputs, a, ctx) => {
      const x = inputs[0] as HostTensor;
      const axis = normAxis(ctx.node, a.axis, x.dims.length);
      const { outer, len, inner } = split(x.dims, axis);
      const shape = a.keepdims ? x.dims.map((d, i) => (i === axis ? 1 : d)) : x.dims.filter((_, i) => i !== axis);
      const y = makeHost('int64', shape);
      for (let p = 0; p < outer; p++) {
        for (let q = 0; q < inner; q++) {
          const base = p * len * inner + q;
          let best = Number(x.data[base]);
          let bj = 0;
          for (let j = 1; j < len; j++) {
            const v = Number(x.data[base + j * inner]);
            if ((max ? v > best : v < best) || (a.last && v === best)) {
              best = v;
              bj = j;
            }
          }
          y.data[p * inner + q] = bj;
        }
      }
      return [y];
    },
    gpu(k, a) {
      const x = k.inputs[0]!;
      const axis = normAxis(k.node, a.axis, x.shape.length);
      const { outer, len, inner } = split(x.shape, axis);
      const outputs = outer * inner;
      const forced = k.options.forceAlgorithm;
      const workgroup = forced === 'argreduce-workgroup' ? true : forced === 'argreduce-thread' ? false : len >= WORKGROUP_MIN_LEN;
      const wg = workgroup ? WG_OUTPUT : WG_THREAD;
      const int = !isFloat(x.dtype);
      // float16 values compare in f32 (exactly their order).
      const S = int ? 'i32' : storageOf(x.dtype, k.limits);
      k.dispatch({
        shader: 'arg-reduce',
        variant: `${opType}${int ? '-i32' : halfTag(S)}-${workgroup ? 'workgroup' : 'thread'}`,
        defines: { WG: wg, S, T: computeOf(S), CMP: max ? '>' : '<', LAST: a.last, WORKGROUP: workgroup },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: { outputs, len, inner },
        workgroups: grid(workgroup ? outputs : Math.ceil(outputs / wg), k.limits),
      });
    },
  };
}
