// Fovea's Node entry point: the browser API plus file paths as model sources and WebGPU
// through dawn.node (the `webgpu` package).
import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPathReader, checkExternalLocation, sliceExternal } from '../loaders/onnx/source.js';
import { setGpuProvider } from './gpu/device.js';
import { nodeGpuProvider } from './gpu/node-gpu.js';
import { ModelLoadError } from './errors.js';

setGpuProvider(nodeGpuProvider);

setPathReader({
  isPath: (s) => !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(s) || s.startsWith('file:'),
  async read(p) {
    const path = p.startsWith('file:') ? fileURLToPath(p) : p;
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw new ModelLoadError(`could not read model file ${path}: ${(e as Error).message}`, { cause: e });
    }
  },
  external(modelPath) {
    const dir = dirname(resolve(modelPath.startsWith('file:') ? fileURLToPath(modelPath) : modelPath));
    const cache = new Map<string, Promise<Uint8Array>>();
    return async (location, offset, length) => {
      checkExternalLocation(location);
      const full = resolve(dir, location);
      if (!full.startsWith(dir + sep)) throw new ModelLoadError(`external data location "${location}" escapes the model's folder`);
      if (!cache.has(full)) {
        cache.set(full, (async () => {
          const real = await realpath(full).catch(() => full);
          if (!real.startsWith((await realpath(dir).catch(() => dir)) + sep)) throw new ModelLoadError(`external data "${location}" links outside the model's folder`);
          return new Uint8Array(await readFile(real));
        })().catch((e) => {
          throw e instanceof ModelLoadError ? e : new ModelLoadError(`could not read external data "${location}": ${(e as Error).message}`, { cause: e });
        }));
      }
      return sliceExternal(await cache.get(full)!, location, offset, length);
    };
  },
});

export * from './index.js';
