// The GEMM both Gemm and MatMul lower to (shaders/gemm.wgsl): tile-shape choice, batching, and
// the splitting of operands larger than the device's storage-binding limit.
//
// Splitting: WebGPU caps one storage binding at limits.maxStorageBufferBindingSize (128 MiB on
// lavapipe and SwiftShader), while a classifier weight such as VGG-16's fc6 (25088 x 4096 floats,
// 411 MB) is far larger. The product is separable by rows of A' and by columns of B', so an
// oversized operand is cut into chunks that each fit, and one dispatch per (row chunk, column
// chunk) writes its block of Y through the global m0/n0 offsets (Y itself is bound whole).
// - Constant operand: cut on the host and uploaded as separate weights (each also ≤ maxBufferSize);
//   a chunk whose elements are not contiguous in the ONNX layout (B [K, N] by columns, A^T [K, M]
//   by columns) is re-laid out into its own dense [K, n] / [K, m] block.
// - Runtime operand: only contiguous chunks are possible (A [M, K] by rows, B^T [N, K] by rows);
//   they are bindings of the one buffer at 256-byte aligned offsets (WebGPU's largest allowed
//   minStorageBufferOffsetAlignment). Anything else is refused with a LimitError naming the fix.
import type { BufferRef, KernelBuilder } from '../types.js';
import type { HostData } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { grid } from '../../gpu/plan.js';
import { elementBytes, halfTag, storageOf, type StorageType } from '../../gpu/elements.js';
import { LimitError } from '../../errors.js';
import { NO_EPILOGUE, epilogueUniforms, type Epilogue } from '../activation/epilogue.js';

export interface GemmOperand {
  /** The node input holding the operand. */
  input: number;
  /** A' = A^T (A stored [K, M]) / B' = B^T (B stored [N, K]). */
  trans: boolean;
}

export interface GemmBatch {
  /** Output batch dims, outermost first. */
  dims: number[];
  /** Element stride of each batch dim in A and in B (0 where that operand is broadcast). */
  aStrides: number[];
  bStrides: number[];
}

export interface GemmSpec {
  M: number;
  N: number;
  K: number;
  a: GemmOperand;
  b: GemmOperand;
  /** i32 arithmetic (integer tensors) instead of f32. */
  integer: boolean;
  /** Batched product (MatMul with batch dims); absent for a single matrix product. */
  batch?: GemmBatch;
  /** Y = alpha * A'B' (Gemm; a uniform, so every alpha shares one pipeline); absent: 1. Float only. */
  alpha?: number;
  /** Bias beta * C, C read at row * rowStride + col * colStride (0 strides broadcast). */
  c?: { input: number; rowStride: number; colStride: number; beta: number };
  /** Fused activation applied to every output element last (float only); absent: none. */
  epilogue?: Epilogue;
}

interface Tiling {
  name: string;
  /** Invocations per workgroup along N and M. */
  WX: number;
  WY: number;
  /** Register tile per invocation (rows x columns) and the K depth staged per step. */
  TM: number;
  TN: number;
  TK: number;
}

/** The kernel variants, by the name `forceAlgorithm` selects. */
export const GEMM_ALGORITHMS = ['gemm-tiled', 'gemm-skinny', 'gemm-gemv'] as const;

/** The general case: 64 x 64 blocks, 8 x 8 per invocation of an 8 x 8 workgroup (8 KiB of
 * workgroup memory). On lavapipe this does about twice the work per CPU-second of 4 x 4 per
 * invocation in 16 x 16 (bench/gemm.ts): twice the multiply-adds per staged value loaded. */
const TILED: Tiling = { name: 'gemm-tiled', WX: 8, WY: 8, TM: 8, TN: 8, TK: 16 };

/** Few rows (batch-1 classifier heads): a 32 x 1 workgroup (one warp) covers 128 columns and
 * only as many rows as there are (rounded up to a power of two), so no work is spent on absent
 * rows; B is still staged with coalesced loads, for transB=1 too. */
function skinny(M: number): Tiling {
  const TM = M <= 1 ? 1 : M <= 2 ? 2 : M <= 4 ? 4 : 8;
  return { name: 'gemm-skinny', WX: 32, WY: 1, TM, TN: 4, TK: 16 };
}

/** Largest M that the skinny variant is chosen for. */
const SKINNY_MAX_M = 8;

function chooseTiling(k: KernelBuilder, M: number): Tiling {
  const forced = k.options.forceAlgorithm;
  if (forced === 'gemm-tiled') return TILED;
  if (forced === 'gemm-skinny') return skinny(Math.min(M, SKINNY_MAX_M));
  return M <= SKINNY_MAX_M ? skinny(M) : TILED;
}

/** Offsets of storage bindings must be multiples of minStorageBufferOffsetAlignment, which WebGPU
 * caps at 256 bytes; using 256 is valid on every device. */
const OFFSET_ALIGN_BYTES = 256;

interface Chunk {
  start: number;
  size: number;
  ref: BufferRef;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The common chunk length (the last may be shorter) for `total` slices of `sliceBytes` each, so
 * that a chunk is at most `limitBytes`, a multiple of `align` slices, and, when that costs nothing,
 * a multiple of `prefer` (the kernel's block size: no partly filled blocks at chunk seams).
 * Chunks are balanced rather than greedy. Undefined when not even `align` slices fit.
 */
function chunkLength(total: number, sliceBytes: number, limitBytes: number, align: number, prefer: number): number | undefined {
  const max = Math.floor(limitBytes / sliceBytes);
  if (max < align) return undefined;
  const both = (align * prefer) / gcd(align, prefer);
  const unit = max >= both ? both : align;
  const maxAligned = max - (max % unit);
  const count = Math.ceil(total / maxAligned);
  return Math.ceil(Math.ceil(total / count) / unit) * unit;
}

function toGpu(data: HostData, integer: boolean): Float32Array | Int32Array {
  if (integer) return data instanceof Int32Array ? data : Int32Array.from(data);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Columns [c0, c0 + n) of a row-major [rows, cols] matrix, as a dense [rows, n] matrix. */
function sliceColumns(data: Float32Array | Int32Array, rows: number, cols: number, c0: number, n: number): Float32Array | Int32Array {
  const out = data instanceof Int32Array ? new Int32Array(rows * n) : new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + c0, r * cols + c0 + n), r * n);
  return out;
}

/**
 * Chunks of an operand along its output dimension (rows of A', columns of B'), `extent` long,
 * each binding at most the storage-binding limit. `contiguous`: whether a slice along that
 * dimension is a contiguous run of K elements in the ONNX layout.
 */
function splitOperand(k: KernelBuilder, spec: GemmSpec, which: 'A' | 'B', extent: number, prefer: number): Chunk[] {
  const op = which === 'A' ? spec.a : spec.b;
  const K = spec.K;
  const limit = k.limits.maxStorageBufferBindingSize;
  const eb = valueBytes(k, spec);
  const bytes = extent * K * eb;
  if (bytes <= limit) return [{ start: 0, size: extent, ref: k.input(op.input) }];

  const dim = which === 'A' ? 'M' : 'N';
  const shapes = { [which]: k.inputs[op.input]?.shape };
  const sliceBytes = K * eb;
  // A [M, K] is split by rows contiguously; so is B^T stored [N, K]. A^T [K, M] and B [K, N] are not.
  const contiguous = which === 'A' ? !op.trans : op.trans;
  const tooDeep = () =>
    new LimitError(`${which} binds ${bytes} bytes, above maxStorageBufferBindingSize ${limit}, and one of its ${dim}-slices (K = ${K}) alone is too large`, {
      op: k.node.opType,
      node: k.node.name,
      shapes,
      hint: 'splitting along K is not supported; use a device with a larger maxStorageBufferBindingSize',
    });

  const constant = k.constant(op.input);
  const chunks: Chunk[] = [];
  if (constant) {
    const len = chunkLength(extent, sliceBytes, Math.min(limit, k.limits.maxBufferSize), 1, prefer);
    if (len === undefined) throw tooDeep();
    const data = toGpu(constant.data, spec.integer);
    for (let start = 0, i = 0; start < extent; start += len, i++) {
      const size = Math.min(len, extent - start);
      const part = contiguous ? data.subarray(start * K, (start + size) * K) : sliceColumns(data, K, extent, start, size);
      chunks.push({ start, size, ref: k.weight(`${which}${i}`, part, k.inputs[op.input]!.dtype) });
    }
    return chunks;
  }
  if (!contiguous) {
    throw new LimitError(`${which} (computed at run time) binds ${bytes} bytes, above maxStorageBufferBindingSize ${limit}`, {
      op: k.node.opType,
      node: k.node.name,
      shapes,
      hint:
        which === 'A'
          ? 'a run-time A with transA=1 cannot be split by rows; feed A untransposed (transA=0) or use a device with larger limits'
          : 'a run-time B with transB=0 cannot be split by columns; make B a constant initializer, use transB=1, or use a device with larger limits',
    });
  }
  // Chunk starts at multiples of 256 bytes: `align` slices of K elements.
  const alignElems = OFFSET_ALIGN_BYTES / eb;
  const align = alignElems / gcd(K, alignElems);
  const len = chunkLength(extent, sliceBytes, limit, align, prefer);
  if (len === undefined) throw tooDeep();
  const whole = k.input(op.input);
  for (let start = 0; start < extent; start += len) {
    const size = Math.min(len, extent - start);
    chunks.push({ start, size, ref: { id: whole.id, offset: (whole.offset ?? 0) + start * sliceBytes, size: size * sliceBytes } });
  }
  return chunks;
}

/** Bytes of one element of the product's values (A, B, C and Y share one type). */
function valueBytes(k: KernelBuilder, spec: GemmSpec): number {
  return spec.integer ? 4 : elementBytes(k.outputs[0].dtype, k.limits);
}

/** Rows and columns per invocation of shaders/gemv.wgsl, and its workgroup size. */
const GEMV_MAX_M = 4;
const GEMV_R = 8;
const GEMV_WG = 64;

/**
 * Whether a single float product runs as shaders/gemv.wgsl: at most GEMV_MAX_M rows, A' = A
 * ([M, K] row-major), B' = B^T stored [N, K] (PyTorch's Linear), K a multiple of 4 (vec4 rows),
 * A within one binding; forceAlgorithm 'gemm-gemv', or by default on software adapters, where it
 * was measured 7-8.5x faster than 'gemm-skinny' on classifier heads at batch 1 (lavapipe, GPU
 * time: ResNet-50's 2048 -> 1000 8.3 -> 0.98 ms, MobileNetV2's 1280 -> 1000 4.7 -> 0.66 ms).
 * Elsewhere (GPUs, unmeasured here) 'gemm-skinny' stays.
 */
function gemvApplies(k: KernelBuilder, spec: GemmSpec): boolean {
  const forced = k.options.forceAlgorithm;
  if (forced === 'gemm-tiled' || forced === 'gemm-skinny') return false;
  if (forced !== 'gemm-gemv' && !k.limits.softwareAdapter) return false;
  const aBytes = spec.M * spec.K * valueBytes(k, spec);
  return !spec.integer && spec.M <= GEMV_MAX_M && !spec.a.trans && spec.b.trans && spec.K % 4 === 0 && aBytes <= k.limits.maxStorageBufferBindingSize;
}

function emitGemv(k: KernelBuilder, spec: GemmSpec, base: Record<string, string | boolean> & { S: StorageType }, common: Record<string, number>, cBinding: Record<string, BufferRef>): void {
  const MR = spec.M <= 1 ? 1 : spec.M <= 2 ? 2 : 4;
  const bChunks = splitOperand(k, spec, 'B', spec.N, GEMV_R * GEMV_WG);
  for (const bn of bChunks) {
    const invocations = Math.ceil(bn.size / GEMV_R);
    k.dispatch({
      shader: 'gemv',
      variant: `gemm-gemv${bChunks.length > 1 ? ' split' : ''}${halfTag(base.S, ' ')}`,
      defines: { HAS_C: base.HAS_C, ACTIVATION: base.ACTIVATION, R: GEMV_R, MR, WG: GEMV_WG, S: base.S },
      bindings: { a: k.input(spec.a.input), b: bn.ref, y: k.output(0), ...cBinding },
      uniforms: {
        M: spec.M,
        N: bn.size,
        K4: spec.K / 4,
        ldy: common.ldy,
        m0: 0,
        n0: bn.start,
        c_rs: common.c_rs,
        c_cs: common.c_cs,
        alpha: common.alpha,
        beta: common.beta,
        act_alpha: common.act_alpha,
        act_beta: common.act_beta,
        act_gamma: common.act_gamma,
      },
      workgroups: grid(Math.ceil(invocations / GEMV_WG), k.limits),
    });
  }
}

/** Pads a list of batch dims/strides to the shader's 4 (leading dims of extent 1, stride 0). */
function pad4(xs: number[], fill: number): number[] {
  return [...Array<number>(4 - xs.length).fill(fill), ...xs];
}

/** Emits the dispatches of Y = alpha * A'B' (+ beta * C) into output 0 of the node. */
export function emitGemm(k: KernelBuilder, spec: GemmSpec): void {
  const { M, N, K } = spec;
  if (M === 0 || N === 0) return; // empty output: nothing to write
  const limit = k.limits.maxStorageBufferBindingSize;
  const yBytes = sizeOf(k.outputs[0].shape) * valueBytes(k, spec);
  if (yBytes > limit) {
    throw new LimitError(`output Y binds ${yBytes} bytes, above maxStorageBufferBindingSize ${limit}`, {
      op: k.node.opType,
      node: k.node.name,
      shapes: { Y: k.outputs[0].shape },
      hint: 'splitting the output is not supported; use a smaller input or a device with larger limits',
    });
  }
  const alpha = spec.alpha ?? 1;
  const c = spec.c;
  const epilogue = spec.epilogue ?? NO_EPILOGUE;
  if (spec.integer && epilogue.name) {
    throw new LimitError('a fused activation on an integer product is not supported', { op: k.node.opType, node: k.node.name });
  }
  const S: StorageType = spec.integer ? 'i32' : storageOf(k.outputs[0].dtype, k.limits);
  const base = {
    T: spec.integer ? 'i32' : 'f32',
    S,
    INT: spec.integer,
    HAS_C: !!c,
    ACTIVATION: epilogue.wgsl,
  };
  const common = {
    K,
    ldy: N,
    c_rs: c?.rowStride ?? 0,
    c_cs: c?.colStride ?? 0,
    alpha,
    beta: c?.beta ?? 0,
    ...epilogueUniforms(epilogue),
  };
  const cBinding: Record<string, BufferRef> = c ? { c: k.input(c.input) } : {};

  const batchCount = spec.batch ? sizeOf(spec.batch.dims) : 1;
  if (spec.batch && batchCount > 1) {
    const batch = spec.batch;
    if (batch.dims.length > 4) throw new LimitError(`MatMul has ${batch.dims.length} batch dims after merging; at most 4 are supported`, { op: k.node.opType, node: k.node.name });
    for (const [which, op] of [['A', spec.a], ['B', spec.b]] as const) {
      const bytes = sizeOf(k.inputs[op.input]!.shape) * valueBytes(k, spec);
      if (bytes > limit) {
        throw new LimitError(`batched operand ${which} binds ${bytes} bytes, above maxStorageBufferBindingSize ${limit}`, {
          op: k.node.opType,
          node: k.node.name,
          shapes: { [which]: k.inputs[op.input]!.shape },
          hint: 'only 2-D products are split; use a smaller batch or a device with larger limits',
        });
      }
    }
    const t = chooseTiling(k, M);
    const maxZ = k.limits.maxComputeWorkgroupsPerDimension;
    for (let batch0 = 0; batch0 < batchCount; batch0 += maxZ) {
      k.dispatch({
        shader: 'gemm',
        variant: `${t.name} batched${halfTag(S, ' ')}`,
        defines: { ...base, TRANS_A: spec.a.trans, TRANS_B: spec.b.trans, WX: t.WX, WY: t.WY, TM: t.TM, TN: t.TN, TK: t.TK },
        bindings: { a: k.input(spec.a.input), b: k.input(spec.b.input), y: k.output(0), ...cBinding },
        uniforms: {
          ...common,
          M,
          N,
          m0: 0,
          n0: 0,
          batch0,
          y_bs: M * N,
          bdims: pad4(batch.dims, 1),
          a_bs: pad4(batch.aStrides, 0),
          b_bs: pad4(batch.bStrides, 0),
        },
        workgroups: [Math.ceil(N / (t.WX * t.TN)), Math.ceil(M / (t.WY * t.TM)), Math.min(maxZ, batchCount - batch0)],
      });
    }
    return;
  }

  if (gemvApplies(k, spec)) {
    emitGemv(k, spec, base, common, cBinding);
    return;
  }

  // A single product; oversized operands are chunked (row chunks of A' x column chunks of B').
  const tAll = chooseTiling(k, M);
  const aChunks = splitOperand(k, spec, 'A', M, tAll.WY * tAll.TM);
  const bChunks = splitOperand(k, spec, 'B', N, tAll.WX * tAll.TN);
  const split = aChunks.length > 1 || bChunks.length > 1;
  for (const am of aChunks) {
    const t = chooseTiling(k, am.size);
    for (const bn of bChunks) {
      k.dispatch({
        shader: 'gemm',
        variant: `${t.name}${split ? ' split' : ''}${halfTag(S, ' ')}`,
        defines: { ...base, TRANS_A: spec.a.trans, TRANS_B: spec.b.trans, WX: t.WX, WY: t.WY, TM: t.TM, TN: t.TN, TK: t.TK },
        bindings: { a: am.ref, b: bn.ref, y: k.output(0), ...cBinding },
        uniforms: {
          ...common,
          M: am.size,
          N: bn.size,
          m0: am.start,
          n0: bn.start,
          batch0: 0,
          y_bs: 0,
          bdims: [1, 1, 1, 1],
          a_bs: [0, 0, 0, 0],
          b_bs: [0, 0, 0, 0],
        },
        workgroups: [Math.ceil(bn.size / (t.WX * t.TN)), Math.ceil(am.size / (t.WY * t.TM)), 1],
      });
    }
  }
}
