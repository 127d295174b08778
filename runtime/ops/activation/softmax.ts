// Softmax (ONNX opset 1/11/13): y = exp(x - max) / sum(exp(x - max)) along `axis`; see
// softmax-base.ts for the opset < 13 (coerce to 2D) and opset >= 13 (single axis) forms.
import { softmaxOp } from './softmax-base.js';

export const Softmax = softmaxOp('Softmax', false);
