// Realises a Plan on a device and runs it. At create: every buffer is allocated, constants and
// weights are uploaded once, pipelines are compiled in parallel (createComputePipelineAsync),
// bind groups are built once and all uniforms are written once into one buffer. A run writes
// the feeds, records every dispatch into one compute pass of one command encoder, copies the
// outputs into one staging buffer and submits once; the only readback is that buffer.
import type { Plan, PlanDispatch } from './plan.js';
import type { MemoryPlan } from './memory.js';
import { getPipeline, type CachedPipeline } from './pipeline-cache.js';
import { packUniforms } from './shader.js';
import { CompileError, FoveaError, LimitError, SessionError } from '../errors.js';
import { deviceLost, watchDevice } from './device.js';

/**
 * Software Vulkan drivers (Mesa's llvmpipe behind lavapipe) JIT-compile a compute pipeline the
 * first time it is dispatched, not when it is created: MobileNetV2's first run measured 12 s
 * against 0.9 s for the next. So create() dispatches every pipeline once, one workgroup each, with
 * its real bindings (the writes land in activation buffers that every run rewrites before reading),
 * and waits: the compile cost moves into create and the first run costs what later runs do.
 */
async function warmUp(device: GPUDevice, recorded: Recorded[]): Promise<void> {
  const seen = new Set<GPUComputePipeline>();
  const enc = device.createCommandEncoder({ label: 'fovea warm-up' });
  const pass = enc.beginComputePass({ label: 'fovea warm-up' });
  for (const r of recorded) {
    if (seen.has(r.pipeline) || r.workgroups.some((n) => n === 0)) continue;
    seen.add(r.pipeline);
    pass.setPipeline(r.pipeline);
    pass.setBindGroup(0, r.bindGroup);
    pass.dispatchWorkgroups(1, 1, 1);
  }
  pass.end();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
}

export interface ExecutorOptions {
  /** Dispatch every pipeline once at create so that drivers that compile lazily do it then (default true). */
  warmUp?: boolean;
  label?: string;
  /** Physical buffers for the activations (runtime/gpu/memory.ts). */
  memory: MemoryPlan;
  /** Values whose buffers are not shared, so that they can be read after a run. */
  kept?: ReadonlySet<string>;
  onProgress?: (stage: 'compile', done: number, total: number) => void;
}

interface Recorded {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** A feed: host elements, or a GPU buffer holding them (a GPU-resident Tensor). */
export type Feed = ArrayBufferView | GPUBuffer;

function isGpuBuffer(f: Feed): f is GPUBuffer {
  return !ArrayBuffer.isView(f);
}

/** Reads `bytes` of a GPU buffer back to the host (for GPU-resident tensors' getData). */
export async function downloadBuffer(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  const tmp = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'fovea download' });
  try {
    const enc = device.createCommandEncoder({ label: 'fovea download' });
    enc.copyBufferToBuffer(buffer, 0, tmp, 0, size);
    device.queue.submit([enc.finish()]);
    try {
      await tmp.mapAsync(GPUMapMode.READ);
    } catch (e) {
      const lost = deviceLost(device);
      throw new SessionError(lost ? `the GPU device was lost: ${lost}` : `reading a GPU tensor failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    return tmp.getMappedRange().slice(0, bytes);
  } finally {
    tmp.destroy();
  }
}

export class Executor {
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(
    readonly device: GPUDevice,
    readonly plan: Plan,
    /** The GPU buffer behind each plan (virtual) buffer id; activations share physical buffers. */
    private readonly buffers: GPUBuffer[],
    private readonly owned: GPUBuffer[],
    private readonly kept: ReadonlySet<string>,
    private readonly recorded: Recorded[],
    private readonly uniformBuffer: GPUBuffer | undefined,
    private readonly staging: GPUBuffer | undefined,
    private readonly stagingOffsets: number[],
  ) {}

  /** Realises the plan. Every GPU buffer it makes is destroyed again if any later step fails. */
  static async create(device: GPUDevice, plan: Plan, opts: ExecutorOptions): Promise<Executor> {
    watchDevice(device);
    const made: GPUBuffer[] = [];
    try {
      return await Executor.build(device, plan, opts, made);
    } catch (e) {
      for (const b of made) b.destroy();
      const lost = deviceLost(device);
      if (lost) throw new SessionError(`the GPU device was lost: ${lost}`, { hint: 'create a new session (on a new device)', cause: e });
      if (e instanceof FoveaError) throw e;
      throw new CompileError(`could not create GPU resources: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }

  private static async build(device: GPUDevice, plan: Plan, opts: ExecutorOptions, made: GPUBuffer[]): Promise<Executor> {
    const label = opts.label ?? 'fovea';
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const { memory } = opts;
    const create = (d: GPUBufferDescriptor): GPUBuffer => {
      const b = device.createBuffer(d);
      made.push(b);
      return b;
    };
    const namesOf = memory.physical.map(() => [] as string[]);
    for (const b of plan.buffers) {
      const i = memory.assign.get(b.id);
      if (i !== undefined) namesOf[i].push(b.label);
    }
    // WebGPU reports a failed allocation (out of memory, or a size the device refuses) through
    // error scopes, not by throwing: without this check the session would run on invalid buffers.
    // No await between push and pop, so the scopes hold this session's allocations alone.
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let physical: GPUBuffer[];
    let buffers: GPUBuffer[];
    try {
      physical = memory.physical.map((bytes, i) => {
        const names = namesOf[i];
        return create({ size: bytes, usage, label: `${label}:${names.length > 1 ? `shared(${names.join(',')})`.slice(0, 200) : names[0]}` });
      });
      buffers = plan.buffers.map((b) => {
        if (!b.init) return physical[memory.assign.get(b.id)!];
        // Constants and weights: uploaded once, through a mapping at creation (no staging copy).
        const buf = create({ size: b.bytes, usage, mappedAtCreation: true, label: `${label}:${b.label}` });
        new Uint8Array(buf.getMappedRange()).set(new Uint8Array(b.init.buffer, b.init.byteOffset, b.init.byteLength));
        buf.unmap();
        return buf;
      });
    } finally {
      const scopes = [device.popErrorScope(), device.popErrorScope()];
      const [invalid, oom] = await Promise.all(scopes.map((p) => p.catch(() => null)));
      const err = oom ?? invalid;
      if (err) {
        const bytes = memory.physical.reduce((a, b) => a + b, 0) + plan.buffers.reduce((a, b) => a + (b.init ? b.bytes : 0), 0);
        // eslint-disable-next-line no-unsafe-finally
        throw new LimitError(`the GPU could not allocate the session's ${bytes} bytes of buffers: ${err.message}`, {
          hint: 'use smaller input dims or a device with more memory (see maxMemoryBytes)',
        });
      }
    }
    const owned = [...physical, ...buffers.filter((_, i) => plan.buffers[i].init)];

    // Pipelines: unique shader texts compiled in parallel, progress reported as each finishes.
    const unique = [...new Set(plan.dispatches.map((d) => d.code))];
    let done = 0;
    opts.onProgress?.('compile', 0, unique.length);
    const byCode = new Map<string, Promise<CachedPipeline>>();
    for (const code of unique) {
      const d = plan.dispatches.find((x) => x.code === code)!;
      byCode.set(
        code,
        getPipeline(device, code, `${d.op} "${d.node}" [${d.variant}]`).then((p) => {
          opts.onProgress?.('compile', ++done, unique.length);
          return p;
        }),
      );
    }
    // Every pipeline settles before a failure is reported, so none is still compiling once the
    // caller has seen the error (and no rejection goes unobserved).
    const settled = await Promise.allSettled(unique.map(async (c) => [c, await byCode.get(c)!] as const));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const pipelines = new Map(settled.map((r) => (r as PromiseFulfilledResult<readonly [string, CachedPipeline]>).value));
    const lost = deviceLost(device);
    if (lost) throw new SessionError(`the GPU device was lost: ${lost}`, { hint: 'create a new session (on a new device)' });

    // Uniforms: one slot per dispatch, aligned to minUniformBufferOffsetAlignment, one buffer.
    const align = device.limits.minUniformBufferOffsetAlignment;
    const slots: number[] = [];
    let total = 0;
    for (const d of plan.dispatches) {
      const u = pipelines.get(d.code)!.reflection.uniform;
      slots.push(u ? total : -1);
      if (u) total += Math.ceil(u.size / align) * align;
    }
    const uniformData = new ArrayBuffer(Math.max(total, 16));
    const uniformBuffer = total
      ? create({ size: total, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: `${label}:uniforms` })
      : undefined;

    const storageAlign = device.limits.minStorageBufferOffsetAlignment;
    const recorded = plan.dispatches.map((d, i) => {
      const p = pipelines.get(d.code)!;
      const where = `${d.op} "${d.node}" [${d.variant}]`;
      const entries: GPUBindGroupEntry[] = p.reflection.storage.map((s) => {
        const ref = d.bindings[s.name];
        if (!ref) throw new CompileError(`binding "${s.name}" was not given`, { op: d.op, node: d.node, hint: d.variant });
        if (ref.offset && ref.offset % storageAlign) {
          throw new CompileError(`binding "${s.name}" offset ${ref.offset} is not a multiple of ${storageAlign}`, { op: d.op, node: d.node });
        }
        // Explicit size: a shared physical buffer may be larger than this value.
        const size = ref.size ?? plan.buffers[ref.id].bytes - (ref.offset ?? 0);
        return { binding: s.binding, resource: { buffer: buffers[ref.id], offset: ref.offset ?? 0, size } };
      });
      for (const k of Object.keys(d.bindings)) {
        if (!p.reflection.storage.some((s) => s.name === k)) throw new CompileError(`binding "${k}" is not in the shader`, { op: d.op, node: d.node, hint: d.variant });
      }
      const u = p.reflection.uniform;
      if (u) {
        packUniforms(u, d.uniforms ?? {}, new DataView(uniformData, slots[i], u.size), where);
        entries.push({ binding: u.binding, resource: { buffer: uniformBuffer!, offset: slots[i], size: u.size } });
      }
      const bindGroup = device.createBindGroup({ layout: p.layout, entries, label: where });
      const [x, y = 1, z = 1] = d.workgroups;
      return { pipeline: p.pipeline, bindGroup, workgroups: [x, y, z] as [number, number, number] };
    });
    if (uniformBuffer) device.queue.writeBuffer(uniformBuffer, 0, uniformData, 0, total);

    const outs = plan.outputs.filter((o) => o.buffer !== undefined);
    const stagingOffsets: number[] = [];
    let stagingBytes = 0;
    for (const o of outs) {
      stagingOffsets.push(stagingBytes);
      stagingBytes += plan.buffers[o.buffer!].bytes;
    }
    const staging = stagingBytes
      ? create({ size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${label}:staging` })
      : undefined;
    if (opts.warmUp ?? true) await warmUp(device, recorded);
    return new Executor(device, plan, buffers, owned, opts.kept ?? new Set(), recorded, uniformBuffer, staging, stagingOffsets);
  }

  get dispatchCount(): number {
    return this.recorded.length;
  }

  /** Runs the plan; feeds by input name (4-byte element data, or a GPU buffer of it). Calls are
   * queued, never interleaved. With `gpuOutputs`, each output is copied into a new GPU buffer that
   * the caller owns (no readback); otherwise outputs are read back through the staging buffer. */
  run(feeds: Map<string, Feed>, gpuOutputs = false): Promise<Map<string, ArrayBuffer | GPUBuffer>> {
    const p = this.queue.then(() => this.runNow(feeds, gpuOutputs));
    this.queue = p.catch(() => {});
    return p;
  }

  /**
   * Runs the plan once with a GPU time per dispatch, in milliseconds. With the adapter's
   * `timestamp-query` feature each dispatch gets its own compute pass with timestampWrites (the
   * GPU's own clock; passes add a little overhead of their own). Without it, the documented
   * fallback submits each dispatch alone and times it on the CPU up to onSubmittedWorkDone, which
   * includes submission latency. Profiled runs are for measurement, not the fast path.
   */
  profile(feeds: Map<string, Feed>): Promise<{ outputs: Map<string, ArrayBuffer>; ms: number[]; method: 'timestamp-query' | 'cpu-per-dispatch' }> {
    const p = this.queue.then(async () => {
      const hasTimestamps = this.device.features.has('timestamp-query');
      const ms = hasTimestamps ? await this.timestamped(feeds) : await this.cpuTimed(feeds);
      const outputs = (await this.runNow(feeds)) as Map<string, ArrayBuffer>;
      return { outputs, ms, method: hasTimestamps ? ('timestamp-query' as const) : ('cpu-per-dispatch' as const) };
    });
    this.queue = p.catch(() => {});
    return p;
  }

  /** Host feeds are written through the queue; GPU-resident feeds are copied buffer to buffer
   * (into `enc` when given, else in a command buffer of their own). */
  private writeFeeds(feeds: Map<string, Feed>, enc?: GPUCommandEncoder): void {
    let own: GPUCommandEncoder | undefined;
    for (const inp of this.plan.inputs) {
      const data = feeds.get(inp.name)!;
      const bytes = inp.bytes;
      if (isGpuBuffer(data)) {
        const e = enc ?? (own ??= this.device.createCommandEncoder({ label: 'fovea feeds' }));
        if (bytes) e.copyBufferToBuffer(data, 0, this.buffers[inp.buffer!], 0, bytes);
      } else {
        this.device.queue.writeBuffer(this.buffers[inp.buffer!], 0, data.buffer, data.byteOffset, data.byteLength);
      }
    }
    if (own) this.device.queue.submit([own.finish()]);
  }

  private async timestamped(feeds: Map<string, Feed>): Promise<number[]> {
    const { device } = this;
    const n = this.recorded.length;
    if (!n) return [];
    this.writeFeeds(feeds);
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * n, label: 'fovea profile' });
    const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'fovea profile resolve' });
    const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'fovea profile read' });
    try {
      const enc = device.createCommandEncoder({ label: 'fovea profile' });
      this.recorded.forEach((r, i) => {
        const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        pass.setPipeline(r.pipeline);
        pass.setBindGroup(0, r.bindGroup);
        pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
        pass.end();
      });
      enc.resolveQuerySet(querySet, 0, 2 * n, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
      device.queue.submit([enc.finish()]);
      await this.map(read);
      const t = new BigInt64Array(read.getMappedRange().slice(0));
      read.unmap();
      return Array.from({ length: n }, (_, i) => Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6);
    } finally {
      querySet.destroy();
      resolve.destroy();
      read.destroy();
    }
  }

  private async cpuTimed(feeds: Map<string, Feed>): Promise<number[]> {
    this.writeFeeds(feeds);
    await this.device.queue.onSubmittedWorkDone();
    const ms: number[] = [];
    for (const r of this.recorded) {
      const enc = this.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(r.pipeline);
      pass.setBindGroup(0, r.bindGroup);
      pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
      pass.end();
      const t0 = performance.now();
      this.device.queue.submit([enc.finish()]);
      await this.device.queue.onSubmittedWorkDone();
      ms.push(performance.now() - t0);
    }
    return ms;
  }

  private lostError(cause?: unknown): SessionError | undefined {
    const lost = deviceLost(this.device);
    return lost ? new SessionError(`the GPU device was lost: ${lost}`, { hint: 'create a new session (on a new device)', cause }) : undefined;
  }

  /** Waits for a buffer mapping; a device lost meanwhile (or any failure) becomes a SessionError.
   * WebGPU rejects a pending mapAsync when its device is lost or destroyed, so this cannot hang
   * on a lost device (no race with device.lost: that would add a reaction to it on every run). */
  private async map(buffer: GPUBuffer): Promise<void> {
    try {
      await buffer.mapAsync(GPUMapMode.READ);
    } catch (e) {
      throw this.lostError(e) ?? new SessionError(`reading results from the GPU failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }

  private async runNow(feeds: Map<string, Feed>, gpuOutputs = false): Promise<Map<string, ArrayBuffer | GPUBuffer>> {
    if (this.released) throw new SessionError('the session was released', { hint: 'create a new session' });
    const lostBefore = this.lostError();
    if (lostBefore) throw lostBefore;
    const { device, plan } = this;
    const enc = device.createCommandEncoder({ label: 'fovea run' });
    this.writeFeeds(feeds, enc);
    if (this.recorded.length) {
      const pass = enc.beginComputePass({ label: 'fovea' });
      for (const r of this.recorded) {
        pass.setPipeline(r.pipeline);
        pass.setBindGroup(0, r.bindGroup);
        pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
      }
      pass.end();
    }
    const outs = plan.outputs.filter((o) => o.buffer !== undefined);
    const result = new Map<string, ArrayBuffer | GPUBuffer>();
    if (gpuOutputs) {
      for (const o of outs) {
        const bytes = plan.buffers[o.buffer!].bytes;
        const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: `output ${o.name}` });
        enc.copyBufferToBuffer(this.buffers[o.buffer!], 0, out, 0, bytes);
        result.set(o.name, out);
      }
      device.queue.submit([enc.finish()]);
      return result;
    }
    outs.forEach((o, i) => {
      enc.copyBufferToBuffer(this.buffers[o.buffer!], 0, this.staging!, this.stagingOffsets[i], plan.buffers[o.buffer!].bytes);
    });
    device.queue.submit([enc.finish()]);
    if (this.staging) {
      await this.map(this.staging);
      const all = this.staging.getMappedRange();
      outs.forEach((o, i) => {
        result.set(o.name, all.slice(this.stagingOffsets[i], this.stagingOffsets[i] + o.bytes));
      });
      this.staging.unmap();
    }
    const lostAfter = this.lostError();
    if (lostAfter) throw lostAfter;
    return result;
  }

  /** Reads any GPU-resident value by name (feature maps, debugging). */
  async readValue(name: string, bytes: number): Promise<ArrayBuffer> {
    await this.queue;
    if (this.released) throw new SessionError('the session was released', { hint: 'create a new session' });
    const lost = this.lostError();
    if (lost) throw lost;
    const ref = this.plan.values.get(name);
    if (ref === undefined) throw new SessionError(`value "${name}" is not resident on the GPU`);
    const id = ref.id;
    // Readable after a run: constants, and buffers never shared (inputs, outputs, kept values —
    // a Concat input written in place lives in its Concat output's buffer).
    const pinned = new Set([...this.plan.inputs, ...this.plan.outputs].map((t) => t.buffer));
    for (const k of this.kept) pinned.add(this.plan.values.get(k)?.id);
    if (!pinned.has(id) && !this.plan.buffers[id].init) {
      throw new SessionError(`value "${name}" shares its buffer with other values and is overwritten during a run`, {
        hint: `create the session with keepValues: ["${name}"] (or memoryReuse: false) to read it after run()`,
      });
    }
    const size = Math.ceil(Math.max(bytes, 4) / 4) * 4;
    const tmp = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `read ${name}` });
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(this.buffers[id], ref.offset ?? 0, tmp, 0, size);
      this.device.queue.submit([enc.finish()]);
      await this.map(tmp);
      return tmp.getMappedRange().slice(0, bytes);
    } finally {
      tmp.destroy();
    }
  }

  dispatchesOf(): readonly PlanDispatch[] {
    return this.plan.dispatches;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    for (const b of this.owned) b.destroy();
    this.uniformBuffer?.destroy();
    this.staging?.destroy();
  }
}
