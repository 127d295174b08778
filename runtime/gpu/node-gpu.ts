// WebGPU in Node through the `webgpu` package (dawn.node). Chooses a Vulkan driver before the
// first instance is created (the Vulkan loader reads VK_ICD_FILENAMES then):
//   1. FOVEA_ADAPTER=hardware|lavapipe|swiftshader, or VK_ICD_FILENAMES set by the user;
//   2. a hardware Vulkan driver if one is installed;
//   3. Mesa lavapipe unpacked by scripts/setup-system.sh (~/.cache/fovea/lavapipe);
//   4. the SwiftShader that Debian's chromium ships (forceFallbackAdapter);
//   else a DeviceError that says what to install.
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GpuProvider } from './device.js';
import { DeviceError } from '../errors.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export function lavapipeIcd(): string {
  const dir = process.env.FOVEA_CACHE_DIR ?? join(homedir(), '.cache', 'fovea');
  return join(dir, 'lavapipe', 'icd.json');
}

function hardwareIcds(): string[] {
  const dirs = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.json') && !/lvp|swiftshader|virtio|gfxstream/.test(f)) out.push(join(d, f));
  }
  return out;
}

export type AdapterChoice = 'user' | 'hardware' | 'lavapipe' | 'swiftshader';

export function chooseAdapter(): { choice: AdapterChoice; icd?: string } {
  const forced = process.env.FOVEA_ADAPTER as AdapterChoice | undefined;
  if (forced === 'lavapipe') return { choice: 'lavapipe', icd: lavapipeIcd() };
  if (forced === 'swiftshader') return { choice: 'swiftshader', icd: SWIFTSHADER_ICD };
  if (forced === 'hardware') return { choice: 'hardware' };
  if (process.env.VK_ICD_FILENAMES) return { choice: 'user' };
  if (hardwareIcds().length) return { choice: 'hardware' };
  if (existsSync(lavapipeIcd())) return { choice: 'lavapipe', icd: lavapipeIcd() };
  if (existsSync(SWIFTSHADER_ICD)) return { choice: 'swiftshader', icd: SWIFTSHADER_ICD };
  throw new DeviceError('no Vulkan driver for WebGPU in Node was found', {
    hint: 'run "npm run setup" (installs Mesa lavapipe and chromium), or install a GPU Vulkan driver',
  });
}

let instance: Promise<{ gpu: GPU; choice: AdapterChoice }> | undefined;

export const nodeGpuProvider: GpuProvider = {
  async gpu() {
    if (!instance) {
      instance = (async () => {
        const { choice, icd } = chooseAdapter();
        if (icd) process.env.VK_ICD_FILENAMES = icd;
        process.env.XDG_RUNTIME_DIR ??= '/tmp';
        let mod: { create(flags: string[]): GPU; globals: Record<string, unknown> };
        try {
          mod = (await import('webgpu')) as unknown as typeof mod;
        } catch (e) {
          throw new DeviceError('the "webgpu" package (dawn.node) could not be loaded', { hint: 'npm install webgpu', cause: e });
        }
        for (const [k, v] of Object.entries(mod.globals)) {
          if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
        }
        throttlePollingDuringMapAsync(mod.globals.GPUBuffer as { prototype: GPUBuffer });
        return { gpu: mod.create([]), choice };
      })();
    }
    const { gpu, choice } = await instance;
    return {
      gpu,
      label: `dawn.node/${choice}`,
      adapterOptions: choice === 'swiftshader' ? { forceFallbackAdapter: true } : { powerPreference: 'high-performance' },
    };
  },
};

/**
 * dawn.node waits for GPU work by re-arming `setImmediate` in a tight loop, which keeps one of
 * the machine's cores busy while lavapipe (a CPU driver) needs it: measured ~700k callbacks per
 * second and runs ~1.3-1.5x slower. While a mapAsync is pending (the one place Fovea waits on the
 * GPU), global setImmediate is replaced by a 1 ms timer; it is restored as soon as no map is
 * pending. Node only: the browser path never sees this. Opt out with FOVEA_NODE_POLL=immediate.
 */
function throttlePollingDuringMapAsync(GPUBufferClass: { prototype: GPUBuffer }): void {
  if (process.env.FOVEA_NODE_POLL === 'immediate') return;
  const proto = GPUBufferClass.prototype as GPUBuffer & { [k: symbol]: boolean };
  const marker = Symbol.for('fovea.throttledMapAsync');
  if (proto[marker]) return;
  proto[marker] = true;
  const original = proto.mapAsync;
  const immediate = globalThis.setImmediate;
  const throttled = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => setTimeout(fn, 1, ...args)) as unknown as typeof setImmediate;
  let pending = 0;
  proto.mapAsync = function (this: GPUBuffer, mode: GPUMapModeFlags, offset?: number, size?: number): Promise<undefined> {
    if (pending++ === 0) globalThis.setImmediate = throttled;
    const done = () => {
      if (--pending === 0) globalThis.setImmediate = immediate;
    };
    const p = original.call(this, mode, offset, size);
    p.then(done, done);
    return p;
  };
}
