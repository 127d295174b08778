// Activation ops (elementwise, unary). One op per file.
import { Relu } from './relu.js';

export const activationOps = [Relu];
