// Linear algebra ops (Gemm, MatMul). One op per file.
import type { OpDef } from '../types.js';

export const linalgOps: OpDef[] = [];
