// Tensor and shape ops. One op per file; strided.ts and util.ts are shared helpers.
import type { OpDef } from '../types.js';
import { Cast } from './cast.js';
import { CastLike } from './cast-like.js';
import { Concat } from './concat.js';
import { Constant } from './constant.js';
import { ConstantOfShape } from './constant-of-shape.js';
import { Dropout } from './dropout.js';
import { Expand } from './expand.js';
import { Flatten } from './flatten.js';
import { Gather } from './gather.js';
import { Identity } from './identity.js';
import { Pad } from './pad.js';
import { Range } from './range.js';
import { Reshape } from './reshape.js';
import { Shape } from './shape.js';
import { Size } from './size.js';
import { Slice } from './slice.js';
import { Split } from './split.js';
import { Squeeze } from './squeeze.js';
import { Tile } from './tile.js';
import { Transpose } from './transpose.js';
import { Unsqueeze } from './unsqueeze.js';
import { Where } from './where.js';

export const tensorOps: OpDef[] = [
  Cast,
  CastLike,
  Concat,
  Constant,
  ConstantOfShape,
  Dropout,
  Expand,
  Flatten,
  Gather,
  Identity,
  Pad,
  Range,
  Reshape,
  Shape,
  Size,
  Slice,
  Split,
  Squeeze,
  Tile,
  Transpose,
  Unsqueeze,
  Where,
];
