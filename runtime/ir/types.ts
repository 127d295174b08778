// The IR is plain data: nodes, values with a dtype and a static shape, and initializers.
// Passes are pure functions Graph -> Graph (see runtime/passes/index.ts).

/** Logical element types (ONNX names, lower case). On the GPU every element takes 4 bytes:
 * float32 as f32, the integer types (int64 saturated to int32) as i32, bool as u32 0/1. */
export type DType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'string';

/** Host (CPU) tensor data: float32 in a Float32Array, float64 in a Float64Array, every integer
 * and bool type in an Int32Array (int64 saturated to ±(2^31 - 1), which keeps the meaning of
 * the INT64_MAX/INT64_MIN sentinels Slice and friends use). */
export type HostData = Float32Array | Float64Array | Int32Array;

export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: HostData;
}

export type AttributeValue =
  | number
  | string
  | number[]
  | string[]
  | HostTensor
  | HostTensor[]
  | { graph: unknown };

export interface Node {
  name: string;
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface ValueInfo {
  name: string;
  dtype: DType;
  /** Static shape; null until shape inference has run. Symbolic dims are bound at create. */
  shape: number[] | null;
  /** The model's declared dims: numbers, or names of free (symbolic) dims bound at create. */
  declared?: (number | string)[];
}

export interface Graph {
  name: string;
  /** Default-domain opset version. */
  opset: number;
  /** Other domains' opset versions. */
  opsets: Record<string, number>;
  nodes: Node[];
  values: Map<string, ValueInfo>;
  initializers: Map<string, HostTensor>;
  inputs: string[];
  outputs: string[];
}

export function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    opsets: { ...g.opsets },
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
    values: new Map([...g.values].map(([k, v]) => [k, { ...v, shape: v.shape ? [...v.shape] : null }])),
    initializers: new Map(g.initializers),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
  };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float16' || d === 'float64';
}
