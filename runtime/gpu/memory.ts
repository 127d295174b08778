// The memory planner. Every activation (a value written by a dispatch, or a kernel's scratch
// buffer) gets a lifetime: the interval of dispatch indices that touch it. Views share their
// input's buffer id, so their uses extend that buffer's lifetime for free. Buffers whose
// lifetimes do not overlap share one physical GPU buffer, chosen best-fit (the smallest free
// buffer that is large enough, else the largest free one grown to fit, else a new one).
// Graph inputs, graph outputs, kept values and uploaded constants are never shared.
import type { Plan } from './plan.js';

export interface MemoryPlan {
  /** Byte size of each physical activation buffer. */
  physical: number[];
  /** Virtual (plan) buffer id -> physical buffer index, for every activation buffer. */
  assign: Map<number, number>;
  /** Sum of the physical activation buffers: the peak activation memory. */
  peakBytes: number;
  /** What the activations would take with one buffer each. */
  naiveBytes: number;
}

export function planMemory(plan: Plan, options: { reuse: boolean; keep?: Iterable<number> }): MemoryPlan {
  const pinned = new Set<number>(options.keep ?? []);
  for (const t of [...plan.inputs, ...plan.outputs]) if (t.buffer !== undefined) pinned.add(t.buffer);

  const first = new Map<number, number>();
  const last = new Map<number, number>();
  plan.dispatches.forEach((d, i) => {
    for (const ref of Object.values(d.bindings)) {
      if (!first.has(ref.id)) first.set(ref.id, i);
      last.set(ref.id, i);
    }
  });

  const activations = plan.buffers.filter((b) => !b.init);
  const physical: number[] = [];
  const assign = new Map<number, number>();
  const own = (id: number, bytes: number) => {
    assign.set(id, physical.length);
    physical.push(bytes);
  };

  const shared = activations.filter((b) => options.reuse && !pinned.has(b.id) && first.has(b.id));
  for (const b of activations) if (!shared.includes(b)) own(b.id, b.bytes);

  shared.sort((a, b) => first.get(a.id)! - first.get(b.id)! || b.bytes - a.bytes);
  const busy: { phys: number; end: number }[] = [];
  const free: number[] = [];
  for (const b of shared) {
    const start = first.get(b.id)!;
    for (let i = busy.length - 1; i >= 0; i--) {
      if (busy[i].end < start) {
        free.push(busy[i].phys);
        busy.splice(i, 1);
      }
    }
    let pick = -1;
    for (let i = 0; i < free.length; i++) {
      const size = physical[free[i]];
      if (size >= b.bytes && (pick < 0 || size < physical[free[pick]])) pick = i;
    }
    if (pick < 0 && free.length) {
      pick = 0;
      for (let i = 1; i < free.length; i++) if (physical[free[i]] > physical[free[pick]]) pick = i;
    }
    let phys: number;
    if (pick >= 0) {
      phys = free.splice(pick, 1)[0];
      physical[phys] = Math.max(physical[phys], b.bytes);
      assign.set(b.id, phys);
    } else {
      phys = physical.length;
      own(b.id, b.bytes);
    }
    busy.push({ phys, end: last.get(b.id)! });
  }

  return {
    physical,
    assign,
    peakBytes: physical.reduce((a, b) => a + b, 0),
    naiveBytes: activations.reduce((a, b) => a + b.bytes, 0),
  };
}
