// BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + epsilon) + bias.
// Layout: x, y flat row-major arrays of S (the values' storage type: f32, or f16 for float16
// values on devices with shader-f16; loaded as f32, computed in f32, rounded once on store)
// viewed as [N, C, inner]; element i has channel
// c = (i / inner) % channels. (With the opset < 9 spatial = 0 form, the parameters are per
// element of one sample: channels = C * inner of the spatial form, inner = 1.)
// Variant PRECOMPUTED: the host folded the constant parameters into ab = [a_0..a_{C-1},
// b_0..b_{C-1}] with a = scale / sqrt(var + epsilon), b = bias - mean * a, so y = x * a + b
// (ab is f32 whatever X's type: 2 values per channel, kept exact).
// Otherwise the four parameter tensors are read as they are, per element: scale and bias are
// arrays of SP, mean and variance of SV (ONNX opset 15 lets them differ from X's type).
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid (see flat_index).
//#include prelude

alias S = {{S}};

struct Params {
  n: u32,
  channels: u32,
  inner: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<storage, read> x: array<S>;
@group(0) @binding(1) var<storage, read_write> y: array<S>;
@group(0) @binding(2) var<uniform> params: Params;
#if PRECOMPUTED
@group(0) @binding(3) var<storage, read> ab: array<f32>;
#else
@group(0) @binding(3) var<storage, read> scale: array<{{SP}}>;
@group(0) @binding(4) var<storage, read> bias: array<{{SP}}>;
@group(0) @binding(5) var<storage, read> mean: array<{{SV}}>;
@group(0) @binding(6) var<storage, read> variance: array<{{SV}}>;
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let c = (i / params.inner) % params.channels;
#if PRECOMPUTED
  y[i] = S(f32(x[i]) * ab[c] + ab[params.channels + c]);
#else
  y[i] = S(f32(scale[c]) * (f32(x[i]) - f32(mean[c])) / sqrt(f32(variance[c]) + params.epsilon) + f32(bias[c]));
#endif
}
