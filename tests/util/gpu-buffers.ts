// Counts live GPU buffers: wraps GPUDevice.prototype.createBuffer and GPUBuffer.prototype.destroy
// (dawn.node's classes are globals once a device has been acquired). Tests use it to check that
// sessions destroy every buffer they make — on release, on failure paths, and across runs.
import { acquireDevice } from '../../runtime/index.node.js';

export interface BufferTracker {
  /** Buffers created since tracking started and not destroyed yet. */
  readonly live: ReadonlySet<GPUBuffer>;
  /** Total bytes of the live buffers. */
  liveBytes(): number;
  /** Buffers created since tracking started. */
  created(): number;
  /** Restores the original methods. */
  stop(): void;
}

type Classes = { GPUDevice: { prototype: GPUDevice }; GPUBuffer: { prototype: GPUBuffer } };

/** Starts tracking (acquires the shared device first, so that the globals exist). */
export async function trackBuffers(): Promise<BufferTracker> {
  await acquireDevice();
  const g = globalThis as unknown as Partial<Classes>;
  if (!g.GPUDevice || !g.GPUBuffer) throw new Error('GPUDevice/GPUBuffer globals are missing: is this dawn.node?');
  const deviceProto = g.GPUDevice.prototype;
  const bufferProto = g.GPUBuffer.prototype;
  const createBuffer = deviceProto.createBuffer;
  const destroy = bufferProto.destroy;
  const live = new Set<GPUBuffer>();
  let created = 0;
  deviceProto.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor): GPUBuffer {
    const b = createBuffer.call(this, d);
    live.add(b);
    created++;
    return b;
  };
  bufferProto.destroy = function (this: GPUBuffer): undefined {
    live.delete(this);
    return destroy.call(this);
  };
  return {
    live,
    liveBytes: () => [...live].reduce((a, b) => a + b.size, 0),
    created: () => created,
    stop() {
      deviceProto.createBuffer = createBuffer;
      bufferProto.destroy = destroy;
    },
  };
}
