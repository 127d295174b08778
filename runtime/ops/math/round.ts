// Round (ONNX opset 11): each float element to the nearest integer, halves to the nearest even
// integer (the spec's "round half to even", numpy.round). WGSL's round() is specified the same
// way (WGSL §17.5 round: "when e is halfway between k and k+1, the result is the even one"); the
// host fold uses roundEven from the quant helpers. Spec: https://onnx.ai/onnx/operators/onnx__Round.html
import { unaryOp } from '../activation/unary.js';
import { roundEven } from '../quant/util.js';

export const Round = unaryOp({ opType: 'Round', wgsl: 'round(v)', host: (v) => roundEven(v) });
