// In-page side of e2e/browser.test.ts. Plain JavaScript on purpose: the test drives it with
// page.evaluate, and functions serialised from the (tsx-compiled) test file could carry helpers
// that do not exist in the page.
import * as fovea from './fovea.js';

window.fovea = fovea;

function log(line) {
  document.getElementById('log').textContent += line + '\n';
}

/**
 * Creates a session on modelUrl, runs the feeds `runs` times and returns the last outputs as
 * plain arrays, with the adapter and per-run times (ms).
 * feeds: { [name]: { type, dims, data: number[] } }
 */
window.foveaRun = async ({ modelUrl, feeds, runs = 1 }) => {
  const device = await fovea.acquireDevice();
  const t0 = performance.now();
  const session = await fovea.InferenceSession.create(modelUrl);
  const createMs = performance.now() - t0;
  try {
    const tensors = {};
    for (const [name, f] of Object.entries(feeds)) tensors[name] = new fovea.Tensor(f.type, f.data, f.dims);
    const times = [];
    let out;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      out = await session.run(tensors);
      times.push(performance.now() - t);
    }
    const outputs = {};
    for (const [k, v] of Object.entries(out)) outputs[k] = { type: v.type, dims: [...v.dims], data: Array.from(v.data, Number) };
    const stats = await session.stats();
    log(
      `${modelUrl} on ${session.adapter}: create ${createMs.toFixed(0)} ms, runs ${times.map((t) => t.toFixed(1)).join(' / ')} ms, ` +
        `${stats.dispatches} dispatches\n` +
        Object.entries(outputs).map(([k, v]) => `  ${k} [${v.dims.join(',')}]: ${v.data.slice(0, 6).map((x) => x.toFixed(4)).join(' ')}${v.data.length > 6 ? ' …' : ''}`).join('\n'),
    );
    return { adapterInfo: device.adapterInfo, adapter: session.adapter, stats, createMs, times, outputs };
  } finally {
    await session.release();
  }
};

/** What navigator.gpu reports about its adapter (for the test log), or why there is none. */
window.foveaAdapterInfo = async () => {
  if (!navigator.gpu) return { error: `no navigator.gpu (secure context: ${isSecureContext})` };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'requestAdapter() returned null' };
  const i = adapter.info;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    isFallbackAdapter: i.isFallbackAdapter,
    features: [...adapter.features].sort(),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
  };
};

document.body.dataset.ready = 'true';
