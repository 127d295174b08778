// Math ops: elementwise unary math (through activation/unary.ts), broadcasting binary
// arithmetic (through binary.ts), comparisons and logic with bool results (compare.ts), the
// variadic Sum/Max/Min/Mean (variadic.ts), BatchNormalization, the reductions (reduce.ts) and
// ArgMax/ArgMin (arg-reduce.ts). One op per file.
import type { OpDef } from '../types.js';
import { Neg } from './neg.js';
import { Abs } from './abs.js';
import { Sqrt } from './sqrt.js';
import { Exp } from './exp.js';
import { Log } from './log.js';
import { Reciprocal } from './reciprocal.js';
import { Floor } from './floor.js';
import { Ceil } from './ceil.js';
import { Round } from './round.js';
import { Add } from './add.js';
import { Sub } from './sub.js';
import { Mul } from './mul.js';
import { Div } from './div.js';
import { Pow } from './pow.js';
import { BatchNormalization } from './batch-normalization.js';
import { ReduceMean } from './reduce-mean.js';
import { ReduceSum } from './reduce-sum.js';
import { ReduceMax } from './reduce-max.js';
import { ReduceMin } from './reduce-min.js';
import { ReduceProd } from './reduce-prod.js';
import { ReduceSumSquare } from './reduce-sum-square.js';
import { ReduceL1 } from './reduce-l1.js';
import { ReduceL2 } from './reduce-l2.js';
import { ReduceLogSum } from './reduce-log-sum.js';
import { Erf } from './erf.js';
import { Equal } from './equal.js';
import { Greater } from './greater.js';
import { Less } from './less.js';
import { GreaterOrEqual } from './greater-or-equal.js';
import { LessOrEqual } from './less-or-equal.js';
import { And } from './and.js';
import { Or } from './or.js';
import { Xor } from './xor.js';
import { Not } from './not.js';
import { Sum } from './sum.js';
import { Max } from './max.js';
import { Min } from './min.js';
import { Mean } from './mean.js';
import { ArgMax } from './arg-max.js';
import { ArgMin } from './arg-min.js';

export const mathOps: OpDef[] = [
  Neg, Abs, Sqrt, Exp, Log, Reciprocal, Floor, Ceil, Round,
  Add, Sub, Mul, Div, Pow,
  BatchNormalization,
  ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum,
  Erf,
  Equal, Greater, Less, GreaterOrEqual, LessOrEqual, And, Or, Xor, Not,
  Sum, Max, Min, Mean,
  ArgMax, ArgMin,
];
