// Activation ops (elementwise, unary). One op per file.
import { Relu } from './relu.js';

import type { OpDef } from "../types.js";

export const activationOps: OpDef[] = [Relu];
