// Helpers for host tensors: construction and reading as plain numbers.
import type { DType, HostData, HostTensor } from './types.js';
import { sizeOf } from './types.js';
import { roundToHalf } from './half.js';

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483647;

export function hostDataFor(dtype: DType, n: number): HostData {
  if (dtype === 'float32' || dtype === 'float16') return new Float32Array(n);
  if (dtype === 'float64') return new Float64Array(n);
  return new Int32Array(n);
}

/** A host tensor of `dtype`. float16 keeps its type, its values held in a Float32Array and
 * rounded to float16 (so constant folding yields what the GPU would store). */
export function makeHost(dtype: DType, dims: number[], values?: ArrayLike<number>): HostTensor {
  const data = hostDataFor(dtype, sizeOf(dims));
  if (values) {
    if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) data[i] = saturate(values[i]);
    else if (dtype === 'float16') for (let i = 0; i < data.length; i++) data[i] = roundToHalf(values[i]);
    else data.set(values);
  }
  return { dtype, dims: [...dims], data };
}

export function saturate(v: number): number {
  if (Number.isNaN(v)) return 0;
  if (v >= INT_MAX) return INT_MAX;
  if (v <= INT_MIN) return INT_MIN;
  return Math.trunc(v);
}

/** A 0-d or 1-d int tensor as a number[] (e.g. a Reshape shape, Slice starts). */
export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number>, Number);
}

export function scalarOf(t: HostTensor): number {
  return Number(t.data[0]);
}
