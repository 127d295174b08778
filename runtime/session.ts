// The public InferenceSession, shaped like onnxruntime-web's:
//   const s = await InferenceSession.create(source, options); await s.run(feeds); await s.release();
import type { DType, Graph, HostTensor } from './ir/types.js';
import { getOp } from './ops/registry.js';
import { decodeModel } from '../loaders/onnx/decode.js';
import { readSource, type ModelSource } from '../loaders/onnx/source.js';
import { checkSupported } from './ops/unsupported.js';
import { checkOptimizationLevel, runPasses, type GraphOptimizationLevel } from './passes/index.js';
import { PRECISIONS, type Precision } from './passes/convert-precision.js';
import { printGraph } from './ir/print.js';
import { valueStorage, planGraph, type Plan, type PlanTensor } from './gpu/plan.js';
import { isHalfStorage, storageBytes, storageOf } from './gpu/elements.js';
import { Executor } from './gpu/executor.js';
import { planMemory, type MemoryPlan } from './gpu/memory.js';
import { acquireDevice, kernelLimits, type AcquiredDevice } from './gpu/device.js';
import { pipelineCacheSize } from './gpu/pipeline-cache.js';
import type { GemmKernel, KernelLimits } from './ops/types.js';
import { Tensor, fromElements, elementsToData, tensorTypeOf, toGpuElements, type TensorType } from './tensor.js';
import { downloadBuffer, type Feed } from './gpu/executor.js';
import { InputError, LimitError, SessionError } from './errors.js';
import { checkStaticShape } from './ir/verify.js';
import type { ConvAlgorithmName } from './ops/nn/conv.js';
import { registeredVariants } from './ops/registry.js';
import './ops/index.js';

export type ProgressStage = 'download' | 'compile';

export interface SessionOptions {
  /** Use this device instead of acquiring one. */
  device?: GPUDevice;
  /** Download progress (bytes) and pipeline compilation progress (count). */
  onProgress?: (loaded: number, total: number | undefined, stage: ProgressStage) => void;
  /** Values for the model's free (symbolic) dims, e.g. { batch: 1 }. Otherwise bound by the first feeds. */
  freeDimensions?: Record<string, number>;
  /** Force a kernel variant where an op has several (testing). */
  forceAlgorithm?: string;
  /**
   * Conv kernel variant for every Conv it can run; the others keep the automatic choice. 'auto'
   * (the default) picks per layer from its shape (see runtime/ops/nn/conv.ts). Wins over forceAlgorithm.
   */
  convAlgorithm?: 'auto' | ConvAlgorithmName;
  /** Conv kernel variant by node name (a fused Conv keeps its name); an error where that variant
   * cannot run the node. Wins over convAlgorithm; 'auto' gives the node the automatic choice
   * whatever convAlgorithm says. */
  convAlgorithmByNode?: Record<string, 'auto' | ConvAlgorithmName>;
  /**
   * The GEMM kernel of 1x1 ('pointwise') and 'im2col' convs: 'tiled' (workgroup-memory tiles, the
   * choice on GPUs), 'subgroup' (subgroup broadcasts, no workgroup memory: the choice on software
   * adapters such as lavapipe and SwiftShader; needs the 'subgroups' feature and constant weights,
   * elsewhere 'tiled'), or 'auto' (the default: by adapter). For tests and benchmarks.
   */
  gemmKernel?: GemmKernel;
  /**
   * The float type the model computes in: 'auto' (default) keeps the model's own types (a float16
   * file runs in float16); 'float16' runs a float32 model with float16 values (half the memory and
   * bandwidth; about 3 significant digits); 'float32' runs a float16 model in float32. Inputs and
   * outputs keep the types the file declares. See runtime/passes/convert-precision.ts.
   */
  precision?: Precision;
  /** Store float16 values as f16 (2 bytes) where the device has 'shader-f16' (default true);
   * false stores them as f32 holding float16 values, the path of devices without the feature
   * (tests run both on one adapter). */
  shaderF16?: boolean;
  /** Without f16 storage, pack float16 values two per 32-bit word (default true: half the memory,
   * read and written with unpack2x16float / pack2x16float); false widens them to f32. Graphs with
   * an op that has no packed kernel store them as f32 either way. */
  packedF16?: boolean;
  /** Pack int8 and uint8 values four per 32-bit word (default true: a quarter of the memory of
   * i32); false widens them to i32. Graphs with an op that has no packed 8-bit kernel widen them
   * either way. */
  packedInt8?: boolean;
  /** Lower the storage-binding size the planner assumes (tests of operand splitting). */
  maxStorageBufferBindingSize?: number;
  /** Share GPU buffers between activations whose lifetimes do not overlap (default true). */
  memoryReuse?: boolean;
  /** Intermediate values to keep readable after a run (`fetchValue`); they get their own buffers. */
  keepValues?: string[];
  /**
   * Upper bound on the memory a model may ask for, in bytes (default 4 GiB, and never above the
   * device's maxBufferSize for one tensor). Models are untrusted: declared input dims, inferred
   * shapes and the planned total (activations + weights) above it are refused with a LimitError
   * at load/compile time, before anything of that size is allocated on the host or the GPU.
   */
  maxMemoryBytes?: number;
  /** Verify the IR after every pass (default true: it is cheap). */
  verify?: boolean;
  /**
   * Graph optimisations, as in onnxruntime: 'disabled' runs only the required passes; 'basic'
   * also removes identities and folds BatchNormalization into the producing Conv/Gemm; 'all'
   * (default) also fuses activations and residual Adds into Conv/Gemm/MatMul epilogues.
   * See runtime/passes/index.ts.
   */
  graphOptimizationLevel?: GraphOptimizationLevel;
  debug?: {
    /** Print (or hand to a callback) the IR after every pass. */
    dumpIR?: boolean | ((pass: string, ir: string) => void);
    /** Print the WGSL of every dispatch of the node with this name. */
    dumpWgsl?: string;
  };
}

export interface ValueMetadata {
  name: string;
  type: TensorType | string;
  /** Declared dims; strings are free dims. */
  dims: (number | string)[];
}

export interface RunOptions {
  /** Time every dispatch on the GPU (see Executor.profile); the result carries `profile`. */
  profile?: boolean;
  /** 'gpu-buffer': outputs stay on the GPU as Tensors wrapping a new GPUBuffer each (no readback;
   * chain them into another session on the same device; call dispose() when done). Default 'cpu'. */
  outputLocation?: 'cpu' | 'gpu-buffer';
}

export interface NodeProfile {
  node: string;
  op: string;
  variant: string;
  ms: number;
}

export interface RunProfile {
  /** 'timestamp-query' (GPU clock per dispatch) or 'cpu-per-dispatch' (fallback: each dispatch submitted alone). */
  method: 'timestamp-query' | 'cpu-per-dispatch';
  /** One entry per dispatch, in execution order. */
  dispatches: NodeProfile[];
  totalMs: number;
}

/** run()'s result: the outputs by name; with { profile: true } also a non-enumerable `profile`. */
export type RunResult = Record<string, Tensor> & { readonly profile?: RunProfile };

export interface SessionStats {
  dispatches: number;
  /** GPU buffers made at create (activations after sharing, plus constants and weights). */
  buffers: number;
  /** Peak activation bytes (after buffer sharing). */
  activationBytes: number;
  /** Activation bytes with one buffer per value (no sharing). */
  activationBytesNoReuse: number;
  /** Bytes of constants and weights uploaded at create. */
  weightBytes: number;
  pipelines: number;
  adapter: string;
  /** The kernel of every dispatch, in execution order (node, op and variant, as profiles name them). */
  kernels: { node: string; op: string; variant: string }[];
}

/** Default for SessionOptions.maxMemoryBytes. */
export const DEFAULT_MAX_MEMORY_BYTES = 4 * 1024 ** 3;

/** Refuses, at create, variant names no op declares (OpDef.variants): forceAlgorithm, and
 * convAlgorithm / convAlgorithmByNode against Conv's. Generic: nothing here knows an op's kernels. */
function checkVariantOptions(options: SessionOptions): void {
  const all = registeredVariants();
  if (options.forceAlgorithm !== undefined && !all.has(options.forceAlgorithm)) {
    throw new InputError(`forceAlgorithm: no op has a variant ${JSON.stringify(options.forceAlgorithm)}`, { hint: `known: ${[...all.keys()].sort().join(', ')}` });
  }
  const conv = ['auto', ...(getOp('', 'Conv')?.variants ?? [])];
  const check = (what: string, v: unknown) => {
    if (typeof v !== 'string' || !conv.includes(v)) throw new InputError(`${what} must be one of ${conv.join(', ')}, got ${JSON.stringify(v)}`);
  };
  if (options.convAlgorithm !== undefined) check('convAlgorithm', options.convAlgorithm);
  const gemm: readonly unknown[] = ['auto', 'tiled', 'subgroup'];
  if (options.gemmKernel !== undefined && !gemm.includes(options.gemmKernel)) {
    throw new InputError(`gemmKernel must be one of ${gemm.join(', ')}, got ${JSON.stringify(options.gemmKernel)}`);
  }
  const byNode = options.convAlgorithmByNode;
  if (byNode === undefined) return;
  if (!byNode || typeof byNode !== 'object') throw new InputError('convAlgorithmByNode must be an object of variant names by node name');
  for (const [node, v] of Object.entries(byNode)) check(`convAlgorithmByNode["${node}"]`, v);
}

/** Every node named by a per-node variant must be a node of the optimised graph whose op has that variant. */
function checkVariantNodes(graph: Graph, byNode: Readonly<Record<string, string>>, what: string): void {
  for (const [name, v] of Object.entries(byNode)) {
    const n = graph.nodes.find((x) => x.name === name);
    const variants = n ? getOp(n.domain, n.opType)?.variants : undefined;
    if (!n || !variants) throw new InputError(`${what}: the model has no node "${name}" with kernel variants`, { hint: 'names are the ONNX node names' });
    if (v !== 'auto' && !variants.includes(v)) throw new InputError(`${what}["${name}"]: ${n.opType} has no variant ${JSON.stringify(v)}`, { hint: `its variants: auto, ${variants.join(', ')}` });
  }
}

function memoryLimit(options: SessionOptions): number {
  const m = options.maxMemoryBytes;
  if (m === undefined) return DEFAULT_MAX_MEMORY_BYTES;
  if (typeof m !== 'number' || !(m > 0)) throw new InputError(`maxMemoryBytes must be a positive number of bytes, got ${String(m)}`);
  return m;
}

/** Refuses, at load, graph inputs whose declared numeric dims alone exceed the memory limit
 * (free dims count as 1): no need to wait for the first feed to know they can never run. */
function checkDeclaredInputs(model: Graph, limit: number): void {
  for (const name of model.inputs) {
    const v = model.values.get(name);
    const dims = v?.shape ?? v?.declared;
    if (!dims) continue;
    checkStaticShape(`input "${name}"`, dims.map((d) => (typeof d === 'number' ? d : 1)), limit);
  }
}

export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  private compiled: Promise<{ graph: Graph; plan: Plan; memory: MemoryPlan; executor: Executor; limits: KernelLimits }> | undefined;
  /** Graph inputs that feed an op's shapeInputs slot: bound by value at the first run. */
  private readonly valueInputs: ReadonlySet<string>;
  /** The values the current compilation was specialised on (JSON), when valueInputs is not empty. */
  private compiledKey = '';
  private released = false;

  private constructor(
    private readonly model: Graph,
    private readonly device: GPUDevice,
    readonly adapter: string,
    private readonly options: SessionOptions,
    private readonly adapterInfo?: AcquiredDevice['adapterInfo'],
  ) {
    const meta = (name: string): ValueMetadata => {
      const v = model.values.get(name);
      return { name, type: v ? tensorTypeOf(v.dtype) ?? v.dtype : 'unknown', dims: v?.declared ?? v?.shape ?? [] };
    };
    this.inputNames = Object.freeze([...model.inputs]);
    this.outputNames = Object.freeze([...model.outputs]);
    this.inputMetadata = Object.freeze(model.inputs.map(meta));
    this.outputMetadata = Object.freeze(model.outputs.map(meta));
    const inputs = new Set(model.inputs);
    const valueInputs = new Set<string>();
    for (const n of model.nodes) {
      for (const i of getOp(n.domain, n.opType)?.shapeInputs ?? []) if (inputs.has(n.inputs[i])) valueInputs.add(n.inputs[i]);
    }
    this.valueInputs = valueInputs;
  }

  static async create(source: ModelSource, options: SessionOptions = {}): Promise<InferenceSession> {
    const progress = options.onProgress;
    const loaded = await readSource(source, progress ? (l, t) => progress(l, t, 'download') : undefined);
    const limit = memoryLimit(options);
    checkOptimizationLevel(options.graphOptimizationLevel);
    if (options.precision !== undefined && !PRECISIONS.includes(options.precision)) {
      throw new InputError(`precision must be one of ${PRECISIONS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(options.precision)}`);
    }
    checkVariantOptions(options);
    const model = await decodeModel(loaded.bytes, { readExternal: loaded.readExternal });
    checkSupported(model);
    checkDeclaredInputs(model, limit);
    let device = options.device;
    let adapter = 'caller device';
    let adapterInfo: AcquiredDevice['adapterInfo'] | undefined;
    if (!device) {
      const acquired = await acquireDevice();
      device = acquired.device;
      adapterInfo = acquired.adapterInfo;
      const i = adapterInfo;
      adapter = [i.backend, i.vendor, i.architecture, i.description].filter(Boolean).join(' ');
    }
    const s = new InferenceSession(model, device, adapter, options, adapterInfo);
    const allStatic = model.inputs.every((n) => {
      const v = model.values.get(n)!;
      return v.shape || v.declared?.every((d) => typeof d === 'number' || options.freeDimensions?.[d] !== undefined);
    });
    if (allStatic && !s.valueInputs.size) await s.compile();
    return s;
  }

  private compile(feedShapes?: Record<string, readonly number[]>, feedValues?: Map<string, HostTensor>) {
    if (!this.compiled) {
      if (this.valueInputs.size && !feedValues) throw new SessionError('this model is compiled at its first run', { hint: 'call run() first' });
      this.compiled = (async () => {
        const dump = this.options.debug?.dumpIR;
        let model = this.model;
        if (feedValues?.size) {
          // Inputs that decide shapes become constants of this compilation.
          model = { ...model, inputs: model.inputs.filter((n) => !feedValues.has(n)), initializers: new Map([...model.initializers, ...feedValues]) };
        }
        let limits = this.limits();
        const passes = () => runPasses(model, {
          freeDimensions: this.options.freeDimensions,
          feedShapes,
          maxMemoryBytes: memoryLimit(this.options),
          verify: this.options.verify ?? true,
          graphOptimizationLevel: this.options.graphOptimizationLevel,
          precision: this.options.precision,
          keepValues: this.options.keepValues,
          bindingLimit: { maxBytes: limits.maxStorageBufferBindingSize, elements: limits },
          onPass: dump ? (name, g) => (typeof dump === 'function' ? dump(name, printGraph(g)) : console.log(`// after ${name}\n${printGraph(g)}`)) : undefined,
        });
        let graph = passes();
        const fitted = valueStorage(limits, graph);
        if (fitted !== limits) {
          // An op without packed float16 or 8-bit kernels: those values widened throughout, and
          // the passes again, since their binding-size decisions depend on the element size.
          limits = fitted;
          graph = passes();
        }
        checkVariantNodes(graph, this.options.convAlgorithmByNode ?? {}, 'convAlgorithmByNode');
        const plan = planGraph(graph, limits, {
          forceAlgorithm: this.options.forceAlgorithm,
          variantByOp: this.options.convAlgorithm ? { Conv: this.options.convAlgorithm } : undefined,
          variantByNode: this.options.convAlgorithmByNode,
          gemmKernel: this.options.gemmKernel,
        });
        const dumpNode = this.options.debug?.dumpWgsl;
        if (dumpNode) for (const d of plan.dispatches) if (d.node === dumpNode) console.log(`// ${d.op} "${d.node}" [${d.variant}]\n${d.code}`);
        const kept = new Set(this.options.keepValues ?? []);
        for (const name of kept) {
          if (!graph.values.has(name)) throw new InputError(`keepValues: the model has no value "${name}"`);
        }
        const memory = planMemory(plan, {
          reuse: this.options.memoryReuse ?? true,
          keep: [...kept].map((n) => plan.values.get(n)?.id).filter((id): id is number => id !== undefined),
        });
        const weightBytes = plan.buffers.reduce((a, b) => a + (b.init ? b.bytes : 0), 0);
        const limit = memoryLimit(this.options);
        if (memory.peakBytes + weightBytes > limit) {
          throw new LimitError(`the model needs ${memory.peakBytes} bytes of activations and ${weightBytes} bytes of weights, above the session's memory limit of ${limit} bytes`, {
            hint: 'use smaller input dims, or raise maxMemoryBytes',
          });
        }
        const progress = this.options.onProgress;
        const executor = await Executor.create(this.device, plan, {
          label: graph.name,
          memory,
          kept,
          onProgress: progress ? (_s, done, total) => progress(done, total, 'compile') : undefined,
        });
        return { graph, plan, memory, executor, limits };
      })();
      this.compiled.catch(() => {
        this.compiled = undefined;
      });
    }
    return this.compiled;
  }

  private limits(): KernelLimits {
    const l = kernelLimits(this.device, this.adapterInfo);
    const cap = this.options.maxStorageBufferBindingSize;
    const shaderF16 = l.shaderF16 && this.options.shaderF16 !== false;
    return {
      ...l,
      maxStorageBufferBindingSize: cap ? Math.min(cap, l.maxStorageBufferBindingSize) : l.maxStorageBufferBindingSize,
      shaderF16,
      packedF16: !shaderF16 && this.options.packedF16 !== false,
      packedInt8: this.options.packedInt8 !== false,
    };
  }

  async run(feeds: Record<string, Tensor>, runOptions: RunOptions = {}): Promise<RunResult> {
    if (this.released) throw new SessionError('run() after release()', { hint: 'create a new session' });
    if (!feeds || typeof feeds !== 'object') throw new InputError('run() expects an object of input tensors by name');
    for (const k of Object.keys(feeds)) {
      if (!this.inputNames.includes(k)) throw new InputError(`unknown input "${k}"`, { hint: `the model's inputs are: ${this.inputNames.join(', ')}` });
    }
    const shapes: Record<string, readonly number[]> = {};
    for (const name of this.inputNames) {
      const t = feeds[name];
      if (!t) throw new InputError(`missing input "${name}"`, { hint: `the model's inputs are: ${this.inputNames.join(', ')}` });
      if (!(t instanceof Tensor)) throw new InputError(`input "${name}" must be a fovea Tensor`);
      shapes[name] = t.dims;
    }
    let values: Map<string, HostTensor> | undefined;
    if (this.valueInputs.size) {
      values = new Map();
      for (const name of this.valueInputs) {
        const t = feeds[name];
        const dtype = this.model.values.get(name)!.dtype;
        if (t.type !== tensorTypeOf(dtype)) throw new InputError(`input "${name}" must be ${tensorTypeOf(dtype)}, got ${t.type}`);
        const host = t.location === 'gpu-buffer' ? new Tensor(t.type, await t.getData(), t.dims) : t;
        const data = toGpuElements(host);
        values.set(name, { dtype, dims: [...t.dims], data: data instanceof Uint16Array ? Float32Array.from(data) : data instanceof Uint8Array ? Int32Array.from(data) : data.slice() });
      }
      const key = JSON.stringify([...values].map(([n, v]) => [n, v.dims, Array.from(v.data)]));
      if (this.compiled && key !== this.compiledKey) {
        // Other shape-deciding values than the compiled ones: compile again for these.
        const old = this.compiled;
        this.compiled = undefined;
        await (await old.catch(() => undefined))?.executor.release();
      }
      this.compiledKey = key;
    }
    const { graph, plan, executor } = await this.compile(shapes, values);
    const data = new Map<string, Feed>();
    for (const inp of plan.inputs) {
      const t = feeds[inp.name];
      // The type the file declares; the graph's may differ by an absorbed boundary Cast.
      const declared = this.model.values.get(inp.name)?.dtype ?? inp.dtype;
      const want = tensorTypeOf(declared);
      if (t.type !== want) throw new InputError(`input "${inp.name}" must be ${want}, got ${t.type}`);
      if (t.dims.length !== inp.shape.length || t.dims.some((d, i) => d !== inp.shape[i])) {
        throw new InputError(`input "${inp.name}" has dims [${t.dims.join(',')}], the session expects [${inp.shape.join(',')}]`, {
          shapes: { expected: inp.shape, got: t.dims },
          hint: 'shapes are bound at create (freeDimensions) or by the first run; create another session for other shapes',
        });
      }
      if (t.location === 'gpu-buffer' && !(t.gpuBuffer.usage & GPUBufferUsage.COPY_SRC)) {
        // The feed is copied buffer to buffer: without COPY_SRC the copy is a validation error
        // that WebGPU reports only asynchronously, and the run would read stale data.
        throw new InputError(`input "${inp.name}" is a GPU buffer without COPY_SRC usage`, { hint: 'create it with GPUBufferUsage.COPY_SRC' });
      }
      if (t.location === 'gpu-buffer' && t.type === 'float16' && !isHalfStorage(inp.storage)) {
        throw new InputError(`input "${inp.name}" is a float16 GPU buffer, but this device stores float16 as f32`, {
          hint: "float16 GPU tensors need a device with the 'shader-f16' feature; pass the data on the CPU",
        });
      }
      if (t.location === 'gpu-buffer' && declared !== inp.dtype) {
        // The graph reads this input as another float type (an absorbed Cast): convert on the host.
        const bytes = t.type === 'float16' ? 2 * t.size : 4 * t.size;
        const host = fromElements(declared, [...t.dims], await downloadBuffer(this.device, t.gpuBuffer, bytes), t.type === 'float16' ? 'f16' : 'f32');
        data.set(inp.name, toGpuElements(host, inp.storage, inp.dtype));
        continue;
      }
      data.set(inp.name, t.location === 'gpu-buffer' ? t.gpuBuffer : toGpuElements(t, inp.storage, inp.dtype));
    }
    let profile: RunProfile | undefined;
    let raw: Map<string, ArrayBuffer | GPUBuffer>;
    if (runOptions.profile) {
      const p = await executor.profile(data);
      raw = p.outputs;
      const dispatches = plan.dispatches.map((d, i) => ({ node: d.node, op: d.op, variant: d.variant, ms: p.ms[i] }));
      profile = { method: p.method, dispatches, totalMs: dispatches.reduce((a, d) => a + d.ms, 0) };
    } else {
      raw = await executor.run(data, runOptions.outputLocation === 'gpu-buffer');
    }
    const out: RunResult = {};
    for (const o of plan.outputs) {
      const r = raw.get(o.name);
      const declared = this.model.values.get(o.name)?.dtype ?? o.dtype;
      if (o.constant) out[o.name] = fromElements(declared, o.shape, o.constant.data);
      else if (r instanceof ArrayBuffer) out[o.name] = fromElements(declared, o.shape, r, o.storage, o.dtype);
      else if (declared !== o.dtype) out[o.name] = await this.convertedGpuOutput(r!, o, declared);
      else out[o.name] = this.gpuOutput(r!, o);
    }
    void graph;
    if (profile) Object.defineProperty(out, 'profile', { value: profile, enumerable: false });
    return out;
  }

  private gpuOutput(buffer: GPUBuffer, o: PlanTensor): Tensor {
    const type = tensorTypeOf(o.dtype) ?? 'float32';
    const n = o.shape.reduce((a, b) => a * b, 1);
    return Tensor.fromGpuBuffer(buffer, {
      dataType: type,
      dims: o.shape,
      download: async () => elementsToData(type, await downloadBuffer(this.device, buffer, o.bytes), n, o.storage),
      dispose: () => buffer.destroy(),
    });
  }

  /** A GPU output whose declared type differs from the graph's (an absorbed boundary Cast):
   * read back, converted as the Cast would, and placed in a new buffer of the declared type. */
  private async convertedGpuOutput(buffer: GPUBuffer, o: PlanTensor, declared: DType): Promise<Tensor> {
    const host = fromElements(declared, o.shape, await downloadBuffer(this.device, buffer, o.bytes), o.storage, o.dtype);
    buffer.destroy();
    const bits = host.type === 'float16' ? toGpuElements(host, 'f16') : (host.data as Float32Array);
    const out = this.device.createBuffer({ size: Math.max(4, Math.ceil(bits.byteLength / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: `output ${o.name}` });
    this.device.queue.writeBuffer(out, 0, bits.buffer, bits.byteOffset, Math.ceil(bits.byteLength / 4) * 4);
    return Tensor.fromGpuBuffer(out, {
      dataType: host.type,
      dims: o.shape,
      download: async () => elementsToData(host.type, await downloadBuffer(this.device, out, bits.byteLength), host.size, host.type === 'float16' ? 'f16' : 'f32'),
      dispose: () => out.destroy(),
    });
  }

  /** Reads an intermediate value by name after a run (feature maps). */
  async fetchValue(name: string): Promise<Tensor> {
    const c = await this.compiledOrThrow();
    const v = c.graph.values.get(name);
    if (!v?.shape) throw new SessionError(`no value named "${name}"`);
    const k = c.graph.initializers.get(name);
    if (k) return fromElements(k.dtype, k.dims, k.data);
    const n = v.shape.reduce((a, b) => a * b, 1);
    const limits = c.limits;
    return fromElements(v.dtype, v.shape, await c.executor.readValue(name, storageBytes(v.dtype, n, limits)), storageOf(v.dtype, limits));
  }

  /** The optimised graph (after all passes). Available once shapes are bound. */
  async graph(): Promise<Graph> {
    return (await this.compiledOrThrow()).graph;
  }

  private compiledOrThrow() {
    return this.compiled ?? this.compile();
  }

  async stats(): Promise<SessionStats> {
    const { plan, memory } = await this.compiledOrThrow();
    const weights = plan.buffers.filter((b) => b.init);
    return {
      dispatches: plan.dispatches.length,
      buffers: memory.physical.length + weights.length,
      activationBytes: memory.peakBytes,
      activationBytesNoReuse: memory.naiveBytes,
      weightBytes: weights.reduce((a, b) => a + b.bytes, 0),
      pipelines: new Set(plan.dispatches.map((d) => d.code)).size,
      adapter: this.adapter,
      kernels: plan.dispatches.map((d) => ({ node: d.node, op: d.op, variant: d.variant })),
    };
  }

  /** Pipelines cached on this session's device (shared across sessions). */
  get cachedPipelines(): number {
    return pipelineCacheSize(this.device);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const c = await this.compiled?.catch(() => undefined);
    await c?.executor.release();
  }
}
