// Shared shape of MaxPool and AveragePool (ONNX operator spec): a kernel_shape window with
// strides, pads, auto_pad, dilations and ceil_mode over the spatial dims of a 1-D, 2-D or 3-D
// input (rank 3, 4 or 5), one dispatch of shaders/pool.wgsl (which is 3-D: 1-D and 2-D pools run
// with leading spatial dims of size 1). MaxPool also takes integer tensors and may write its
// Indices output from the same dispatch.
import type { DType, Node } from '../../ir/types.js';
import type { BufferRef, KernelBuilder, OpContext, OpDef, TypeShape } from '../types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { halfTag, storageOf } from '../../gpu/elements.js';
import { ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { padWindow, parseWindowAttrs, resolveWindow, spatialPadded, type Window, type WindowAttrs } from './window.js';

export interface PoolAttrs {
  window: WindowAttrs;
  kernel: number[];
}

const POOL_WG = 64;
/** Spatial dims of the kernel (shaders/pool.wgsl). */
const POOL_RANK = 3;

/** The lowest value of each integer element type MaxPool takes: a max over no taps (a window
 * entirely in the padding) gives it, as onnxruntime's numeric_limits<T>::lowest() does. */
const INT_LOWEST: Partial<Record<DType, string>> = { uint8: '0', int8: '-128', int32: '-2147483647 - 1' };

function fail(node: Node, msg: string, inputs: (TypeShape | undefined)[]): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes: { X: inputs[0]?.shape } });
}

export function parsePoolWindow(ctx: OpContext): PoolAttrs {
  const window = parseWindowAttrs(ctx.node);
  if (!window.kernelShape) throw new ShapeError('kernel_shape is required', { op: ctx.node.opType, node: ctx.node.name });
  return { window, kernel: window.kernelShape };
}

/** Resolves the window; `dtypes` are the input element types the op takes. */
export function resolvePool(node: Node, inputs: (TypeShape | undefined)[], a: PoolAttrs, dtypes: readonly DType[] = ['float32', 'float16']): Window {
  const x = inputs[0];
  if (!x) fail(node, 'input X is required', inputs);
  const rank = x.shape.length;
  if (rank < 3 || rank > 2 + POOL_RANK) fail(node, `${node.opType} runs on 1-D, 2-D and 3-D inputs (rank 3 to 5), got rank ${rank}`, inputs);
  if (!dtypes.includes(x.dtype)) fail(node, `${node.opType} takes ${dtypes.join(', ')} inputs, got ${x.dtype}`, inputs);
  return resolveWindow(node, a.window, x.shape.slice(2), a.kernel);
}

/** Builds the OpDef of a pool; `defines` adds the op's own shader defines (MAX, COUNT_INCLUDE_PAD). */
export function poolOp<A extends PoolAttrs>(def: {
  opType: string;
  parse: (ctx: OpContext) => A;
  /** Input element types (float32 and float16 unless the op says more). */
  dtypes?: readonly DType[];
  /** Extra validation of the node. */
  check?: (node: Node, a: A) => void;
  /** The optional second output (MaxPool's Indices): its element type. */
  indices?: DType;
  defines: (a: A) => Record<string, boolean>;
  variant: string;
  /** Takes int8 / uint8 values packed four per word (MaxPool: compares, never rounds). */
  packedInt8?: boolean;
}): OpDef<A> {
  return {
    opType: def.opType,
    float16: true,
    packedF16: true,
    packedInt8: def.packedInt8,
    parse: def.parse,
    infer(inputs, a, ctx) {
      def.check?.(ctx.node, a);
      const win = resolvePool(ctx.node, inputs, a, def.dtypes);
      const x = inputs[0]!;
      const shape = [x.shape[0], x.shape[1], ...win.out];
      const out: TypeShape[] = [{ dtype: x.dtype, shape }];
      if (def.indices && ctx.node.outputs.length > 1) out.push({ dtype: def.indices, shape: [...shape] });
      return out;
    },
    gpu(k: KernelBuilder, a: A) {
      const x = k.inputs[0]!;
      const win = padWindow(resolvePool(k.node, k.inputs, a, def.dtypes), POOL_RANK);
      const total = sizeOf(k.outputs[0].shape);
      if (total === 0) return;
      const int = !isFloat(x.dtype);
      const S = storageOf(x.dtype, k.limits);
      const indices = def.indices !== undefined && !!k.node.outputs[1];
      const bindings: Record<string, BufferRef> = { x: k.input(0), y: k.output(0) };
      if (indices) bindings.ind = k.output(1);
      const pad4 = (v: number[]) => [...v, 0];
      k.dispatch({
        shader: 'pool',
        variant: `${def.variant}${int ? `-${S}` : halfTag(S)}${indices ? '-indices' : ''}`,
        defines: {
          WG: POOL_WG,
          T: S,
          C: int ? 'i32' : 'f32',
          LOWEST: int ? INT_LOWEST[x.dtype]! : 'bitcast<f32>(0xff7fffffu)',
          INDICES: indices,
          ...def.defines(a),
        },
        bindings,
        uniforms: {
          total,
          in_size: pad4(spatialPadded(x.shape, POOL_RANK)),
          out_size: pad4(win.out),
          kernel: pad4(win.kernel),
          stride: pad4(win.strides),
          pad_begin: pad4(win.padsBegin),
          pad_end: pad4(win.padsEnd),
          dilation: pad4(win.dilations),
        },
        workgroups: grid(Math.ceil(total / POOL_WG), k.limits),
      });
    },
  };
}
