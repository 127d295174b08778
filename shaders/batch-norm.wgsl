// BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + epsilon) + bias.
// Layout: x, y flat row-major f32 viewed as [N, C, inner]; element i has channel
// c = (i / inner) % channels. (With the opset < 9 spatial = 0 form, the parameters are per
// element of one sample: channels = C * inner of the spatial form, inner = 1.)
// Variant PRECOMPUTED: the host folded the constant parameters into ab = [a_0..a_{C-1},
// b_0..b_{C-1}] with a = scale / sqrt(var + epsilon), b = bias - mean * a, so y = x * a + b.
// Otherwise the four parameter tensors are read as they are, per element.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid (see flat_index).
//#include prelude

struct Params {
  n: u32,
  channels: u32,
  inner: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
#if PRECOMPUTED
@group(0) @binding(3) var<storage, read> ab: array<f32>;
#else
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> mean: array<f32>;
@group(0) @binding(6) var<storage, read> variance: array<f32>;
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let c = (i / params.inner) % params.channels;
#if PRECOMPUTED
  y[i] = x[i] * ab[c] + ab[params.channels + c];
#else
  y[i] = scale[c] * (x[i] - mean[c]) / sqrt(variance[c] + params.epsilon) + bias[c];
#endif
}
