// The fused-activation epilogue of Conv, Gemm and MatMul. A fused activation is an attribute of
// the producing node, not a new op: the fuse-activations pass (runtime/passes/fuse-activations.ts)
// sets
//   `fovea.activation`        the ONNX op name of the activation ('Relu', 'Clip', …, and 'Silu'
//                             for the x * Sigmoid(x) pattern, which ONNX has no single op for);
//   `fovea.activation_params` its float parameters, in the order the table below lists
//                             (Clip: [min, max]; LeakyRelu/Elu: [alpha]; HardSigmoid: [alpha, beta];
//                             Selu: [alpha, gamma]); absent or empty for parameterless ones.
// This table maps the pair to the WGSL expression of `v` that the kernels evaluate. The
// expressions are the unary op files' own (exported there), so each exists once and a fused
// activation computes exactly what the standalone op does.
// Parameters reach the kernel as the uniforms act_alpha / act_beta / act_gamma (see
// shaders/epilogue.wgsl), not as literals: every Clip range, LeakyRelu slope… shares one pipeline
// per activation kind, and only the expression (a define) is part of the pipeline cache key.
// Model files are untrusted and may carry these attributes themselves: an unknown name, or a
// parameter list of the wrong length, is a ShapeError; nothing from the file reaches WGSL text.
import type { HostTensor, Node } from '../../ir/types.js';
import type { OpContext, OpDef } from '../types.js';
import type { UnaryParams } from './unary.js';
import { attrFloats, attrString } from '../attributes.js';
import { ShapeError } from '../../errors.js';
import { Relu, RELU_WGSL } from './relu.js';
import { Clip, CLIP_WGSL } from './clip.js';
import { LeakyRelu, LEAKY_RELU_WGSL } from './leaky-relu.js';
import { Sigmoid, SIGMOID_WGSL } from './sigmoid.js';
import { HardSigmoid, HARD_SIGMOID_WGSL } from './hard-sigmoid.js';
import { HardSwish, HARD_SWISH_WGSL } from './hard-swish.js';
import { Tanh, TANH_WGSL } from './tanh.js';
import { Elu, ELU_WGSL } from './elu.js';
import { Selu, SELU_WGSL } from './selu.js';
import { Softplus, SOFTPLUS_WGSL } from './softplus.js';

import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR } from '../../ir/fovea-attributes.js';
export { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR };

/** The unary op files' parameter slots (UnaryParams), in the order of `fovea.activation_params`. */
export type ParamSlot = 'alpha' | 'beta' | 'gamma';

interface EpilogueEntry {
  /** WGSL expression of v (f32) and alpha, beta, gamma. */
  wgsl: string;
  /** Which of alpha/beta/gamma the parameters fill, in order. */
  params: readonly ParamSlot[];
  /** The same function on the host (constant folding of a node that carries the attribute). */
  host: (x: HostTensor, p: UnaryParams, ctx: OpContext) => HostTensor;
}

/** The host version of a unary op: its own cpu(). */
function hostOf(op: OpDef<UnaryParams>): EpilogueEntry['host'] {
  return (x, p, ctx) => op.cpu!([x], p, ctx)[0];
}

function entry(op: OpDef<UnaryParams>, wgsl: string, params: readonly ParamSlot[]): EpilogueEntry {
  return { wgsl, params, host: hostOf(op) };
}

/** Every activation the epilogue can apply, by the name the attribute carries. */
export const EPILOGUE_ACTIVATIONS: Readonly<Record<string, EpilogueEntry>> = {
  Relu: entry(Relu, RELU_WGSL, []),
  Clip: entry(Clip, CLIP_WGSL, ['alpha', 'beta']),
  LeakyRelu: entry(LeakyRelu, LEAKY_RELU_WGSL, ['alpha']),
  Sigmoid: entry(Sigmoid, SIGMOID_WGSL, []),
  HardSigmoid: entry(HardSigmoid, HARD_SIGMOID_WGSL, ['alpha', 'beta']),
  HardSwish: entry(HardSwish, HARD_SWISH_WGSL, []),
  Tanh: entry(Tanh, TANH_WGSL, []),
  Elu: entry(Elu, ELU_WGSL, ['alpha']),
  Selu: entry(Selu, SELU_WGSL, ['alpha', 'gamma']),
  Softplus: entry(Softplus, SOFTPLUS_WGSL, []),
  // x * sigmoid(x) (SiLU / Swish), the Mul(x, Sigmoid(x)) pattern of YOLO and EfficientNet exports.
  Silu: {
    wgsl: `v * (${SIGMOID_WGSL})`,
    params: [],
    host: (x, p, ctx) => {
      const s = hostOf(Sigmoid)(x, p, ctx);
      for (let i = 0; i < s.data.length; i++) s.data[i] *= x.data[i];
      return s;
    },
  },
};

/** A resolved epilogue: the expression (compile-time define) and its parameters (uniforms). */
export interface Epilogue {
  /** The activation's name ('' for none). */
  name: string;
  /** WGSL expression of v; 'v' (identity) without an activation. */
  wgsl: string;
  alpha: number;
  beta: number;
  gamma: number;
}

export const NO_EPILOGUE: Epilogue = { name: '', wgsl: 'v', alpha: 0, beta: 0, gamma: 0 };

/** Whether `name` is an activation the epilogue can apply. */
export function isEpilogueActivation(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(EPILOGUE_ACTIVATIONS, name);
}

/** The epilogue a node's attributes ask for (NO_EPILOGUE without `fovea.activation`). */
export function parseEpilogue(node: Node): Epilogue {
  const name = attrString(node, ACTIVATION_ATTR, '');
  const params = attrFloats(node, ACTIVATION_PARAMS_ATTR, []) ?? [];
  const fail = (msg: string): never => {
    throw new ShapeError(msg, { op: node.opType, node: node.name, hint: `attribute "${ACTIVATION_ATTR}" is set by Fovea's fusion passes` });
  };
  if (name === '') {
    if (params.length) fail(`"${ACTIVATION_PARAMS_ATTR}" is given without "${ACTIVATION_ATTR}"`);
    return NO_EPILOGUE;
  }
  if (!isEpilogueActivation(name)) fail(`unknown fused activation "${name}" (known: ${Object.keys(EPILOGUE_ACTIVATIONS).join(', ')})`);
  const entry = EPILOGUE_ACTIVATIONS[name];
  if (params.length !== entry.params.length) {
    fail(`fused activation ${name} takes ${entry.params.length} parameter(s) [${entry.params.join(', ')}], got ${params.length}`);
  }
  const e: Epilogue = { name, wgsl: entry.wgsl, alpha: 0, beta: 0, gamma: 0 };
  entry.params.forEach((slot, i) => {
    e[slot] = params[i];
  });
  return e;
}

/** Applies an epilogue on the host (Gemm/MatMul folding on constant inputs). */
export function applyEpilogueHost(e: Epilogue, x: HostTensor, ctx: OpContext): HostTensor {
  if (!e.name) return x;
  return EPILOGUE_ACTIVATIONS[e.name].host(x, { alpha: e.alpha, beta: e.beta, gamma: e.gamma }, ctx);
}

/** The uniforms of shaders/epilogue.wgsl for an epilogue. */
export function epilogueUniforms(e: Epilogue): { act_alpha: number; act_beta: number; act_gamma: number } {
  return { act_alpha: e.alpha, act_beta: e.beta, act_gamma: e.gamma };
}
