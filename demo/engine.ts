// Where the demo's inference runs: an Engine owns the model's sessions and answers in plain data
// (typed arrays, dims), so that the same interface works on the page's main thread
// (LocalEngine, here) and in a Web Worker (WorkerEngine in worker-client.ts, which forwards to
// a LocalEngine inside demo/worker.ts).
//
// load() downloads the model itself (streamed, with byte progress) and keeps the bytes: feature
// maps and CAM need a second session created with keepValues (InferenceSession only keeps the
// intermediate values it was told to keep at create), and that one is built from the same
// bytes instead of downloading the model again.
import { InferenceSession, Tensor, acquireDevice, describeInput, floatValues, type RunProfile, type SessionStats } from 'fovea';
import { findCam, listLayers, type CamInfo, type LayerInfo } from './graph-info.js';

export type ProgressStage = 'download' | 'compile';
export type Progress = (loaded: number, total: number | undefined, stage: ProgressStage) => void;

/** A model to load: a URL (fetched, streamed) or bytes already in memory (a dropped file). */
export type ModelSource = { url: string } | { bytes: ArrayBuffer; name: string };

export type AdapterReport = { ok: true; text: string } | { ok: false; reason: 'no-navigator-gpu' | 'no-adapter'; message: string };

export interface ModelSummary {
  name: string;
  bytes: number;
  /** `type`: the declared element type (float16 models take a float16 tensor). */
  input: { name: string; declared: (number | string)[]; dims: number[]; type: string };
  output: { name: string; declared: (number | string)[]; dims: number[]; type: string };
  /** Values with an image-like [1, C, H, W] shape in the optimised graph: the feature maps. */
  layers: LayerInfo[];
  /** Set when the model ends in global average pooling + a linear layer. */
  cam?: CamInfo;
  stats: SessionStats;
  createMs: number;
  firstRunMs: number;
}

export interface RunResult {
  scores: Float32Array;
  ms: number;
}

export interface FeatureMap {
  dims: number[];
  data: Float32Array;
}

export interface Engine {
  readonly inWorker: boolean;
  adapter(): Promise<AdapterReport>;
  load(source: ModelSource, onProgress: Progress): Promise<ModelSummary>;
  /** Runs the loaded model on one input of summary.input.dims; returns its first output. */
  run(input: Float32Array): Promise<RunResult>;
  /** Runs the model keeping `values`, and returns them (feature maps). */
  inspect(input: Float32Array, values: string[]): Promise<Record<string, FeatureMap>>;
  /** One run with every dispatch timed (GPU timestamps where the adapter has them). */
  profile(input: Float32Array): Promise<RunProfile>;
}

/** Streams a URL into memory, reporting bytes as they arrive. */
export async function download(url: string, onProgress: Progress): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${(e as Error).message} (for another origin, the server must allow it with CORS)`);
  }
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  const header = res.headers.get('content-length');
  const total = header ? Number(header) : undefined;
  onProgress(0, total, 'download');
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onProgress(buf.byteLength, total ?? buf.byteLength, 'download');
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total, 'download');
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out.buffer;
}

function adapterText(i: { vendor: string; architecture: string; description: string }): string {
  return [i.vendor, i.architecture, i.description].filter(Boolean).join(' · ') || 'unnamed adapter';
}

export class LocalEngine implements Engine {
  readonly inWorker: boolean;
  private session: InferenceSession | undefined;
  private bytes: Uint8Array | undefined;
  private summary: ModelSummary | undefined;
  private inspector: { key: string; session: Promise<InferenceSession> } | undefined;

  constructor(inWorker = false) {
    this.inWorker = inWorker;
  }

  async adapter(): Promise<AdapterReport> {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (!nav?.gpu) {
      return {
        ok: false,
        reason: 'no-navigator-gpu',
        message: (globalThis as { isSecureContext?: boolean }).isSecureContext === false
          ? 'This page is not a secure context, and browsers only expose WebGPU to pages served over https or from localhost.'
          : `This browser does not expose navigator.gpu${this.inWorker ? ' to Web Workers' : ''}.`,
      };
    }
    try {
      const { adapterInfo } = await acquireDevice();
      return { ok: true, text: adapterText(adapterInfo) };
    } catch (e) {
      return { ok: false, reason: 'no-adapter', message: `The browser has navigator.gpu but gave no WebGPU adapter (WebGPU may be disabled, or blocked for this GPU): ${(e as Error).message}` };
    }
  }

  async load(source: ModelSource, onProgress: Progress): Promise<ModelSummary> {
    await this.unload();
    const name = 'url' in source ? decodeURIComponent(new URL(source.url, (globalThis as { location?: { href: string } }).location?.href).pathname.split('/').pop() ?? source.url) : source.name;
    const buf = 'url' in source ? await download(source.url, onProgress) : source.bytes;
    if ('bytes' in source) onProgress(buf.byteLength, buf.byteLength, 'download');
    const bytes = new Uint8Array(buf);
    const t0 = performance.now();
    const session = await InferenceSession.create(bytes, { onProgress: (l, t, stage) => stage === 'compile' && onProgress(l, t, 'compile') });
    const createMs = performance.now() - t0;
    try {
      if (session.inputNames.length !== 1) throw new Error(`the model has ${session.inputNames.length} inputs; an image classifier has one`);
      const inMeta = session.inputMetadata[0];
      const input = describeInput(inMeta.name, inMeta.dims);
      // The first run binds free dims (batch 1) and compiles what create could not: timed apart.
      const t1 = performance.now();
      const zeros = new Float32Array(input.dims.reduce((a, b) => a * b, 1));
      const out = await session.run({ [inMeta.name]: feed(zeros, { dims: input.dims, type: inMeta.type }) });
      const firstRunMs = performance.now() - t1;
      const graph = await session.graph();
      const outName = session.outputNames[0];
      this.session = session;
      this.bytes = bytes;
      this.summary = {
        name,
        bytes: bytes.length,
        input: { name: inMeta.name, declared: [...inMeta.dims], dims: input.dims, type: inMeta.type },
        output: { name: outName, declared: [...session.outputMetadata[0].dims], dims: [...out[outName].dims], type: session.outputMetadata[0].type },
        layers: listLayers(graph),
        cam: findCam(graph),
        stats: await session.stats(),
        createMs,
        firstRunMs,
      };
      return this.summary;
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  private async unload(): Promise<void> {
    const s = this.session;
    const i = this.inspector;
    this.session = undefined;
    this.summary = undefined;
    this.bytes = undefined;
    this.inspector = undefined;
    await s?.release();
    await (await i?.session.catch(() => undefined))?.release();
  }

  private loaded(): { session: InferenceSession; summary: ModelSummary; bytes: Uint8Array } {
    if (!this.session || !this.summary || !this.bytes) throw new Error('no model loaded');
    return { session: this.session, summary: this.summary, bytes: this.bytes };
  }

  async run(input: Float32Array): Promise<RunResult> {
    const { session, summary } = this.loaded();
    const t = performance.now();
    const out = await session.run({ [summary.input.name]: feed(input, summary.input) });
    const ms = performance.now() - t;
    return { scores: floatValues(out[summary.output.name]), ms };
  }

  async profile(input: Float32Array): Promise<RunProfile> {
    const { session, summary } = this.loaded();
    const out = await session.run({ [summary.input.name]: feed(input, summary.input) }, { profile: true });
    if (!out.profile) throw new Error('the runtime returned no profile');
    return out.profile;
  }

  async inspect(input: Float32Array, values: string[]): Promise<Record<string, FeatureMap>> {
    const { summary, bytes } = this.loaded();
    const keep = [...new Set(values)].sort();
    const key = JSON.stringify(keep);
    if (this.inspector?.key !== key) {
      const old = this.inspector;
      this.inspector = { key, session: InferenceSession.create(bytes, { keepValues: keep, freeDimensions: freeDims(summary) }) };
      void old?.session.then((s) => s.release(), () => {});
    }
    const session = await this.inspector.session;
    await session.run({ [summary.input.name]: feed(input, summary.input) });
    const out: Record<string, FeatureMap> = {};
    for (const v of keep) {
      const t = await session.fetchValue(v);
      // A copy when decoded from float16; the worker transfers these buffers.
      out[v] = { dims: [...t.dims], data: floatValues(t) };
    }
    return out;
  }
}

/** The input tensor for float32 values, in the input's declared type: a float16 input takes
 * `new Tensor('float16', numbers, dims)` (numbers are values, rounded to float16). Other types
 * go as float32, which the session refuses with an InputError naming both types. */
export function feed(values: Float32Array, input: { dims: number[]; type: string }): Tensor {
  return input.type === 'float16' ? new Tensor('float16', Array.from(values), input.dims) : new Tensor('float32', values, input.dims);
}

/** The free dims of the input, bound as the main session bound them (from summary.input.dims). */
function freeDims(summary: ModelSummary): Record<string, number> {
  const free: Record<string, number> = {};
  summary.input.declared.forEach((d, i) => {
    if (typeof d === 'string') free[d] = summary.input.dims[i];
  });
  return free;
}
