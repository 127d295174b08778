// Tile (ONNX opset 1/6/13): repeats the input `repeats[d]` times along every dim d (input 1, an
// int64 tensor of length rank, which must be constant: it fixes the output shape). Opset 1 had
// inputs `tiles` and `axis` instead (scalars: repeat one axis). Output dim d is
// input[d] * repeats[d]; a repeat of 0 gives an empty output.
// Output coordinate o along d splits into (o / n_d, o % n_d): one strided copy over the box
// [r0, n0, r1, n1, …] that reads the input with stride 0 along the repeat dims. Boxes with
// more unmergeable dims than strided-copy.wgsl holds are split along their outer dims.
import type { KernelBuilder, OpDef, TypeShape } from '../types.js';
import type { Node } from '../../ir/types.js';
import { sizeOf, stridesOf } from '../../ir/types.js';
import { toNumbers } from '../../ir/host-tensor.js';
import { normAxis } from '../attributes.js';
import { constInts, dataLike, fail } from './util.js';
import { coalesce, MAX_COPY_RANK, stridedCopyGpu, stridedCopyHost, type StridedBox } from './strided.js';

interface TileAttrs {
  /** Opset >= 6: the repeats per dim. */
  repeats?: number[];
  /** Opset 1: one axis repeated `tiles` times. */
  legacy?: { tiles: number; axis: number };
}

function repeatsFor(node: Node, a: TileAttrs, rank: number): number[] {
  if (a.legacy) {
    const r = new Array<number>(rank).fill(1);
    r[normAxis(node, a.legacy.axis, rank)] = a.legacy.tiles;
    return r;
  }
  const reps = a.repeats!;
  if (reps.length !== rank) fail(node, `repeats has ${reps.length} values for an input of rank ${rank}`);
  if (reps.some((r) => r < 0)) fail(node, `repeats [${reps.join(',')}] has a negative value`);
  return reps;
}

function tileBox(input: readonly number[], reps: number[]): StridedBox {
  const out = input.map((d, i) => d * reps[i]);
  const inStrides = stridesOf(input);
  const outStrides = stridesOf(out);
  const shape: number[] = [];
  const srcStrides: number[] = [];
  const dstStrides: number[] = [];
  input.forEach((n, d) => {
    shape.push(reps[d], n);
    srcStrides.push(0, inStrides[d]);
    dstStrides.push(n * outStrides[d], outStrides[d]);
  });
  return { shape, srcOffset: 0, srcStrides, dstOffset: 0, dstStrides };
}

/** One copy per box that fits the kernel's rank, peeling outer dims of those that do not. */
function copyGpu(k: KernelBuilder, box: StridedBox): void {
  const b = coalesce(box);
  if (b.shape.length <= MAX_COPY_RANK) {
    stridedCopyGpu(k, k.input(0), k.output(0), b, 'tile');
    return;
  }
  for (let i = 0; i < b.shape[0]; i++) {
    copyGpu(k, {
      shape: b.shape.slice(1),
      srcOffset: b.srcOffset + i * b.srcStrides[0],
      srcStrides: b.srcStrides.slice(1),
      dstOffset: b.dstOffset + i * b.dstStrides[0],
      dstStrides: b.dstStrides.slice(1),
    });
  }
}

export const Tile: OpDef<TileAttrs> = {
  opType: 'Tile',
  packedInt8: true,
  float16: true,
  packedF16: true,
  shapeInputs: [1, 2], // repeats (and opset-1 axis)
  parse(ctx) {
    if (ctx.opset < 6) {
      const tiles = ctx.constant(1);
      const axis = ctx.constant(2);
      if (!tiles || !axis) fail(ctx.node, 'inputs "tiles" and "axis" (opset 1) must be constant: output shapes are fixed when the session compiles');
      return { legacy: { tiles: toNumbers(tiles)[0], axis: toNumbers(axis)[0] } };
    }
    const repeats = constInts(ctx, 1, 'repeats');
    if (!repeats) fail(ctx.node, 'input 1 ("repeats") is required');
    return { repeats };
  },
  infer(inputs, a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) fail(ctx.node, 'input is required');
    const reps = repeatsFor(ctx.node, a, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * reps[i]) }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const reps = repeatsFor(ctx.node, a, x.dims.length);
    const shape = x.dims.map((d, i) => d * reps[i]);
    const data = dataLike(x.data, sizeOf(shape));
    stridedCopyHost(x.data, data, tileBox(x.dims, reps));
    return [{ dtype: x.dtype, dims: shape, data }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    copyGpu(k, tileBox(x.shape, repeatsFor(k.node, a, x.shape.length)));
  },
};
