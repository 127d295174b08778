// Device limits for tests that plan graphs without a device: WebGPU's guaranteed minimums
// (storage bindings 128 MiB, 16 KiB of workgroup memory, 8 storage buffers per stage), no
// subgroups, a hardware adapter: the plans such tests check are those any adapter can run.
import type { KernelLimits } from '../../runtime/ops/types.js';

export const TEST_LIMITS: KernelLimits = {
  maxStorageBufferBindingSize: 1 << 27,
  maxBufferSize: 1 << 28,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
  subgroupMinSize: 0,
  softwareAdapter: false,
};
