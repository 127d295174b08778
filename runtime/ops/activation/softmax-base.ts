// Shared by Softmax and LogSoftmax (ONNX opset 1/11/13), which differ only in the final step.
// Opset < 13: the input is coerced to 2D [prod(dims[:axis]), prod(dims[axis:])] and the softmax
// runs over each row of that matrix (axis defaults to 1). Opset >= 13: it runs along the single
// dim `axis` (default -1). Both are the [outer, n, inner] view of shaders/softmax.wgsl: the
// opset < 13 form has inner = 1.
import { halfTag, storageOf } from '../../gpu/elements.js';
import type { OpContext, OpDef } from '../types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { attrInt, normAxis } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { ShapeError } from '../../errors.js';

export interface SoftmaxAttrs {
  axis: number;
  /** Opset < 13: coerce to 2D at axis. */
  coerce2d: boolean;
}

const WG_ROW = 128;
const WG_THREAD = 64;
/** Rows at least this long get a workgroup each; shorter ones one invocation each. */
const WORKGROUP_MIN_N = 64;

/** [outer, n, inner] of x for the softmax axis. */
function view(shape: readonly number[], a: SoftmaxAttrs, ctx: Pick<OpContext, 'node'>): [number, number, number] {
  const axis = normAxis(ctx.node, a.axis, shape.length);
  const outer = sizeOf(shape.slice(0, axis));
  if (a.coerce2d) return [outer, sizeOf(shape.slice(axis)), 1];
  return [outer, shape[axis], sizeOf(shape.slice(axis + 1))];
}

export function softmaxOp(opType: 'Softmax' | 'LogSoftmax', log: boolean): OpDef<SoftmaxAttrs> {
  return {
    opType,
    variants: ['softmax-workgroup', 'softmax-thread'],
    float16: true,
    packedF16: true,
    parse: (ctx) => {
      const coerce2d = ctx.opset < 13;
      return { axis: attrInt(ctx.node, 'axis', coerce2d ? 1 : -1), coerce2d };
    },
    infer: (inputs, a, ctx) => {
      const x = inputs[0];
      if (!x) throw new ShapeError('input is required', { op: ctx.node.opType, node: ctx.node.name });
      if (!isFloat(x.dtype)) throw new ShapeError(`input type ${x.dtype} is not supported (float tensors only)`, { op: ctx.node.opType, node: ctx.node.name });
      view(x.shape, a, ctx);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    gpu(k, a) {
      const [outer, n, inner] = view(k.inputs[0]!.shape, a, k);
      const rows = outer * inner;
      const forced = k.options.forceAlgorithm;
      const workgroup = forced === 'softmax-workgroup' ? true : forced === 'softmax-thread' ? false : n >= WORKGROUP_MIN_N;
      const wg = workgroup ? WG_ROW : WG_THREAD;
      const S = storageOf(k.inputs[0]!.dtype, k.limits);
      k.dispatch({
        shader: 'softmax',
        variant: `${opType}-${workgroup ? 'workgroup' : 'thread'}${halfTag(S)}`,
        defines: { WG: wg, WORKGROUP: workgroup, LOG: log, S },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: { rows, n, inner },
        workgroups: grid(workgroup ? rows : Math.ceil(rows / wg), k.limits),
      });
    },
  };
}
