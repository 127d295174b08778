// Registers every op. Each family lists its op files in its own index.
import { registerOp } from './registry.js';
import { activationOps } from './activation/index.js';
import { mathOps } from './math/index.js';
import { linalgOps } from './linalg/index.js';
import { nnOps } from './nn/index.js';
import { tensorOps } from './tensor/index.js';
import { imageOps } from './image/index.js';
import { quantOps } from './quant/index.js';

for (const op of [...activationOps, ...mathOps, ...linalgOps, ...nnOps, ...tensorOps, ...imageOps, ...quantOps]) registerOp(op);
