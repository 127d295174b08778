// BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + epsilon) + bias.
// Layout: x, y flat row-major arrays of S (the values' storage type: f32, or f16 / p16 for float16
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

struct Params {
  n: u32,
  channels: u32,
  inner: u32,
  epsilon: f32,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;
#if PRECOMPUTED
@group(0) @binding(3) var<storage, read> ab: array<f32>;
#else
//#tensor scale 3 read {{SP}}
//#tensor bias 4 read {{SP}}
//#tensor mean 5 read {{SV}}
//#tensor variance 6 read {{SV}}
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let c = (i / params.inner) % params.channels;
#if PRECOMPUTED
  y_set(i, x_get(i) * ab[c] + ab[params.channels + c]);
#else
  y_set(i, scale_get(c) * (x_get(i) - mean_get(c)) / sqrt(variance_get(c) + params.epsilon) + bias_get(c));
#endif
}
