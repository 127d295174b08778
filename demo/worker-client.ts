// The page's side of the demo's Web Worker (demo/worker.ts): an Engine whose calls are messages.
// Inputs are copied to the worker; outputs come back as transferred buffers.
import type { RunProfile } from 'fovea';
import type { AdapterReport, Engine, FeatureMap, ModelSource, ModelSummary, Progress, RunResult } from './engine.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  progress?: Progress;
}

export class WorkerEngine implements Engine {
  readonly inWorker = true;
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'fovea-demo' });
    this.worker.onmessage = (e: MessageEvent) => {
      const m = e.data as { id: number; progress?: [number, number | undefined, 'download' | 'compile']; result?: unknown; error?: { name: string; message: string } };
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.progress) {
        p.progress?.(...m.progress);
        return;
      }
      this.pending.delete(m.id);
      if (m.error) {
        const err = new Error(m.error.message);
        err.name = m.error.name;
        p.reject(err);
      } else {
        p.resolve(m.result);
      }
    };
    this.worker.onerror = (e: ErrorEvent) => {
      const err = new Error(`the inference worker failed: ${e.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private call<T>(op: string, args?: unknown, progress?: Progress): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.worker.postMessage({ id, op, args });
    });
  }

  adapter(): Promise<AdapterReport> {
    return this.call('adapter');
  }

  load(source: ModelSource, onProgress: Progress): Promise<ModelSummary> {
    return this.call('load', { source }, onProgress);
  }

  run(input: Float32Array): Promise<RunResult> {
    return this.call('run', { input });
  }

  inspect(input: Float32Array, values: string[]): Promise<Record<string, FeatureMap>> {
    return this.call('inspect', { input, values });
  }

  profile(input: Float32Array): Promise<RunProfile> {
    return this.call('profile', { input });
  }
}
