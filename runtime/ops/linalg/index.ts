// Linear algebra ops (Gemm, MatMul). One op per file; both lower to the GEMM of gemm-kernel.ts.
import type { OpDef } from '../types.js';
import { Gemm } from './gemm.js';
import { MatMul } from './mat-mul.js';

export const linalgOps: OpDef[] = [Gemm, MatMul];
