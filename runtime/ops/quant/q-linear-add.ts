// QLinearAdd (onnxruntime contrib op, com.microsoft): C = quantize(dequantize(A) + dequantize(B))
// with numpy broadcasting, per-tensor scales and zero points.
// Computed in f32 exactly as onnxruntime's x86 MLAS kernel (MlasQLinearAddKernelAvx2Helper,
// onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp) does, because its rounding is not
// that of (A_scale/C_scale)·(A - A_zp) + (B_scale/C_scale)·(B - B_zp), rounded, + C_zp: it folds
// every zero point into one constant and rounds after adding C_zp, with rA = A_scale / C_scale,
// rB = B_scale / C_scale and F = C_zp - (rA·A_zp + rB·B_zp):
//   both operands varying: round(fma(A, rA, fma(B, rB, F)));
//   one constant over the broadcast span (onnxruntime then passes it as the "scalar" operand S
//   and the other as V): round(fma(V, rV, F + S·rS)).
// With a scale ratio of exactly 1/2 (a residual add whose output scale is the sum of equal input
// scales, common in PP-OCR) half of all results are ties, and rounding (A - A_zp)/2 instead of
// A/2 + (C_zp - A_zp/2 …) flips the even neighbour: measured 32768 of 65536 outputs one step off
// before this form, 0 after (tests/ops/quant-ms.test.ts).
import { eltwiseOp, type BroadcastSpan } from './eltwise.js';

const RA = '(sa / sc)';
const RB = '(sb / sc)';
const FIXED = `(f32(y_zp[0]) - (${RA} * f32(a_zp[0]) + ${RB} * f32(b_zp[0])))`;

function addExpr(span: BroadcastSpan): string {
  if (span === 'scalarB') return `fma(xa, ${RA}, ${FIXED} + xb * ${RB})`;
  if (span === 'scalarA') return `fma(xb, ${RB}, ${FIXED} + xa * ${RA})`;
  return `fma(xa, ${RA}, fma(xb, ${RB}, ${FIXED}))`;
}

export const QLinearAdd = eltwiseOp({ opType: 'QLinearAdd', binary: true, expr: addExpr, exprHasZp: true });
