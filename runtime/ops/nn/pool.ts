// Shared shape of MaxPool and AveragePool (ONNX operator spec): a kernel_shape window with
// strides, pads, auto_pad, dilations and ceil_mode over the spatial dims of a 1-D or 2-D input
// (rank 3 or 4), one dispatch of shaders/pool2d.wgsl (a 1-D pool runs with a height of 1).
import type { Node } from '../../ir/types.js';
import type { KernelBuilder, OpContext, OpDef, TypeShape } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { ShapeError } from '../../errors.js';
import { grid } from '../../gpu/plan.js';
import { as2d, parseWindowAttrs, resolveWindow, spatial2d, type Window, type WindowAttrs } from './window.js';

export interface PoolAttrs {
  window: WindowAttrs;
  kernel: number[];
}

const POOL_WG = 64;

function fail(node: Node, msg: string, inputs: (TypeShape | undefined)[]): never {
  throw new ShapeError(msg, { op: node.opType, node: node.name, shapes: { X: inputs[0]?.shape } });
}

export function parsePoolWindow(ctx: OpContext): PoolAttrs {
  const window = parseWindowAttrs(ctx.node);
  if (!window.kernelShape) throw new ShapeError('kernel_shape is required', { op: ctx.node.opType, node: ctx.node.name });
  return { window, kernel: window.kernelShape };
}

export function resolvePool(node: Node, inputs: (TypeShape | undefined)[], a: PoolAttrs): Window {
  const x = inputs[0]!;
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) fail(node, `${node.opType} runs on 1-D and 2-D inputs (rank 3 or 4), got rank ${rank}`, inputs);
  if (x.dtype !== 'float32') fail(node, `${node.opType} needs a float32 input, got ${x.dtype}`, inputs);
  return resolveWindow(node, a.window, x.shape.slice(2), a.kernel);
}

/** Builds the OpDef of a pool; `defines` adds the op's own shader defines (MAX, COUNT_INCLUDE_PAD). */
export function poolOp<A extends PoolAttrs>(def: {
  opType: string;
  parse: (ctx: OpContext) => A;
  /** Extra validation of the node (e.g. unsupported optional outputs). */
  check?: (node: Node, a: A) => void;
  defines: (a: A) => Record<string, boolean>;
  variant: string;
}): OpDef<A> {
  return {
    opType: def.opType,
    parse: def.parse,
    infer(inputs, a, ctx) {
      def.check?.(ctx.node, a);
      const win = resolvePool(ctx.node, inputs, a);
      const x = inputs[0]!;
      return [{ dtype: 'float32', shape: [x.shape[0], x.shape[1], ...win.out] }];
    },
    gpu(k: KernelBuilder, a: A) {
      const x = k.inputs[0]!;
      const win = as2d(resolvePool(k.node, k.inputs, a));
      const [H, W] = spatial2d(x.shape);
      const [OH, OW] = win.out;
      const total = sizeOf(k.outputs[0].shape);
      if (total === 0) return;
      k.dispatch({
        shader: 'pool2d',
        variant: def.variant,
        defines: { WG: POOL_WG, ...def.defines(a) },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: {
          total,
          H,
          W,
          OH,
          OW,
          KH: win.kernel[0],
          KW: win.kernel[1],
          stride_h: win.strides[0],
          stride_w: win.strides[1],
          pad_h: win.padsBegin[0],
          pad_w: win.padsBegin[1],
          pad_h_end: win.padsEnd[0],
          pad_w_end: win.padsEnd[1],
          dil_h: win.dilations[0],
          dil_w: win.dilations[1],
        },
        workgroups: grid(Math.ceil(total / POOL_WG), k.limits),
      });
    },
  };
}
