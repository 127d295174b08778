// A strided copy between two flat buffers, shared by Transpose, Slice, Concat, Split and Expand:
// for every coordinate c of a box of shape `shape`,
//   dst[dstOffset + Σ c[d]·dstStrides[d]] = src[srcOffset + Σ c[d]·srcStrides[d]]
// (strides in elements; source strides may be negative or zero). The same description runs on
// the host (constant folding) and on the GPU (shaders/strided-copy.wgsl).
import { halfTag, moveType } from '../../gpu/elements.js';
import type { HostData, Node } from '../../ir/types.js';
import type { BufferRef, KernelBuilder } from '../types.js';
import { grid } from '../../gpu/plan.js';
import { fail } from './util.js';

export interface StridedBox {
  shape: number[];
  srcOffset: number;
  srcStrides: number[];
  dstOffset: number;
  dstStrides: number[];
}

/** The uniform arrays of strided-copy.wgsl hold this many dims. */
export const MAX_COPY_RANK = 8;
export const COPY_WG = 256;

/** Drops size-1 dims and merges neighbours whose strides make them one dim in both buffers
 * (e.g. the untouched trailing dims of a Slice, or runs of broadcast dims with stride 0). */
export function coalesce(b: StridedBox): StridedBox {
  const shape: number[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  for (let d = 0; d < b.shape.length; d++) {
    const n = b.shape[d];
    if (n === 1) continue;
    const last = shape.length - 1;
    // Outer dim `last` followed by dim d merges when stepping `last` once equals stepping d n times.
    if (last >= 0 && src[last] === b.srcStrides[d] * n && dst[last] === b.dstStrides[d] * n) {
      shape[last] *= n;
      src[last] = b.srcStrides[d];
      dst[last] = b.dstStrides[d];
    } else {
      shape.push(n);
      src.push(b.srcStrides[d]);
      dst.push(b.dstStrides[d]);
    }
  }
  return { shape, srcOffset: b.srcOffset, srcStrides: src, dstOffset: b.dstOffset, dstStrides: dst };
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Host version (constant folding): same arithmetic as the kernel. */
export function stridedCopyHost(src: HostData, dst: HostData, box: StridedBox): void {
  const b = coalesce(box);
  const n = count(b.shape);
  const rank = b.shape.length;
  for (let i = 0; i < n; i++) {
    let rem = i;
    let s = b.srcOffset;
    let t = b.dstOffset;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rem % b.shape[d];
      rem = Math.floor(rem / b.shape[d]);
      s += c * b.srcStrides[d];
      t += c * b.dstStrides[d];
    }
    dst[t] = src[s];
  }
}

/** One dispatch of strided-copy.wgsl (none for an empty box). */
export function stridedCopyGpu(k: KernelBuilder, src: BufferRef, dst: BufferRef, box: StridedBox, variant: string): void {
  const b = coalesce(box);
  const n = count(b.shape);
  if (n === 0) return;
  if (b.shape.length > MAX_COPY_RANK) tooManyDims(k.node, b.shape);
  const pad = (xs: number[], v: number) => [...xs, ...new Array<number>(MAX_COPY_RANK - xs.length).fill(v)];
  // Elements move as they are stored: 2-byte f16 or p16 (float16), else 4-byte words (f32, i32,
  // bool as u32) copied bitwise.
  const E = moveType(k.inputs[0]!.dtype, k.limits);
  k.dispatch({
    shader: 'strided-copy',
    variant: `${variant}${halfTag(E, ' ')}`,
    defines: { WG: COPY_WG, E },
    bindings: { src, dst },
    uniforms: {
      n,
      rank: b.shape.length,
      src_offset: b.srcOffset,
      dst_offset: b.dstOffset,
      shape: pad(b.shape, 1),
      src_strides: pad(b.srcStrides, 0),
      dst_strides: pad(b.dstStrides, 0),
    },
    workgroups: grid(Math.ceil(n / COPY_WG), k.limits),
  });
}

function tooManyDims(node: Node, shape: number[]): never {
  fail(node, `the copy has ${shape.length} dims that cannot be merged (at most ${MAX_COPY_RANK})`, { box: shape });
}
