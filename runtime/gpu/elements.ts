// How each logical element type is stored on the GPU, in one place below the ops, the planner
// and the executor. Floats: f32, or f16 (2 bytes) for float16 values where the device has the
// 'shader-f16' feature (WebGPU spec §"shader-f16"; WGSL `enable f16;`). Without it a float16
// value is p16: the same 2-byte layout, two per 32-bit word, read with unpack2x16float and
// written with pack2x16float (WGSL builtins every device has), computed in f32 — half the memory
// and bandwidth on every device. Where a graph holds an op whose kernels have no p16 form
// (OpDef.packedF16), its float16 values are stored as f32 instead, holding f16-representable
// numbers (Cast rounds through pack2x16float), so results match the f16 path. int8 and uint8
// values are i8 / u8: packed four per 32-bit word (byte i%4 of word i/4, little-endian as the
// host's Int8Array / Uint8Array), read with extractBits (sign-extended for i8) and computed in
// i32 — a quarter of the memory and bandwidth of i32, which is what lets a quantized U-Net's
// 64-channel 1024x1024 maps fit a 128 MiB binding. Where a graph holds an op whose kernels have
// no packed 8-bit form (OpDef.packedInt8), its 8-bit values are widened to i32 instead. Other
// integers are i32 (int64 saturated, 16-bit values widened), bool u32 0/1.
import type { DType } from '../ir/types.js';
import { isFloat } from '../ir/types.js';

/** A WGSL storage element type. */
export type StorageType = 'f32' | 'f16' | 'p16' | 'i8' | 'u8' | 'i32' | 'u32';

/** What element storage depends on: whether f16 storage is available (KernelLimits.shaderF16). */
export interface ElementContext {
  readonly shaderF16: boolean;
  /** Without shader-f16: float16 values packed two per word (p16) rather than widened to f32. */
  readonly packedF16?: boolean;
  /** int8 / uint8 values packed four per word (i8 / u8) rather than widened to i32. */
  readonly packedInt8?: boolean;
}

export function storageOf(dtype: DType, ctx: ElementContext): StorageType {
  if (dtype === 'float16') return ctx.shaderF16 ? 'f16' : ctx.packedF16 ? 'p16' : 'f32';
  if (isFloat(dtype)) return 'f32';
  if (dtype === 'bool') return 'u32';
  if (ctx.packedInt8 && dtype === 'int8') return 'i8';
  if (ctx.packedInt8 && dtype === 'uint8') return 'u8';
  return 'i32';
}

/** Storage holding float16 bits, 2 bytes an element (f16, or p16 packed in words). */
export function isHalfStorage(s: StorageType): boolean {
  return s === 'f16' || s === 'p16';
}

/** Storage holding 8-bit integers, four to a word (i8, u8). */
export function isByteStorage(s: StorageType): boolean {
  return s === 'i8' || s === 'u8';
}

export function elementBytes(dtype: DType, ctx: ElementContext): number {
  const s = storageOf(dtype, ctx);
  return isHalfStorage(s) ? 2 : isByteStorage(s) ? 1 : 4;
}

/** Bytes of `n` elements, rounded up to WebGPU's 4-byte granularity for buffer sizes, copies and
 * storage bindings. */
export function storageBytes(dtype: DType, n: number, ctx: ElementContext): number {
  return Math.ceil((n * elementBytes(dtype, ctx)) / 4) * 4;
}

/** The element type a data-movement kernel (copy, gather, pad, select) moves elements of `dtype`
 * as: f16, p16, i8 or u8 where they are stored so, else 4-byte words (u32), copied bitwise. */
export function moveType(dtype: DType, ctx: ElementContext): 'f16' | 'p16' | 'i8' | 'u8' | 'u32' {
  const s = storageOf(dtype, ctx);
  return isHalfStorage(s) || isByteStorage(s) ? (s as 'f16' | 'p16' | 'i8' | 'u8') : 'u32';
}

/** The type a kernel computes a storage type's values in: f16 and p16 values are loaded as f32
 * (arithmetic in f32, rounded once when stored), i8 and u8 as i32, the rest as they are. */
export function computeOf(s: StorageType): 'f32' | 'i32' | 'u32' {
  return isHalfStorage(s) ? 'f32' : isByteStorage(s) ? 'i32' : (s as 'f32' | 'i32' | 'u32');
}

/** The variant-name tag of a float storage: '' for f32, `${sep}f16` or `${sep}p16` (kernel
 * variants name their element storage; tests check which ran). */
export function halfTag(s: StorageType, sep = '-'): string {
  return isHalfStorage(s) ? `${sep}${s}` : '';
}
