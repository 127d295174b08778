// Compute pipelines cached per device, keyed on the final WGSL text (which contains every
// compile-time specialisation). Sessions on the same device share it. Creation is wrapped in
// error scopes and checks getCompilationInfo, so a bad shader names its node and variant.
import { reflectShader, type ShaderReflection } from './shader.js';
import { CompileError } from '../errors.js';

export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  reflection: ShaderReflection;
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<CachedPipeline>>>();

export function pipelineCacheSize(device: GPUDevice): number {
  return caches.get(device)?.size ?? 0;
}

export function getPipeline(device: GPUDevice, code: string, label: string): Promise<CachedPipeline> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  let p = cache.get(code);
  if (!p) {
    p = createPipeline(device, code, label);
    cache.set(code, p);
    p.catch(() => cache!.delete(code));
  }
  return p;
}

async function createPipeline(device: GPUDevice, code: string, label: string): Promise<CachedPipeline> {
  const reflection = reflectShader(code);
  const entries: GPUBindGroupLayoutEntry[] = reflection.storage.map((s) => ({
    binding: s.binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type: s.readOnly ? 'read-only-storage' : 'storage' },
  }));
  if (reflection.uniform) {
    entries.push({ binding: reflection.uniform.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
  }
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    await device.popErrorScope();
    throw new CompileError(`WGSL compilation failed for ${label}: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`, {
      hint: 'set FOVEA_DUMP_WGSL to the node name to print the shader',
    });
  }
  const layout = device.createBindGroupLayout({ entries, label });
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout], label }),
      compute: { module, entryPoint: reflection.entry },
    });
  } catch (e) {
    await device.popErrorScope();
    throw new CompileError(`pipeline creation failed for ${label}: ${(e as Error).message}`, { cause: e });
  }
  const err = await device.popErrorScope();
  if (err) throw new CompileError(`pipeline creation failed for ${label}: ${err.message}`);
  return { pipeline, layout, reflection };
}
