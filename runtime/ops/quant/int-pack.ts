// Integer weights in the packed layout of shaders/quant-conv.wgsl: 4 int8 bytes per u32 along
// the input channels of each kernel tap, and the per-output-channel byte sums. Constant weights
// are packed here on the host at create (k.weight); weights fed at run time are packed on the
// GPU by shaders/quant-pack.wgsl into scratch buffers.
import type { BufferRef, KernelBuilder } from '../types.js';
import { storageOf } from '../../gpu/elements.js';

/** Where element (oc, c, tap) of the weights sits: oc*o + c*c + tap*t. */
export interface WeightLayout {
  OC: number;
  Cg: number;
  /** Kernel taps (KH*KW; 1 for a MatMul). */
  KT: number;
  o: number;
  c: number;
  t: number;
  /** 128 for uint8 weights (shifted into int8), 0 for int8. */
  shift: number;
  /** Matrices packed one after the other (a batched MatMul's B; default 1), `b` elements apart. */
  batches?: number;
  b?: number;
}

export function packedWords(l: WeightLayout): number {
  return (l.batches ?? 1) * l.OC * l.KT * Math.ceil(l.Cg / 4);
}

export function packHost(w: ArrayLike<number>, l: WeightLayout): { packed: Uint32Array; sums: Int32Array } {
  const CP4 = Math.ceil(l.Cg / 4);
  const packed = new Uint32Array(packedWords(l));
  const sums = new Int32Array((l.batches ?? 1) * l.OC);
  for (let ob = 0; ob < sums.length; ob++) {
    const base = Math.floor(ob / l.OC) * (l.b ?? 0) + (ob % l.OC) * l.o;
    for (let t = 0; t < l.KT; t++) {
      for (let c = 0; c < l.Cg; c++) {
        const v = w[base + c * l.c + t * l.t] - l.shift;
        sums[ob] += v;
        packed[(ob * l.KT + t) * CP4 + (c >> 2)] |= (v & 0xff) << (8 * (c & 3));
      }
    }
  }
  return { packed, sums };
}

/** The packed weights and sums of input `input`: uploaded once when constant, else packed on the GPU. */
export function packedWeights(k: KernelBuilder, input: number, l: WeightLayout): { w: BufferRef; wsum: BufferRef } {
  const host = k.constant(input);
  if (host) {
    const { packed, sums } = packHost(host.data, l);
    return { w: k.weight('packed', packed), wsum: k.weight('sums', sums) };
  }
  const w = k.scratch(packedWords(l) * 4);
  const batches = l.batches ?? 1;
  const wsum = k.scratch(batches * l.OC * 4);
  const WG = 64;
  k.dispatch({
    shader: 'quant-pack',
    variant: 'pack-weights',
    defines: { WG, WSHIFT: l.shift, TW: storageOf(k.inputs[input]!.dtype, k.limits) },
    bindings: { w: k.input(input), packed: w, wsum },
    uniforms: { OC: l.OC, Cg: l.Cg, CP4: Math.ceil(l.Cg / 4), KT: l.KT, w_o: l.o, w_c: l.c, w_t: l.t, batches, w_b: l.b ?? 0 },
    workgroups: [Math.ceil((batches * l.OC) / WG)],
  });
  return { w, wsum };
}
