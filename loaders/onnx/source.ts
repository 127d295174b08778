// Where model bytes come from: bytes, a URL (streamed fetch with progress), a File/Blob, or a
// file path in Node (through a reader the Node entry point installs, so that the browser
// bundle never imports node:fs).
import { ModelLoadError } from '../../runtime/errors.js';
import type { ExternalReader } from './tensor-proto.js';

export type ModelSource = Uint8Array | ArrayBuffer | string | URL | Blob;
export type ProgressCallback = (loaded: number, total: number | undefined) => void;

export interface LoadedSource {
  bytes: Uint8Array;
  readExternal?: ExternalReader;
}

export interface PathReader {
  read(path: string): Promise<Uint8Array>;
  /** External data next to the model; must refuse locations that escape its folder. */
  external(modelPath: string): ExternalReader;
  isPath(s: string): boolean;
}

let pathReader: PathReader | undefined;
/** Installed by runtime/index.node.ts. */
export function setPathReader(r: PathReader): void {
  pathReader = r;
}

export async function readSource(source: ModelSource, onProgress?: ProgressCallback): Promise<LoadedSource> {
  if (source instanceof Uint8Array) return { bytes: source };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source) };
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const bytes = new Uint8Array(await source.arrayBuffer());
    onProgress?.(bytes.length, bytes.length);
    return { bytes };
  }
  const s = source instanceof URL ? source.href : String(source);
  if (pathReader && pathReader.isPath(s)) {
    const bytes = await pathReader.read(s);
    onProgress?.(bytes.length, bytes.length);
    return { bytes, readExternal: pathReader.external(s) };
  }
  const bytes = await fetchStreamed(s, onProgress);
  return { bytes, readExternal: urlExternalReader(s) };
}

export async function fetchStreamed(url: string, onProgress?: ProgressCallback): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`could not fetch ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError(`could not fetch ${url}: HTTP ${res.status}`);
  const lenHeader = res.headers.get('content-length');
  const total = lenHeader ? Number(lenHeader) : undefined;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress?.(bytes.length, total ?? bytes.length);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return bytes;
}

/** External data must stay beside the model: relative, no '..', no scheme. */
export function checkExternalLocation(location: string): void {
  const bad = location.startsWith('/') || location.startsWith('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) ||
    location.split(/[\\/]/).some((p) => p === '..');
  if (bad) {
    throw new ModelLoadError(`external data location "${location}" escapes the model's folder`, {
      hint: 'external data must be a relative path inside the model folder',
    });
  }
}

export function sliceExternal(bytes: Uint8Array, location: string, offset: number, length: number | undefined): Uint8Array {
  const end = length === undefined ? bytes.length : offset + length;
  if (offset > bytes.length || end > bytes.length) {
    throw new ModelLoadError(`external data "${location}" is ${bytes.length} bytes; offset ${offset} length ${length ?? '-'} is out of bounds`);
  }
  return bytes.subarray(offset, end);
}

function urlExternalReader(modelUrl: string): ExternalReader {
  const cache = new Map<string, Promise<Uint8Array>>();
  return async (location, offset, length) => {
    checkExternalLocation(location);
    const url = new URL(location, new URL(modelUrl, globalThis.location?.href ?? 'http://localhost/')).href;
    if (!cache.has(url)) cache.set(url, fetchStreamed(url));
    return sliceExternal(await cache.get(url)!, location, offset, length);
  };
}
