// Acquires a GPUDevice: the caller's, else one from navigator.gpu (browser), else from the
// provider the Node entry point installs (dawn.node, see runtime/gpu/node-gpu.ts).
// The device is requested with the adapter's own limits: the defaults (e.g. 128 MiB storage
// bindings) are lower than many adapters allow.
import { DeviceError } from '../errors.js';
import type { KernelLimits } from '../ops/types.js';

export interface GpuProvider {
  /** Returns a GPU object (navigator.gpu-like) and a label for the adapter choice. */
  gpu(): Promise<{ gpu: GPU; adapterOptions?: GPURequestAdapterOptions; label: string }>;
}

let nodeProvider: GpuProvider | undefined;
export function setGpuProvider(p: GpuProvider): void {
  nodeProvider = p;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapterInfo: {
    vendor: string;
    architecture: string;
    description: string;
    backend: string;
    subgroupMinSize?: number;
    /** The GPU object's WGSL language features (GPU.wgslLanguageFeatures), where it has them. */
    wgslLanguageFeatures?: readonly string[];
  };
  /** Whether Fovea created the device (and so may destroy it on release). */
  owned: boolean;
}

const LIMITS: (keyof GPUSupportedLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
];

const lostReasons = new WeakMap<GPUDevice, string>();
const watched = new WeakSet<GPUDevice>();

/** Starts recording when `device` is lost (destroyed, driver reset, …); see deviceLost(). */
export function watchDevice(device: GPUDevice): void {
  if (watched.has(device)) return;
  watched.add(device);
  device.lost.then(
    (info) => lostReasons.set(device, info.message || info.reason || 'device lost'),
    () => {},
  );
}

/** Why a watched device was lost, or undefined while it is usable. */
export function deviceLost(device: GPUDevice): string | undefined {
  return lostReasons.get(device);
}

let shared: Promise<AcquiredDevice> | undefined;

/** One device per process/page is shared by sessions that do not bring their own. */
export function acquireDevice(): Promise<AcquiredDevice> {
  if (!shared) {
    shared = createDevice().catch((e) => {
      shared = undefined;
      throw e;
    });
    shared.then((d) =>
      d.device.lost.then(() => {
        shared = undefined;
      }),
    ).catch(() => {});
  }
  return shared;
}

async function createDevice(): Promise<AcquiredDevice> {
  let gpu: GPU | undefined;
  let adapterOptions: GPURequestAdapterOptions = { powerPreference: 'high-performance' };
  let backend = 'browser';
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && !nodeProvider) {
    gpu = nav.gpu;
  } else if (nodeProvider) {
    const p = await nodeProvider.gpu();
    gpu = p.gpu;
    adapterOptions = p.adapterOptions ?? adapterOptions;
    backend = p.label;
  }
  if (!gpu) {
    throw new DeviceError('WebGPU is not available', {
      hint: 'use a browser with WebGPU (Chrome/Edge 113+, Safari 26+, Firefox 141+) over https or localhost',
    });
  }
  const adapter = await gpu.requestAdapter(adapterOptions);
  if (!adapter) {
    throw new DeviceError('no WebGPU adapter was found', {
      hint: backend === 'browser' ? 'enable WebGPU/hardware acceleration in the browser' : `backend ${backend}: run "npm run setup" to install lavapipe or chromium's SwiftShader`,
    });
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) {
    const v = adapter.limits[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  // 'subgroups': the subgroup-broadcast GEMM for software adapters (shaders/conv-gemm-sg.wgsl).
  // 'shader-f16': float16 values stored and loaded as f16 (runtime/gpu/elements.ts).
  const requiredFeatures = (['timestamp-query', 'subgroups', 'shader-f16'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'fovea' });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  return {
    device,
    adapterInfo: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      backend,
      subgroupMinSize: (info as { subgroupMinSize?: number }).subgroupMinSize,
      wgslLanguageFeatures: wgslFeaturesOf(gpu),
    },
    owned: true,
  };
}

function wgslFeaturesOf(gpu: unknown): string[] | undefined {
  const f = (gpu as { wgslLanguageFeatures?: ReadonlySet<string> } | undefined)?.wgslLanguageFeatures;
  return f ? [...f] : undefined;
}

/** A CPU implementation of WebGPU (Mesa lavapipe/llvmpipe, SwiftShader, or any fallback adapter). */
export function isSoftwareAdapter(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  return /llvmpipe|lavapipe|swiftshader/i.test([info.vendor, info.architecture, info.description].join(' '));
}

/**
 * What kernels may be specialised on: the device's limits, the smallest subgroup size when the
 * 'subgroups' feature is enabled (0 otherwise), and whether the adapter is a CPU implementation
 * (some kernel choices are measured per kind of adapter). `info` is the adapter's, when known
 * (a caller's device tells it through GPUDevice.adapterInfo where the implementation has it).
 */
export function kernelLimits(device: GPUDevice, info?: AcquiredDevice['adapterInfo']): KernelLimits {
  const l = device.limits;
  const adapterInfo = info ?? (device as { adapterInfo?: GPUAdapterInfo & { subgroupMinSize?: number } }).adapterInfo;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    subgroupMinSize: device.features.has('subgroups') ? adapterInfo?.subgroupMinSize ?? 0 : 0,
    softwareAdapter: adapterInfo ? isSoftwareAdapter(adapterInfo) : false,
    shaderF16: device.features.has('shader-f16'),
    packedF16: !device.features.has('shader-f16'),
    packedInt8: true,
    // WGSL's packed_4x8_integer_dot_product (dot4I8Packed / dot4U8Packed: the int8 kernels). A
    // caller's device tells nothing of its GPU object: ask navigator.gpu where there is one;
    // dawn.node lists it on every adapter (Dawn polyfills it where the hardware lacks it).
    packedDot4x8: ((adapterInfo as { wgslLanguageFeatures?: readonly string[] } | undefined)?.wgslLanguageFeatures ?? wgslFeaturesOf((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) ?? ['packed_4x8_integer_dot_product']).includes('packed_4x8_integer_dot_product'),
  };
}

/** WebGPU's default limits (the spec's guaranteed minimums): plans made without a device. */
export const DEFAULT_LIMITS: KernelLimits = {
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 268435456,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
  subgroupMinSize: 0,
  softwareAdapter: false,
  shaderF16: false,
  packedF16: true,
  packedInt8: true,
  packedDot4x8: false,
};
