// The speed peers on the same adapter, in Node over dawn.node:
//   - onnxruntime-web's WebGPU provider (runs in Node when navigator.gpu is dawn.node's GPU and
//     GPUQueue.writeBuffer copies views that sit on a SharedArrayBuffer, which dawn.node refuses);
//   - onnxruntime-node's `webgpu` provider (Dawn built in; same Vulkan ICD env vars).
import { nodeGpuProvider } from '../runtime/gpu/node-gpu.js';

export interface PeerSession {
  run(input: Float32Array, dims: number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

let ortWeb: Promise<typeof import('onnxruntime-web')> | undefined;

async function loadOrtWeb(): Promise<typeof import('onnxruntime-web')> {
  const { gpu } = await nodeGpuProvider.gpu();
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  (g.navigator as { gpu?: GPU }).gpu = gpu;
  const Q = (globalThis as unknown as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const orig = Q.writeBuffer;
  Q.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number) {
    const view = ArrayBuffer.isView(data) ? data : null;
    if (view && view.buffer instanceof SharedArrayBuffer) {
      const copy = new Uint8Array(view.byteLength);
      copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      const bpe = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      return orig.call(this, buffer, offset, copy, (dataOffset ?? 0) * bpe, size !== undefined ? size * bpe : undefined);
    }
    return orig.call(this, buffer, offset, data as BufferSource, dataOffset, size);
  } as typeof Q.writeBuffer;
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  const req = createRequire(import.meta.url);
  // The package's exports map hides package.json; resolve its CommonJS entry (dist/ort.min.js).
  const dir = req.resolve('onnxruntime-web').replace(/[^/\\]+$/, '');
  const ort = (await import(pathToFileURL(dir + 'ort.webgpu.bundle.min.mjs').href)) as typeof import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = pathToFileURL(dir).href + '/';
  ort.env.logLevel = 'error';
  return ort;
}

/** onnxruntime-web's WebGPU provider in Node (over dawn.node). */
export function ortWebSession(model: Uint8Array, inputName: string): Promise<PeerSession> {
  return ortWebProvider(model, inputName, 'webgpu', 1);
}

/** onnxruntime-web's wasm provider (SIMD, 2 threads), in Node: the CPU peer of a web page. */
export function ortWasmSession(model: Uint8Array, inputName: string): Promise<PeerSession> {
  return ortWebProvider(model, inputName, 'wasm', 2);
}

async function ortWebProvider(model: Uint8Array, inputName: string, provider: 'webgpu' | 'wasm', threads: number): Promise<PeerSession> {
  ortWeb ??= loadOrtWeb();
  const ort = await ortWeb;
  ort.env.wasm.numThreads = threads;
  const s = await ort.InferenceSession.create(model, { executionProviders: [provider], graphOptimizationLevel: 'all' });
  const outName = s.outputNames[0];
  return {
    async run(input, dims) {
      const out = await s.run({ [inputName]: new ort.Tensor('float32', input, dims) });
      return out[outName].data as Float32Array;
    },
    release: () => s.release(),
  };
}

export async function ortNodeWebgpuSession(model: Uint8Array, inputName: string): Promise<PeerSession> {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
  const outName = s.outputNames[0];
  return {
    async run(input, dims) {
      const out = await s.run({ [inputName]: new ort.Tensor('float32', input, dims) });
      return out[outName].data as Float32Array;
    },
    release: () => s.release(),
  };
}
