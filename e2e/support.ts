// Node-side helpers for the browser e2e tests: Debian's chromium through playwright-core with
// WebGPU on SwiftShader, a tiny static server on localhost (navigator.gpu exists only in secure
// contexts, and http://localhost is one), Vite builds/dev server from vite.config.ts, screenshots.
import { createServer, type Server } from 'node:http';
import { crc32, deflateSync } from 'node:zlib';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const VITE_CONFIG = join(REPO, 'vite.config.ts');
export const SCREENSHOT_DIR = join(REPO, 'test-results', 'e2e');
export const CHROMIUM = process.env.FOVEA_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium's own software WebGPU: Dawn on SwiftShader (Vulkan), headless. */
export const SWIFTSHADER_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The same browser with WebGPU switched off: navigator.gpu exists but gives no adapter. */
export const NO_WEBGPU_ARGS = ['--no-sandbox', '--disable-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** `options`: Playwright's launch env and ignoreDefaultArgs (e.g. a Vulkan ICD for another adapter). */
export async function launchChromium(
  args: string[] = SWIFTSHADER_ARGS,
  options: { env?: Record<string, string | undefined>; ignoreDefaultArgs?: string[] } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: run "npm run setup" (apt-get install chromium) or set FOVEA_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 30_000, ...options });
}

/** Forwards the page's console errors and uncaught exceptions to the test log. */
export function logPageErrors(page: Page, tag: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => {
    errors.push(e.message);
    console.log(`[${tag}] page error: ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`[${tag}] console.${m.type()}: ${m.text()}`);
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves files from `roots` (first match wins) and in-memory `files` (path → bytes) on
 * http://localhost:<free port>/. Only GET/HEAD; paths cannot escape the roots. `headers` go on
 * every 200 response (e.g. COOP/COEP, which make the page cross-origin isolated: wasm threads).
 */
export async function serveStatic(
  roots: string[],
  files: Record<string, Uint8Array | string> = {},
  headers: Record<string, string> = {},
): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      let body: Uint8Array | string | undefined = files[path];
      if (body === undefined) {
        for (const root of roots) {
          const full = normalize(join(root, path));
          if (!full.startsWith(root + sep)) break;
          if ((await stat(full).catch(() => undefined))?.isFile()) {
            body = await readFile(full);
            break;
          }
        }
      }
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      // CORS: pages on another localhost port (the demo loading a model by URL) may fetch these.
      res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'cache-control': 'no-store', 'access-control-allow-origin': '*', ...headers });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * Serves in-memory files slowly, with CORS: each body goes out in `chunk`-byte pieces `delayMs`
 * apart (with its content-length), so that a page's download progress can be seen to advance.
 */
export async function serveSlowly(files: Record<string, Uint8Array>, chunk = 16 * 1024, delayMs = 40): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const body = files[path];
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end(`not found: ${path}`);
      return;
    }
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    for (let o = 0; o < body.length && !res.destroyed; o += chunk) {
      res.write(body.subarray(o, o + chunk));
      await new Promise((ok) => setTimeout(ok, delayMs));
    }
    res.end();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A grayscale 8-bit PNG (no filtering, zlib-compressed), e.g. a Fashion-MNIST sample to upload. */
export function grayPng(width: number, height: number, pixels: ArrayLike<number>): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  // Each row: filter type 0 (none), then its pixels.
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixels[y * width + x];
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]));
}

/** `vite build [--mode lib]` through Vite's API, quietly. Returns the output folder. */
export async function viteBuild(mode: 'lib' | 'production'): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: VITE_CONFIG, mode, logLevel: 'warn' });
  return join(REPO, 'dist', mode === 'lib' ? 'browser' : 'demo');
}

/** Vite's dev server (what `npm start` runs) on a free localhost port. */
export async function viteDevServer(): Promise<StaticServer> {
  const { createServer: createVite } = await import('vite');
  const server = await createVite({ configFile: VITE_CONFIG, logLevel: 'warn', server: { port: 0, strictPort: false, host: 'localhost', hmr: false } });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the Vite dev server did not report a URL');
  return { url, close: () => server.close() };
}

/** Seconds since `t` (performance.now()), for the tests' timing lines. */
export function elapsed(t: number): string {
  return `${((performance.now() - t) / 1000).toFixed(2)} s`;
}

/** The production demo build served on localhost and a launched Chromium, for one test file: its
 * before() builds, serves and launches (timing each), its after() closes both and prints the
 * file's total. Inside the tests, `browser()` and `url()` give them. `skip`: do nothing (the file
 * skips its tests); `note`: more words for the closing line. */
export function demoHarness(name: string, opts: { skip?: boolean; note?: string } = {}): { browser: () => Browser; url: () => string } {
  let browser: Browser | undefined;
  let demo: StaticServer | undefined;
  const started = performance.now();
  before(async () => {
    if (opts.skip) return;
    let t = performance.now();
    demo = await serveStatic([await viteBuild('production')]);
    console.log(`vite build (demo): ${elapsed(t)}`);
    t = performance.now();
    browser = await launchChromium();
    console.log(`chromium ${browser.version()} launched: ${elapsed(t)}`);
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await demo?.close();
    console.log(`${name} e2e total ${elapsed(started)}${opts.note ? `; ${opts.note}` : ''}`);
  });
  return {
    browser: () => browser ?? assert.fail('chromium is not running (before() failed?)'),
    url: () => demo?.url ?? assert.fail('the demo is not served (before() failed?)'),
  };
}
