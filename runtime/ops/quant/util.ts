// Helpers shared by the int8 quantized ops: the 8-bit types, validation of scale / zero-point
// inputs (ShapeError at load, from infer()), the GPU buffers of optional zero points, and host
// rounding that matches the kernels (ONNX QuantizeLinear: round half to even, then saturate).
import type { DType, Node } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import type { BufferRef, KernelBuilder, TypeShape } from '../types.js';
import { fail } from '../tensor/util.js';
import { UnsupportedOpError } from '../../errors.js';
import { storageOf } from '../../gpu/elements.js';

export { fail };

export type Q8 = 'int8' | 'uint8';

export function isQ8(d: DType | undefined): d is Q8 {
  return d === 'int8' || d === 'uint8';
}

/** [min, max] of an 8-bit type. */
export function qRange(d: Q8): [number, number] {
  return d === 'int8' ? [-128, 127] : [0, 255];
}

/** Round half to even (std::nearbyint in the default rounding mode; WGSL round() does the same). */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A typed error for a form of the op Fovea does not implement (listed like a missing op). */
export function unsupportedForm(node: Node, what: string): never {
  const e = new UnsupportedOpError([{ op: node.opType, domain: node.domain, nodes: [node.name] }], `${what} is not supported`);
  // UnsupportedOpError's constructor takes no op/node details; with them, shape inference passes
  // the error on as it is instead of wrapping it in a ShapeError (runtime/passes/infer-shapes.ts).
  throw Object.assign(e, { op: node.opType, node: node.name });
}

/** Requires input i (named `what`) to be present. */
export function need(node: Node, inputs: (TypeShape | undefined)[], i: number, what: string): TypeShape {
  const t = inputs[i];
  if (!t) fail(node, `input ${i} ("${what}") is required`);
  return t;
}

/** A per-tensor scale or zero point: a scalar or a 1-element 1-D tensor (ONNX QuantizeLinear-10 and
 * the QLinear* ops' activations). */
export function isScalarLike(shape: readonly number[]): boolean {
  return shape.length <= 1 && sizeOf(shape) === 1;
}

/** Checks a scale (float32) and its optional zero point (8-bit, or `zpTypes`): both per-tensor, or
 * both 1-D of `channels` elements when `channels` is given (per-axis / per-output-channel). */
export function checkQParams(
  node: Node,
  scale: TypeShape | undefined,
  zp: TypeShape | undefined,
  what: string,
  opts: { channels?: number; zpTypes?: readonly DType[]; scaleless?: boolean; scaleTypes?: readonly DType[] } = {},
): void {
  const zpTypes = opts.zpTypes ?? ['int8', 'uint8'];
  const scaleTypes = opts.scaleTypes ?? ['float32'];
  if (!opts.scaleless) {
    if (!scale) fail(node, `${what}_scale is required`);
    if (!scaleTypes.includes(scale.dtype)) fail(node, `${what}_scale has type ${scale.dtype}; Fovea supports ${scaleTypes.join(' and ')} scales here`);
  }
  if (zp && !zpTypes.includes(zp.dtype)) fail(node, `${what}_zero_point has type ${zp.dtype}, expected one of ${zpTypes.join(', ')}`);
  for (const [name, t] of [['scale', scale], ['zero_point', zp]] as const) {
    if (!t) continue;
    const ok = isScalarLike(t.shape) || (opts.channels !== undefined && t.shape.length === 1 && t.shape[0] === opts.channels);
    if (!ok) {
      const want = opts.channels !== undefined ? `a scalar or 1-D of ${opts.channels} elements` : 'a scalar (per-tensor)';
      fail(node, `${what}_${name} must be ${want}`, { [`${what}_${name}`]: t.shape });
    }
  }
  if (scale && zp && sizeOf(scale.shape) !== sizeOf(zp.shape)) {
    fail(node, `${what}_scale and ${what}_zero_point have different shapes`, { scale: scale.shape, zero_point: zp.shape });
  }
}

/** Zero point input i as `n` i32 (the kernels read zero points as array<i32>): a constant (the
 * usual case) uploaded widened at create; one computed on the GPU (a DynamicQuantizeLinear's)
 * bound as it is where 8-bit values are i32, else widened from its packed bytes by one small
 * dispatch; an absent optional one, zeros. */
export function zpBuffer(k: KernelBuilder, i: number, key: string, n = 1): BufferRef {
  const t = k.inputs[i];
  if (!t) return k.weight(key, new Int32Array(Math.max(1, n)));
  const c = k.constant(i);
  if (c) return k.weight(key, Int32Array.from(c.data));
  const TX = storageOf(t.dtype, k.limits);
  if (TX === 'i32') return k.input(i);
  const count = sizeOf(t.shape);
  const y = k.scratch(Math.max(1, count) * 4);
  k.dispatch({
    shader: 'cast',
    variant: `widen-${key}`,
    defines: { WG: 64, TX, TY: 'i32', EXPR: 'v', F16: false },
    bindings: { x: k.input(i), y },
    uniforms: { n: count },
    workgroups: [Math.ceil(count / 64)],
  });
  return y;
}

