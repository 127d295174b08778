// LeakyRelu (ONNX opset 1/6/16): y = x for x >= 0, alpha * x otherwise; alpha defaults to 0.01.
// Opset 1 also had the legacy `consumed_inputs` attribute, which carries no meaning here.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

export const LeakyRelu = unaryOp({
  opType: 'LeakyRelu',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 0.01) }),
  wgsl: 'select(alpha * v, v, v >= 0.0)',
  host: (v, a) => (v >= 0 ? v : a.alpha! * v),
});
