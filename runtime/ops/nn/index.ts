// nn ops. One op per file.
import type { OpDef } from '../types.js';
import { AveragePool } from './average-pool.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
import { GlobalAveragePool } from './global-average-pool.js';
import { GlobalMaxPool } from './global-max-pool.js';
import { LRN } from './lrn.js';
import { MaxPool } from './max-pool.js';

export const nnOps: OpDef[] = [AveragePool, Conv, ConvTranspose, GlobalAveragePool, GlobalMaxPool, LRN, MaxPool];
