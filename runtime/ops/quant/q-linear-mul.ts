// QLinearMul (onnxruntime contrib op, com.microsoft): C = quantize(dequantize(A) * dequantize(B))
// with numpy broadcasting, per-tensor: (A_scale · B_scale / C_scale)·(A - A_zp)·(B - B_zp), rounded, + C_zp.
import { eltwiseOp } from './eltwise.js';

export const QLinearMul = eltwiseOp({ opType: 'QLinearMul', binary: true, expr: '(sa * sb / sc) * (da * db)' });
