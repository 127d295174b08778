// QLinearSigmoid (onnxruntime contrib op, com.microsoft): Y = quantize(sigmoid(dequantize(X))),
// per-tensor (inputs X, X_scale, X_zero_point, Y_scale, Y_zero_point).
import { eltwiseOp } from './eltwise.js';

export const QLinearSigmoid = eltwiseOp({ opType: 'QLinearSigmoid', binary: false, expr: '(1.0 / (1.0 + exp(-(sa * da)))) / sc' });
