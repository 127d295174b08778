// How each logical element type is stored on the GPU, in one place below the ops, the planner
// and the executor. Floats: f32, or f16 (2 bytes) for float16 values where the device has the
// 'shader-f16' feature (WebGPU spec §"shader-f16"; WGSL `enable f16;`). Without it a float16
// value is p16: the same 2-byte layout, two per 32-bit word, read with unpack2x16float and
// written with pack2x16float (WGSL builtins every device has), computed in f32 — half the memory
// and bandwidth on every device. Where a graph holds an op whose kernels have no p16 form
// (OpDef.packedF16), its float16 values are stored as f32 instead, holding f16-representable
// numbers (Cast rounds through pack2x16float), so results match the f16 path. Integers are i32
// (int64 saturated, 8- and 16-bit values widened), bool u32 0/1.
import type { DType } from '../ir/types.js';
import { isFloat } from '../ir/types.js';

/** A WGSL storage element type. */
export type StorageType = 'f32' | 'f16' | 'p16' | 'i32' | 'u32';

/** What element storage depends on: whether f16 storage is available (KernelLimits.shaderF16). */
export interface ElementContext {
  readonly shaderF16: boolean;
  /** Without shader-f16: float16 values packed two per word (p16) rather than widened to f32. */
  readonly packedF16?: boolean;
}

export function storageOf(dtype: DType, ctx: ElementContext): StorageType {
  if (dtype === 'float16') return ctx.shaderF16 ? 'f16' : ctx.packedF16 ? 'p16' : 'f32';
  if (isFloat(dtype)) return 'f32';
  if (dtype === 'bool') return 'u32';
  return 'i32';
}

/** Storage holding float16 bits, 2 bytes an element (f16, or p16 packed in words). */
export function isHalfStorage(s: StorageType): boolean {
  return s === 'f16' || s === 'p16';
}

export function elementBytes(dtype: DType, ctx: ElementContext): number {
  return isHalfStorage(storageOf(dtype, ctx)) ? 2 : 4;
}

/** Bytes of `n` elements, rounded up to WebGPU's 4-byte granularity for buffer sizes, copies and
 * storage bindings. */
export function storageBytes(dtype: DType, n: number, ctx: ElementContext): number {
  return Math.ceil((n * elementBytes(dtype, ctx)) / 4) * 4;
}

/** The element type a data-movement kernel (copy, gather, pad, select) moves elements of `dtype`
 * as: f16 or p16 where they are stored so, else 4-byte words (u32), copied bitwise. */
export function moveType(dtype: DType, ctx: ElementContext): 'f16' | 'p16' | 'u32' {
  const s = storageOf(dtype, ctx);
  return isHalfStorage(s) ? (s as 'f16' | 'p16') : 'u32';
}

/** The type a kernel computes a storage type's values in: f16 and p16 values are loaded as f32
 * (arithmetic in f32, rounded once when stored), the rest as they are. */
export function computeOf(s: StorageType): 'f32' | 'i32' | 'u32' {
  return isHalfStorage(s) ? 'f32' : (s as 'f32' | 'i32' | 'u32');
}

/** The variant-name tag of a float storage: '' for f32, `${sep}f16` or `${sep}p16` (kernel
 * variants name their element storage; tests check which ran). */
export function halfTag(s: StorageType, sep = '-'): string {
  return isHalfStorage(s) ? `${sep}${s}` : '';
}
