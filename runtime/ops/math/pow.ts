// Pow (ONNX opset 1/7/12/13/15): Z = X ^ Y with numpy broadcasting; the output has X's type.
// From opset 12 the exponent Y may have another numeric type than X (e.g. a float base with an
// int64 exponent, or an integer base with a float exponent, whose real power onnxruntime truncates
// toward zero into the base's type). Negative bases with integral exponents are real (C pow
// semantics); see pow_f32/pow_i32/pow_i32_f32 in shaders/binary.wgsl.
import { binaryOp } from './binary.js';

function powInt(x: number, e: number): number {
  if (e < 0) return x === 1 ? 1 : x === -1 ? (e % 2 ? -1 : 1) : 0;
  return Math.pow(x, e);
}

export const Pow = binaryOp({
  opType: 'Pow',
  wgsl: 'pow_f32(a, b)',
  wgslInt: 'pow_i32(a, b)',
  host: (a, b) => Math.pow(a, b),
  hostInt: powInt,
  mixedTypes: true,
  wgslMixed: (aInt) => (aInt ? 'pow_i32_f32(a, b)' : 'pow_f32(a, f32(b))'),
});
