// math ops. One op per file.
import type { OpDef } from '../types.js';

export const mathOps: OpDef[] = [];
