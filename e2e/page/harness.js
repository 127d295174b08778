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

/**
 * Top-1 of a Fashion-MNIST classifier on `count` 28×28 gray images (base64 of count×784 bytes),
 * in batches: the inputs are built with the library's tensorFromPixels (as a page would), the
 * session is created for that batch size (freeDimensions).
 */
window.foveaAccuracy = async ({ modelUrl, pixels, count, mean, std, batch }) => {
  const bytes = Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0));
  const t0 = performance.now();
  const session = await fovea.InferenceSession.create(modelUrl, { freeDimensions: { batch } });
  const createMs = performance.now() - t0;
  const top1 = [];
  const times = [];
  try {
    for (let start = 0; start < count; start += batch) {
      const images = [];
      for (let n = start; n < start + batch; n++) {
        const data = new Uint8ClampedArray(784 * 4);
        for (let i = 0; i < 784; i++) {
          const v = bytes[n * 784 + i];
          data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = v;
          data[i * 4 + 3] = 255;
        }
        images.push({ width: 28, height: 28, data });
      }
      const x = fovea.tensorFromPixels(images, { channels: 1, mean, std });
      const t = performance.now();
      const out = await session.run({ [session.inputNames[0]]: x });
      times.push(performance.now() - t);
      const y = out[session.outputNames[0]].data;
      const classes = y.length / batch;
      for (let n = 0; n < batch; n++) {
        let best = 0;
        for (let k = 1; k < classes; k++) if (y[n * classes + k] > y[n * classes + best]) best = k;
        top1.push(best);
      }
    }
    log(`${modelUrl}: ${count} images in batches of ${batch}, create ${createMs.toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join(' ')} ms`);
    return { top1, createMs, times };
  } finally {
    await session.release();
  }
};

document.body.dataset.ready = 'true';
