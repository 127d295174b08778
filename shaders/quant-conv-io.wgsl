// Bindings, parameters and the epilogue shared by the integer conv / matrix-product kernels
// (quant-conv.wgsl: one output per invocation; quant-conv-tiled.wgsl: register tiles). The data
// layout is described in quant-conv.wgsl.
// Epilogue, from the raw sums dot = Σ x·w and sx = Σ x over the K = KT*CP4*4 slots:
// acc = dot - zw·sx - zx·wsum + K·zx·zw (+ bias, int32, element oc*bias_oc + p*bias_p: QLinearConv's
// B [M] or QGemm's C broadcast to [M, N]). QLINEAR stores clamp(round(acc * m) + y_zp, QMIN, QMAX)
// with m = alpha * x_scale * w_scale / y_scale (alpha is QGemm's, else 1), round half to even as
// onnxruntime's requantisation; FLOAT_OUT (QGemm without y_scale) stores f32(acc) * alpha *
// x_scale * w_scale; otherwise the i32 acc itself.

struct Params {
  total: u32,
  OC: i32, MG: i32, Cg: i32, CP4: i32,
  OH: i32, OW: i32, IH: i32, IW: i32, KH: i32, KW: i32,
  stride_h: i32, stride_w: i32, pad_h: i32, pad_w: i32, dil_h: i32, dil_w: i32,
  x_n: i32, x_c: i32, x_h: i32, x_w: i32,
  y_n: i32, y_c: i32, y_p: i32,
  /** 1 where w's zero point (and QLINEAR's w scale) is per output channel, else 0. */
  w_per_channel: i32,
  /** Batch strides of the packed weights (words) and of wsum: 0 when every n shares w (a conv, a
   * MatMul by a 2-D B), else one packed matrix per n (a batched MatMul). */
  w_n: i32,
  wsum_n: i32,
  bias_oc: i32, bias_p: i32,
  alpha: f32,
}

// x and a requantised y are {{TX}} / {{TY}}: i32 or 8-bit integers packed four per word (i8, u8;
// runtime/gpu/elements.ts), read and written through the //#tensor accessors in i32. A raw i32
// accumulator (ConvInteger, MatMulInteger) is i32, FLOAT_OUT's y f32.
//#tensor x 0 read {{TX}}
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> wsum: array<i32>;
/** [x_zero_point, y_zero_point, bits of x_scale, bits of y_scale] (shaders/quant-scalars.wgsl): the
 * per-tensor scalars in one binding, which keeps the kernel within 10 storage buffers. */
@group(0) @binding(3) var<storage, read> qs: array<u32>;
@group(0) @binding(4) var<storage, read> w_zp: array<i32>;
//#tensor y 5 read_write {{TY}}
@group(0) @binding(6) var<uniform> params: Params;
#if SCALED
@group(0) @binding(7) var<storage, read> w_scale: array<f32>;
#endif
#if HAS_BIAS
@group(0) @binding(8) var<storage, read> bias: array<i32>;
#endif

/** x's zero point, shifted as the 8-bit operands are (XSHIFT). */
fn x_zero() -> i32 {
  return bitcast<i32>(qs[0]) - {{XSHIFT}};
}

/** Stores output (n, oc, p) from its raw sums (see the header). */
fn store_output(n: i32, oc: i32, p: i32, dot: i32, sx: i32) {
  let zx = x_zero();
  let wc = oc * params.w_per_channel;
  let zw = w_zp[wc] - {{WSHIFT}};
#if TAPS
  let K = params.CP4 * 4;
#else
  let K = params.KH * params.KW * params.CP4 * 4;
#endif
  var acc = dot - zw * sx - zx * wsum[n * params.wsum_n + oc] + K * zx * zw;
#if HAS_BIAS
  acc += bias[oc * params.bias_oc + p * params.bias_p];
#endif
  let out = n * params.y_n + oc * params.y_c + p * params.y_p;
#if SCALED
  var m = params.alpha * bitcast<f32>(qs[2]) * w_scale[wc];
#endif
#if QLINEAR
  m = m / bitcast<f32>(qs[3]);
  let q = round(f32(acc) * m) + f32(bitcast<i32>(qs[1]));
  y_set(u32(out), i32(clamp(q, {{QMIN}}.0, {{QMAX}}.0)));
#else
#if FLOAT_OUT
  y_set(u32(out), f32(acc) * m);
#else
  y_set(u32(out), acc);
#endif
#endif
}
