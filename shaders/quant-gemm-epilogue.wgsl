// The epilogue of shaders/conv-gemm-sg.wgsl for integer convolutions (define QUANT: ConvInteger
// and QLinearConv on software adapters, runtime/ops/quant/int-conv-sg.ts), included after its
// Params struct in place of conv-gemm-epilogue.wgsl.
// The GEMM has summed, in f32, dot = Σ_k x̃_k·w̃_k and (in sx4, per column) Σ_k x̃_k over the K
// reduction indices, with the 8-bit operands shifted into [-128, 127]: x̃ = x - XSHIFT and
// w̃ = w - WSHIFT (on the host, which stores w̃ as int8). Both sums are exact: every product and
// partial sum is an integer of magnitude at most 128·Σ_k|w̃_k| ≤ 2^24 (checked on the host for
// every row; where it fails, QCHUNK: the GEMM moves its sums to the int32 iacc every 1024 k, and
// 1024 products sum to at most 2^24) or 128·K (≤ 2^24: K ≤ 2^17, host), and f32 holds every
// integer up to 2^24. Then
// the zero points, as shaders/quant-conv-io.wgsl, with zx = x_zp - XSHIFT, zw = w_zp - WSHIFT:
//   acc = Σ_k (x̃_k - zx)(w̃_k - zw) = dot - zw·sx - zx·wsum + K·zx·zw
//   (wq[oc] = (wsum = Σ_k w̃_k, zw), host), + bias[oc] (int32);
//   QLINEAR: y = clamp(round(acc·m) + y_zp, QMIN, QMAX), round half to
//   even, m = x_scale·w_scale[oc] / y_scale in the same f32 steps as quant-conv-io.wgsl (so both
//   kernels store the same values); otherwise y = acc (int32).
// The im2col matrix pads with x_zp (ONNX pads integer convs with the zero point): its term is 0.
// Bindings: bias [M] (i32), y ({{SY}}: i32, or i8 / u8 packed four per word), qs = [x_zp, y_zp,
// x_scale bits, y_scale bits] (shaders/quant-scalars.wgsl), w_scale [M] (per-tensor scales
// repeated), wq [M].
#if HAS_BIAS
@group(0) @binding(3) var<storage, read> bias: array<i32>;
#endif
//#tensor y 4 read_write {{SY}}
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<storage, read> qs: array<u32>;
#if QLINEAR
@group(0) @binding(7) var<storage, read> w_scale: array<f32>;
#endif
@group(0) @binding(8) var<storage, read> wq: array<vec2<i32>>;

/** Σ_k x̃_k of this invocation's 4 columns, set by the GEMM before it stores. */
var<private> sx4: vec4<f32>;
#if QCHUNK
/** The int32 part of the 32 x 4 tile's sums: the GEMM's f32 accumulators of each full 1024-k
 * chunk; the f32 accumulators hold the last chunk. */
var<private> iacc: array<vec4<i32>, 32>;
#endif

/** The stored value of output channel oc from its exact sum. */
fn out_value(a: i32, oc: u32) -> i32 {
#if QLINEAR
  let m = bitcast<f32>(qs[2]) * w_scale[oc] / bitcast<f32>(qs[3]);
  return i32(clamp(round(f32(a) * m) + f32(bitcast<i32>(qs[1])), {{QMIN}}.0, {{QMAX}}.0));
#else
  return a;
#endif
}

// Writes row m (within the group) of the tile for 4 consecutive columns whose output offsets
// (batch*M*OSP + p) are `cols`; `ok` masks columns past ncols.
fn store4(m: u32, g: u32, cols: vec4<u32>, ok: vec4<bool>, acc: vec4<f32>) {
  if (m >= params.Mg) { return; }
  let oc = g * params.Mg + m;
  let zx = bitcast<i32>(qs[0]) - {{XSHIFT}};
  let w = wq[oc];
  let zw = w.y;
  var v = vec4<i32>(acc) - zw * vec4<i32>(sx4) - vec4<i32>(zx * w.x - i32(params.K) * zx * zw);
#if QCHUNK
  v += iacc[m % 32u];
#endif
#if HAS_BIAS
  v += vec4<i32>(bias[oc]);
#endif
  let base = oc * params.OSP;
  for (var j = 0u; j < 4u; j++) {
    if (ok[j]) { y_set(cols[j] + base, out_value(v[j], oc)); }
  }
}
