// Shared parts of QuantizeLinear and DequantizeLinear (ONNX opsets 10, 13, 19, 21):
// attributes (axis from 13, saturate from 19 — it only changes float8 targets, which Fovea does
// not have, so it is accepted and ignored —, block_size and output_dtype from 21), the
// per-tensor / per-axis resolution of scale and zero point against x, and the one dispatch of
// shaders/quant-linear.wgsl.
import type { KernelBuilder, OpContext, TypeShape } from '../types.js';
import type { DType, HostTensor, Node } from '../../ir/types.js';
import { isFloat, sizeOf } from '../../ir/types.js';
import { attrInt, normAxis } from '../attributes.js';
import { grid } from '../../gpu/plan.js';
import { halfTag, isHalfStorage, storageOf } from '../../gpu/elements.js';
import { checkQParams, fail, isScalarLike, unsupportedForm, zpBuffer } from './util.js';

export const QLINEAR_WG = 256;

export interface QLinearAttrs {
  /** Raw axis attribute (default 1); per-axis when the scale is 1-D with more than one element. */
  axis: number;
  /** Opset 21 output_dtype (QuantizeLinear) when given, else undefined. */
  outputDtype?: DType;
}

/** TensorProto.DataType codes of the 8-bit targets (onnx.proto). */
const CODES: Record<number, DType> = { 2: 'uint8', 3: 'int8' };

export function parseQLinear(ctx: OpContext): QLinearAttrs {
  const n = ctx.node;
  // Opset 21: block_size != 0 is blocked quantization (scale of x's rank, one entry per block).
  if (attrInt(n, 'block_size', 0) !== 0) unsupportedForm(n, 'blocked quantization (block_size != 0)');
  const code = attrInt(n, 'output_dtype', 0);
  if (code !== 0 && !CODES[code]) unsupportedForm(n, `output_dtype ${code} (Fovea quantizes to int8 and uint8)`);
  return { axis: ctx.opset >= 13 ? attrInt(n, 'axis', 1) : 1, outputDtype: CODES[code] };
}

/** Scale types by opset: float16 scales from opset 19 (the spec's T1/T2 gain float16 there). */
function scaleTypes(opset: number): DType[] {
  return opset >= 19 ? ['float32', 'float16'] : ['float32'];
}

/** Per-axis layout of the scale against x: channels and inner size (channels 1: per-tensor). */
export function layoutOf(node: Node, opset: number, x: TypeShape, scale: TypeShape, zp: TypeShape | undefined, axis: number): { channels: number; inner: number } {
  const types = { zpTypes: ['int8', 'uint8', 'int32'] as DType[], scaleTypes: scaleTypes(opset) };
  if (isScalarLike(scale.shape)) {
    checkQParams(node, scale, zp, 'y', types);
    return { channels: 1, inner: Math.max(1, sizeOf(x.shape)) };
  }
  if (opset < 13) fail(node, 'opset < 13 has per-tensor quantization only: the scale must be a scalar', { scale: scale.shape });
  const a = normAxis(node, axis, x.shape.length);
  checkQParams(node, scale, zp, 'y', { channels: x.shape[a], ...types });
  return { channels: x.shape[a], inner: sizeOf(x.shape.slice(a + 1)) };
}

function typeShape(t: HostTensor | undefined): TypeShape | undefined {
  return t && { dtype: t.dtype, shape: t.dims };
}

/** Host version of the kernel (constant folding, e.g. DequantizeLinear of int8 weights). */
export function hostQLinear(ctx: OpContext, inputs: (HostTensor | undefined)[], axis: number, f: (x: number, s: number, z: number) => number, out: HostTensor): HostTensor {
  const [x, s, z] = inputs;
  const { channels, inner } = layoutOf(ctx.node, ctx.opset, typeShape(x)!, typeShape(s)!, typeShape(z), axis);
  for (let i = 0; i < out.data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out.data[i] = f(x!.data[i], s!.data[c], z ? z.data[c] : 0);
  }
  return out;
}

export function dispatchQLinear(k: KernelBuilder, axis: number, quantize: boolean): void {
  const [x, scale, zp] = k.inputs;
  const n = sizeOf(x!.shape);
  if (n === 0) return;
  // infer() has checked the opset rules (a 1-D scale from opset 13, float16 from 19).
  const { channels, inner } = layoutOf(k.node, 21, x!, scale!, zp, axis);
  const yType = k.outputs[0].dtype;
  const [qmin, qmax] = yType === 'int8' ? [-128, 127] : [0, 255];
  // Every tensor in its storage: f32, f16 / p16 for float16 values stored so (arithmetic in f32),
  // i32, or i8 / u8 for 8-bit values packed four per word (arithmetic in i32).
  const TX = storageOf(x!.dtype, k.limits);
  const TS = storageOf(scale!.dtype, k.limits);
  const TY = storageOf(yType, k.limits);
  const half = [TX, TS, TY].find(isHalfStorage) ?? 'f32';
  k.dispatch({
    shader: 'quant-linear',
    variant: `${quantize ? `quantize-${yType}` : `dequantize-${x!.dtype}`}${halfTag(half)}`,
    defines: { WG: QLINEAR_WG, QUANTIZE: quantize, TX, TS, TY, QMIN: qmin, QMAX: qmax },
    bindings: { x: k.input(0), scale: k.input(1), zp: zpBuffer(k, 2, 'zero-point', channels), y: k.output(0) },
    uniforms: { n, inner, channels },
    workgroups: grid(Math.ceil(n / QLINEAR_WG), k.limits),
  });
}
