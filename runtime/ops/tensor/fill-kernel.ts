// One dispatch of shaders/fill.wgsl: every element of a value set to one number (Dropout's mask,
// MaxUnpool's zeros). The number goes in as the bit pattern of the value's GPU element
// (runtime/gpu/elements.ts): f32 bits for float tensors (f16 and p16 storage convert them in
// the shader), the integer itself for integer and bool tensors.
import type { BufferRef, KernelBuilder } from '../types.js';
import type { DType } from '../../ir/types.js';
import { isFloat } from '../../ir/types.js';
import { grid } from '../../gpu/plan.js';
import { computeOf, halfTag, moveType } from '../../gpu/elements.js';

const FILL_WG = 256;

export function dispatchFill(k: KernelBuilder, y: BufferRef, dtype: DType, n: number, value: number, variant: string): void {
  if (n === 0) return;
  const E = moveType(dtype, k.limits);
  k.dispatch({
    shader: 'fill',
    variant: `${variant}${halfTag(E)}`,
    defines: { WG: FILL_WG, E, C: computeOf(E) },
    bindings: { y },
    uniforms: { n, value: isFloat(dtype) ? new Uint32Array(new Float32Array([value]).buffer)[0] : value },
    workgroups: grid(Math.ceil(n / FILL_WG), k.limits),
  });
}
