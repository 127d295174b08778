// QLinearLeakyRelu (onnxruntime contrib op, com.microsoft): Y = quantize(leaky_relu(dequantize(X)))
// with attribute alpha (default 0.01, as LeakyRelu), per-tensor.
import { attrFloat } from '../attributes.js';
import { eltwiseOp } from './eltwise.js';

export const QLinearLeakyRelu = eltwiseOp<{ alpha: number }>({
  opType: 'QLinearLeakyRelu',
  binary: false,
  expr: 'select(alpha * (sa * da), sa * da, da >= 0.0) / sc',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 0.01) }),
  alpha: (a) => a.alpha,
});
