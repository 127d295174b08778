// Image ops of the CNN families (segmentation, super-resolution, OCR, detection heads):
// Resize/Upsample (through interpolate.ts), DepthToSpace/SpaceToDepth, InstanceNormalization,
// LpPool/GlobalLpPool and MaxUnpool. One op per file.
import type { OpDef } from '../types.js';
import { Resize } from './resize.js';
import { Upsample } from './upsample.js';
import { DepthToSpace } from './depth-to-space.js';
import { SpaceToDepth } from './space-to-depth.js';
import { InstanceNormalization } from './instance-normalization.js';
import { LpPool } from './lp-pool.js';
import { GlobalLpPool } from './global-lp-pool.js';
import { MaxUnpool } from './max-unpool.js';

export const imageOps: OpDef[] = [Resize, Upsample, DepthToSpace, SpaceToDepth, InstanceNormalization, LpPool, GlobalLpPool, MaxUnpool];
