// The contract every op file fulfils. One ONNX op per file, one registry entry each:
// parse attributes (with the ONNX spec's defaults), infer output types and shapes, optionally
// evaluate on the host (for constant inputs: the shape chains PyTorch exports), and emit GPU
// dispatches through a KernelBuilder. No class hierarchies: an op is a plain object.
import type { DType, HostTensor, Node } from '../ir/types.js';

export interface TypeShape {
  dtype: DType;
  shape: number[];
}

export interface OpContext {
  readonly node: Node;
  /** The model's default-domain opset (older attribute forms depend on it). */
  readonly opset: number;
  /** Whether optional input i is present. */
  has(i: number): boolean;
  /** Input i's value when it is constant (an initializer or folded); undefined otherwise. */
  constant(i: number): HostTensor | undefined;
}

/** A region of a GPU buffer the executor owns. Offsets and sizes are in bytes. */
export interface BufferRef {
  readonly id: number;
  readonly offset?: number;
  readonly size?: number;
}

export interface DispatchSpec {
  /** Shader file name under shaders/, without .wgsl. */
  shader: string;
  /** Compile-time specialisation: `{{KEY}}` substitutions and `#if KEY` blocks. Part of the pipeline cache key. */
  defines?: Record<string, string | number | boolean>;
  /** Human label of the kernel variant (GPU object labels, profiles, `fovea info`). */
  variant: string;
  /** Storage bindings by their WGSL variable name. */
  bindings: Record<string, BufferRef>;
  /** Members of the shader's `params` uniform struct by name (runtime values, not in the cache key). */
  uniforms?: Record<string, number | readonly number[]>;
  /** Workgroup counts; each ≤ limits.maxComputeWorkgroupsPerDimension. */
  workgroups: [number, number?, number?];
}

export interface KernelLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
  maxStorageBuffersPerShaderStage: number;
  /** The adapter's smallest subgroup size where the device has the 'subgroups' feature, else 0. */
  subgroupMinSize: number;
  /** A CPU implementation of WebGPU (lavapipe, SwiftShader): kernel choices measured there apply. */
  softwareAdapter: boolean;
  /** The device has 'shader-f16': float16 values are stored as f16 (2 bytes), else as f32
   * (runtime/gpu/elements.ts). */
  shaderF16: boolean;
  /** Without shader-f16, float16 values are packed two per word (p16, runtime/gpu/elements.ts);
   * false: stored as f32. Decided per graph (valueStorage in runtime/gpu/plan.ts). */
  packedF16: boolean;
  /** int8 / uint8 values packed four per word (i8 / u8, runtime/gpu/elements.ts); false: widened
   * to i32. Decided per graph (valueStorage in runtime/gpu/plan.ts). */
  packedInt8: boolean;
  /** WGSL has packed_4x8_integer_dot_product (dot4I8Packed, dot4U8Packed): the int8 kernels. */
  packedDot4x8: boolean;
}

export interface KernelOptions {
  /** Force a kernel variant by name where an op has several (tests run every variant). */
  forceAlgorithm?: string;
  /** A variant by op type, for every node of that type where it applies (the others keep the
   * automatic choice; 'auto': the automatic choice). Wins over forceAlgorithm. The session's
   * convAlgorithm option is `variantByOp.Conv`. */
  variantByOp?: Readonly<Record<string, string>>;
  /** A variant by node name: wins over variantByOp and forceAlgorithm ('auto': the automatic
   * choice for that node, whatever those say); an error where it cannot run the node. The
   * session's convAlgorithmByNode option. */
  variantByNode?: Readonly<Record<string, string>>;
  /** The GEMM kernel of 'pointwise' and 'im2col' convs: 'tiled' (shaders/conv-gemm.wgsl),
   * 'subgroup' (shaders/conv-gemm-sg.wgsl, where the device has subgroups of 4 or more lanes and
   * the weights are constant; elsewhere 'tiled'), or 'auto' (the default: see conv-gemm.ts). */
  gemmKernel?: GemmKernel;
}

export type GemmKernel = 'auto' | 'tiled' | 'subgroup';

export interface KernelBuilder {
  readonly node: Node;
  readonly inputs: (TypeShape | undefined)[];
  readonly outputs: TypeShape[];
  readonly limits: KernelLimits;
  readonly options: KernelOptions;
  /** The buffer of graph input i (uploaded once at create when it is a constant). */
  input(i: number): BufferRef;
  output(i: number): BufferRef;
  constant(i: number): HostTensor | undefined;
  /** Input i already sits in its place in output 0 (Concat elision, see runtime/gpu/plan.ts): no copy needed. */
  inPlace(i: number): boolean;
  /** A read-only buffer uploaded once at create (e.g. re-laid-out weights). `key` is unique within
   * the node. With `as`, the values are stored as that dtype's GPU elements (float16 values as f16
   * where the device stores them so: runtime/gpu/elements.ts); else as the array's own bytes. */
  weight(key: string, data: Float32Array | Int32Array | Uint32Array | Uint16Array, as?: DType): BufferRef;
  /** A temporary buffer private to this node. */
  scratch(bytes: number): BufferRef;
  dispatch(d: DispatchSpec): void;
}

export interface OpDef<A = any> {
  /** The ONNX op type, exactly as in the spec. */
  opType: string;
  /** '' (default) for ai.onnx. */
  domain?: string;
  /** Parse and validate attributes, applying the spec's defaults (may depend on ctx.opset and constant inputs). */
  parse(ctx: OpContext): A;
  /** Output dtypes and static shapes. Throw ShapeError on invalid input. */
  infer(inputs: (TypeShape | undefined)[], attrs: A, ctx: OpContext): TypeShape[];
  /** Host evaluation when every input is constant. */
  cpu?(inputs: (HostTensor | undefined)[], attrs: A, ctx: OpContext): HostTensor[];
  /** Inputs whose values decide output shapes or compile-time parameters (Reshape's shape, Slice's
   * starts, Clip's bounds…): they must be constant when the session compiles. When such an input
   * is a graph input, the session binds it from the first run's feed, like a free dim, and
   * compiles again if a later feed has other values. */
  shapeInputs?: readonly number[];
  /** Constant outputs computable from static input shapes alone (Shape, Size), even when the
   * inputs themselves are not constant. Return undefined when not applicable. */
  foldFromShapes?(inputs: (TypeShape | undefined)[], attrs: A, ctx: OpContext): HostTensor[] | undefined;
  /** Output 0 reuses input 0's buffer unchanged (Reshape, Flatten, Identity…): no dispatch for it.
   * A view's gpu(), if any, runs only when the node has further named outputs, and writes those. */
  view?: boolean;
  /** Its kernels take float16 values in f16 storage (runtime/gpu/elements.ts). The planner refuses
   * a node with an f16-stored value whose op does not say so (a typed error, never a kernel that
   * would read f16 bits as f32); float16 stored as f32 (devices without shader-f16) runs anywhere. */
  float16?: boolean;
  /** Its kernels also take float16 values packed two per word (p16: devices without shader-f16).
   * A graph with a float16 value at a node whose op does not say so stores float16 as f32. */
  packedF16?: boolean;
  /** Its kernels also take int8 / uint8 values packed four per word (i8 / u8). A graph with an
   * 8-bit value at a node whose op does not say so widens 8-bit values to i32. */
  packedInt8?: boolean;
  /** The names of its kernel variants, for the variant options (SessionOptions.forceAlgorithm,
   * convAlgorithm / convAlgorithmByNode): validated against these at create, generically. */
  variants?: readonly string[];
  /** Emit the GPU dispatches. Absent for ops that only run on constant inputs. */
  gpu?(k: KernelBuilder, attrs: A): void;
}
