// Shared machinery of the variadic elementwise ops Sum, Max, Min and Mean (ONNX opset 6/8/12/13):
// any number of inputs (at least one) with numpy multidirectional broadcasting since opset 8.
// The output has the broadcast shape of all inputs. On the GPU the inputs are folded pairwise
// with shaders/binary.wgsl: y = f(x0, x1), then y' = f(y, x2), … — every step writes the full
// output shape, alternating between the output buffer and one scratch buffer so that the last
// step lands in the output (a storage buffer cannot be read and written by one dispatch).
// Mean sums and divides by the input count in the last step. A single input is copied.
import type { OpContext, OpDef, TypeShape, BufferRef } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { broadcastShapes } from '../attributes.js';
import { isIntegerType } from '../activation/unary.js';
import { dispatchBinary, hostBinary } from './binary.js';
import { stridedCopyGpu } from '../tensor/strided.js';
import { BYTES_PER_ELEMENT } from '../../gpu/plan.js';
import { ShapeError } from '../../errors.js';

export interface VariadicDef {
  opType: string;
  /** WGSL expression of a and b (f32). */
  wgsl: string;
  /** The same on i32; absent: float tensors only. */
  wgslInt?: string;
  host: (a: number, b: number) => number;
  /** Divide the sum by the number of inputs (Mean). */
  mean?: boolean;
}

function present(inputs: (TypeShape | undefined)[], ctx: OpContext): TypeShape[] {
  if (!inputs.length || inputs.some((x) => !x)) throw new ShapeError('every input must be given (at least one)', { op: ctx.node.opType, node: ctx.node.name });
  return inputs as TypeShape[];
}

/** A float literal for WGSL (the input count of Mean). */
function f32Literal(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export function variadicOp(def: VariadicDef): OpDef<Record<string, never>> {
  return {
    opType: def.opType,
    float16: true,
    packedF16: true,
    parse: () => ({}),
    infer: (inputs, _a, ctx) => {
      const xs = present(inputs, ctx);
      const dtype = xs[0].dtype;
      if (!isFloat(dtype) && !(def.wgslInt && isIntegerType(dtype))) {
        throw new ShapeError(`input type ${dtype} is not supported`, { op: ctx.node.opType, node: ctx.node.name, hint: def.wgslInt ? 'numeric tensors are supported' : 'this op takes float tensors' });
      }
      if (xs.some((x) => x.dtype !== dtype)) throw new ShapeError(`inputs have different types (${xs.map((x) => x.dtype).join(', ')})`, { op: ctx.node.opType, node: ctx.node.name });
      return [{ dtype, shape: broadcastShapes(ctx.node, ...xs.map((x) => x.shape)) }];
    },
    cpu: (inputs, _a, ctx) => {
      const xs = inputs as HostTensor[];
      const out = broadcastShapes(ctx.node, ...xs.map((x) => x.dims));
      const n = xs.length;
      // Start from x0 broadcast to the output shape (f(x0, 0) would not do for Max/Min).
      let acc = hostBinary(xs[0], xs[0].dims, xs[0], xs[0].dims, out, xs[0].dtype, (a) => a);
      for (let i = 1; i < n; i++) acc = hostBinary(acc, out, xs[i], xs[i].dims, out, acc.dtype, def.host);
      if (def.mean) for (let i = 0; i < acc.data.length; i++) acc.data[i] /= n;
      return [acc];
    },
    gpu(k) {
      const xs = k.inputs as TypeShape[];
      const out = k.outputs[0].shape;
      const n = xs.length;
      if (n === 1) {
        // Sum/Max/Min/Mean of one tensor is that tensor (same shape).
        stridedCopyGpu(k, k.input(0), k.output(0), { shape: [sizeOf(out)], srcOffset: 0, srcStrides: [1], dstOffset: 0, dstStrides: [1] }, `${def.opType}-copy`);
        return;
      }
      const int = !isFloat(xs[0].dtype);
      const steps = n - 1;
      const scratch: BufferRef | undefined = steps > 1 ? k.scratch(sizeOf(out) * BYTES_PER_ELEMENT) : undefined;
      let prev: BufferRef = k.input(0);
      let prevShape: readonly number[] = xs[0].shape;
      for (let s = 0; s < steps; s++) {
        // Counted back from the last step, even steps write the output.
        const target = (steps - 1 - s) % 2 === 0 ? k.output(0) : scratch!;
        let expr = int ? def.wgslInt! : def.wgsl;
        if (def.mean && s === steps - 1) expr = `(${expr}) / ${f32Literal(n)}`;
        dispatchBinary(k, { opType: def.opType, expr, int, bInt: int, aShape: prevShape, bShape: xs[s + 1].shape, outShape: out, a: prev, b: k.input(s + 1), y: target });
        prev = target;
        prevShape = out;
      }
    },
  };
}
