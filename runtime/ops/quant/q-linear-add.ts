// QLinearAdd (onnxruntime contrib op, com.microsoft): C = quantize(dequantize(A) + dequantize(B))
// with numpy broadcasting, per-tensor scales and zero points. Computed as onnxruntime's MLAS
// kernel does: (A_scale / C_scale)·(A - A_zp) + (B_scale / C_scale)·(B - B_zp), rounded, + C_zp.
import { eltwiseOp } from './eltwise.js';

export const QLinearAdd = eltwiseOp({ opType: 'QLinearAdd', binary: true, expr: '(sa / sc) * da + (sb / sc) * db' });
