// Shared machinery of the elementwise binary ops (Add, Sub, Mul, Div, Pow, and PRelu in
// activation/): numpy multidirectional broadcasting (ONNX Broadcasting.md), host evaluation for
// constant folding (integers too: PyTorch's shape arithmetic runs Mul/Div/Add on int64), and one
// dispatch of shaders/binary.wgsl with the op's WGSL expression of `a` and `b`.
import type { BufferRef, OpContext, OpDef, KernelBuilder, TypeShape } from '../types.js';
import type { DType, HostTensor } from '../../ir/types.js';
import { isFloat, sizeOf, stridesOf } from '../../ir/types.js';
import { makeHost, saturate } from '../../ir/host-tensor.js';
import { broadcastShapes } from '../attributes.js';
import { isIntegerType } from '../activation/unary.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, halfTag, storageOf } from '../../gpu/elements.js';
import { LimitError, ShapeError } from '../../errors.js';

export const BINARY_WG = 256;
/** Dims the shader's stride uniforms hold (array<vec4<u32>, 2>). */
export const BINARY_MAX_RANK = 8;

export interface BinaryDef {
  opType: string;
  /** WGSL expression of a and b (f32). */
  wgsl: string;
  /** The same on i32 (integer tensors); absent: float tensors only. */
  wgslInt?: string;
  /** Host version on floats (constant folding). */
  host: (a: number, b: number) => number;
  /** Host version on integers, where it differs from `host` (e.g. truncating division). */
  hostInt?: (a: number, b: number) => number;
  /** B may have another numeric type than A (Pow's exponent); the output has A's type. */
  mixedTypes?: boolean;
  /** With mixedTypes: the WGSL expression when one of A and B is float and the other integer
   * (a is then f32 and b i32, or a i32 and b f32, as `aInt` says). */
  wgslMixed?: (aInt: boolean) => string;
}

/** Strides of `shape` (right-aligned to `outShape`) in elements, 0 along broadcast dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : own[d - off]));
}

/** Drops size-1 output dims and merges adjacent dims that are contiguous in every operand
 * (stride[outer] == stride[inner] * size[inner]), so that the index arithmetic is short. */
export function coalesceDims(outShape: readonly number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const shape: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * outShape[d])) {
      shape[last] *= outShape[d];
      strides.forEach((s, k) => (st[k][last] = s[d]));
    } else {
      shape.push(outShape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  if (!shape.length) {
    shape.push(1);
    st.forEach((s) => s.push(0));
  }
  return { shape, strides: st };
}

/** y = f(a, b) on the host with broadcasting; the output takes a's dtype. */
export function hostBinary(a: HostTensor, aShape: number[], b: HostTensor, bShape: number[], outShape: number[], outType: DType, f: (x: number, y: number) => number): HostTensor {
  const y = makeHost(outType, outShape);
  const { shape, strides } = coalesceDims(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  const outStrides = stridesOf(shape);
  const int = y.data instanceof Int32Array;
  for (let i = 0; i < y.data.length; i++) {
    let rem = i;
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(rem / outStrides[d]);
      rem -= q * outStrides[d];
      ia += q * strides[0][d];
      ib += q * strides[1][d];
    }
    const v = f(Number(a.data[ia]), Number(b.data[ib]));
    y.data[i] = int ? saturate(v) : v;
  }
  return y;
}

export interface BinaryDispatch {
  opType: string;
  expr: string;
  /** a (and y, unless outType says otherwise) is i32 rather than f32. */
  int: boolean;
  bInt: boolean;
  aShape: readonly number[];
  bShape: readonly number[];
  outShape: readonly number[];
  /** WGSL type of y when it differs from a's: 'u32' for the bool results of comparisons. */
  outType?: 'f32' | 'i32' | 'u32';
  /** Buffers other than inputs 0 and 1 and output 0 (the variadic ops chain dispatches). */
  a?: BufferRef;
  b?: BufferRef;
  y?: BufferRef;
}

/** Emits one binary.wgsl dispatch: y (output 0, outShape) = expr(x0, x1) with broadcasting. */
export function dispatchBinary(k: KernelBuilder, o: BinaryDispatch): void {
  const n = sizeOf(o.outShape);
  const { shape, strides } = coalesceDims(o.outShape, [broadcastStrides(o.aShape, o.outShape), broadcastStrides(o.bShape, o.outShape)]);
  if (shape.length > BINARY_MAX_RANK) {
    throw new LimitError(`${shape.length} non-mergeable broadcast dims, the kernel handles ${BINARY_MAX_RANK}`, {
      op: k.node.opType,
      node: k.node.name,
      shapes: { A: o.aShape, B: o.bShape },
    });
  }
  const same = shape.length === 1 && strides[0][0] === 1 && strides[1][0] === 1;
  // Storage types (runtime/gpu/elements.ts); the expression computes in f32 / i32 / u32.
  const float = (i: number, out = false) => storageOf(out ? k.outputs[i].dtype : k.inputs[i]!.dtype, k.limits);
  const T = o.int ? 'i32' : float(0);
  const TB = o.bInt ? 'i32' : float(1);
  const TY = o.outType ?? (o.int ? 'i32' : float(0, true));
  k.dispatch({
    shader: 'binary',
    variant: `${o.opType}${o.int ? '-i32' : halfTag(T)}${same ? '' : '-broadcast'}`,
    defines: { WG: BINARY_WG, T, TB, TY, C: computeOf(T), CB: computeOf(TB), CY: computeOf(TY), EXPR: o.expr, SAME: same },
    bindings: { x0: o.a ?? k.input(0), x1: o.b ?? k.input(1), y: o.y ?? k.output(0) },
    uniforms: { n, rank: shape.length, out_strides: stridesOf(shape), a_strides: strides[0], b_strides: strides[1] },
    workgroups: grid(Math.ceil(n / BINARY_WG), k.limits),
  });
}

function checkType(ctx: OpContext, d: DType, intOk: boolean, what: string): void {
  if (isFloat(d) || (intOk && isIntegerType(d))) return;
  throw new ShapeError(`input ${what} has type ${d}, which this op does not support`, { op: ctx.node.opType, node: ctx.node.name });
}

export function binaryOp(def: BinaryDef): OpDef<Record<string, never>> {
  const intOk = def.wgslInt !== undefined;
  return {
    opType: def.opType,
    float16: true,
    packedF16: true,
    // Opset < 7 forms had `broadcast`/`axis` attributes (limited broadcasting of B); the models
    // Fovea targets use opset >= 7 numpy broadcasting, which is what infer implements.
    parse: (ctx) => {
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
      checkType(ctx, a.dtype, intOk, 'A');
      checkType(ctx, b.dtype, intOk, 'B');
      if (!def.mixedTypes && a.dtype !== b.dtype) {
        throw new ShapeError(`inputs have different types ${a.dtype} and ${b.dtype}`, { op: ctx.node.opType, node: ctx.node.name, shapes: { A: a.shape, B: b.shape } });
      }
      return [{ dtype: a.dtype, shape: broadcastShapes(ctx.node, a.shape, b.shape) }];
    },
    cpu: (inputs, _a, ctx) => {
      const [a, b] = [inputs[0]!, inputs[1]!];
      const out = broadcastShapes(ctx.node, a.dims, b.dims);
      const int = !isFloat(a.dtype);
      return [hostBinary(a, a.dims, b, b.dims, out, a.dtype, int && def.hostInt ? def.hostInt : def.host)];
    },
    gpu(k) {
      const [a, b] = k.inputs as TypeShape[];
      const int = !isFloat(a.dtype);
      const bInt = !isFloat(b.dtype);
      let expr = int ? def.wgslInt! : def.wgsl;
      if (bInt !== int) {
        // Only mixedTypes ops get here (infer rejects the rest).
        if (!def.wgslMixed) throw new ShapeError(`a ${a.dtype} A with a ${b.dtype} B is not supported`, { op: k.node.opType, node: k.node.name });
        expr = def.wgslMixed(int);
      }
      dispatchBinary(k, { opType: def.opType, expr, int, bInt, aShape: a.shape, bShape: b.shape, outShape: k.outputs[0].shape });
    },
  };
}
