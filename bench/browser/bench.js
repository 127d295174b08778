// In-page side of bench/browser.ts: times one runtime on one model. Plain JavaScript, as in
// e2e/page/harness.js: the Node side calls these by name with page.evaluate, so nothing from its
// (tsx-compiled) source has to exist in the page.
// Served beside the library bundle (dist/browser/fovea.js) and onnxruntime-web's dist/ folder;
// each runtime is imported only when asked for, so a page never loads the other's code.

function log(line) {
  document.getElementById('log').textContent += line + '\n';
}

function fromBase64(s) {
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function infoOf(info) {
  if (!info) return undefined;
  return { vendor: info.vendor, architecture: info.architecture, description: info.description, device: info.device };
}

/** What navigator.gpu gives this page: adapter info, feature level, a few limits. */
window.benchProbe = async () => {
  const out = { crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent };
  if (!navigator.gpu) return { ...out, gpu: `no navigator.gpu (secure context: ${isSecureContext})` };
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { ...out, gpu: 'requestAdapter() returned null' };
  const limits = {};
  for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxUniformBufferBindingSize', 'maxBindGroups']) {
    limits[k] = adapter.limits[k];
  }
  return { ...out, adapter: infoOf(adapter.info), featureLevel: adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility', isFallbackAdapter: adapter.info?.isFallbackAdapter, limits };
};

/** Fovea's session, behind the same two calls as ORT's. */
async function foveaSession(bytes) {
  const fovea = await import('./fovea.js');
  return {
    async create() {
      const s = await fovea.InferenceSession.create(bytes);
      const input = s.inputNames[0];
      const output = s.outputNames[0];
      const { adapterInfo } = await fovea.acquireDevice();
      const { pipelines, dispatches } = await s.stats();
      return {
        adapter: { ...adapterInfo, fovea: s.adapter },
        // Pipelines are all compiled at create (ORT-web compiles its own during the first run).
        stats: { pipelines, dispatches },
        // The output comes back as CPU data: a run includes the read-back.
        run: async (x, dims) => (await s.run({ [input]: new fovea.Tensor('float32', x, dims) }))[output].data,
        release: () => s.release(),
      };
    },
  };
}

/**
 * onnxruntime-web: 'webgpu' loads ort.webgpu.min.mjs (the WebGPU execution provider, as in
 * bench/peers.ts), 'wasm' loads ort.wasm.min.mjs (the plain SIMD + threads build). Threads need a
 * cross-origin isolated page (the server sends COOP/COEP).
 */
async function ortSession(bytes, provider, numThreads) {
  const ort = await import(provider === 'webgpu' ? './ort.webgpu.min.mjs' : './ort.wasm.min.mjs');
  ort.env.wasm.numThreads = numThreads;
  ort.env.logLevel = 'error';
  return {
    async create() {
      const s = await ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
      const input = s.inputNames[0];
      const output = s.outputNames[0];
      let adapter;
      if (provider === 'webgpu') {
        // The device ORT made (GPUDevice.adapterInfo); older builds only expose env.webgpu.adapter.
        const device = await Promise.resolve(ort.env.webgpu.device).catch(() => undefined);
        adapter = infoOf(device?.adapterInfo) ?? infoOf(ort.env.webgpu.adapter?.info);
      }
      return {
        adapter: { ...adapter, numThreads: ort.env.wasm.numThreads },
        // Outputs are on the CPU by default (preferredOutputLocation 'cpu'): a run includes the read-back.
        run: async (x, dims) => (await s.run({ [input]: new ort.Tensor('float32', x, dims) }))[output].data,
        release: () => s.release(),
      };
    },
  };
}

/**
 * Downloads the model (untimed), then times: create (session from the bytes, runtime start-up
 * included), the first run, and `runs` more. Returns times in ms and the first run's output, or
 * the error with the stage it happened in (and the create time when only the runs failed).
 */
window.benchRun = async ({ runtime, modelUrl, input, dims, runs, numThreads }) => {
  const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const x = fromBase64(input);
  const maker = runtime === 'fovea' ? await foveaSession(bytes) : await ortSession(bytes, runtime === 'ort-webgpu' ? 'webgpu' : 'wasm', numThreads);
  const message = (e) => String(e && e.message ? e.message : e);
  const t0 = performance.now();
  let s;
  try {
    s = await maker.create();
  } catch (e) {
    return { error: message(e), stage: 'create' };
  }
  const create = performance.now() - t0;
  let stage = 'first run';
  try {
    const t1 = performance.now();
    const y = await s.run(x, dims);
    const first = performance.now() - t1;
    stage = 'runs';
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await s.run(x, dims);
      times.push(performance.now() - t);
    }
    log(`${runtime} ${modelUrl}: create ${create.toFixed(0)} ms, first ${first.toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join(' ')} ms`);
    return { adapter: s.adapter, stats: s.stats, create, first, times, output: Array.from(y.slice(0, 1000), Number) };
  } catch (e) {
    return { error: message(e), stage, adapter: s.adapter, create };
  } finally {
    await Promise.resolve(s.release()).catch(() => {});
  }
};

document.body.dataset.ready = 'true';
