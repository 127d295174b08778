// Activation ops: the elementwise unary activations (through unary.ts), PRelu, and Softmax /
// LogSoftmax (through softmax-base.ts). One op per file.
import type { OpDef } from '../types.js';
import { Relu } from './relu.js';
import { LeakyRelu } from './leaky-relu.js';
import { PRelu } from './prelu.js';
import { Elu } from './elu.js';
import { Selu } from './selu.js';
import { Sigmoid } from './sigmoid.js';
import { Tanh } from './tanh.js';
import { HardSigmoid } from './hard-sigmoid.js';
import { HardSwish } from './hard-swish.js';
import { Softplus } from './softplus.js';
import { Clip } from './clip.js';
import { Softmax } from './softmax.js';
import { LogSoftmax } from './log-softmax.js';

export const activationOps: OpDef[] = [Relu, LeakyRelu, PRelu, Elu, Selu, Sigmoid, Tanh, HardSigmoid, HardSwish, Softplus, Clip, Softmax, LogSoftmax];
