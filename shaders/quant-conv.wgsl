// Integer convolution / matrix product with i32 accumulation: ConvInteger, MatMulInteger,
// QLinearConv, QLinearMatMul (runtime/ops/quant/int-conv.ts builds the geometry).
// Layout: x is a flat array of i32 (8-bit values), element (n, c, ih, iw) at
// n*x_n + c*x_c + ih*x_h + iw*x_w (NCHW conv: x_c = H*W, x_h = W, x_w = 1; a MatMul's A [M, K]
// is a 1-row "image" of M pixels with K channels: x_c = 1, x_w = K).
// w is packed by runtime/ops/quant/int-pack.ts: 4 signed bytes per u32, word
// (oc*KT + tap)*CP4 + c4 holds input channels 4*c4..4*c4+3 of kernel tap `tap` (KT = KH*KW taps,
// CP4 = ceil(Cg/4) words per tap, channels >= Cg are 0). wsum[oc] is the sum of those bytes.
// 8-bit operands run as int8: uint8 values are shifted by -128 (XSHIFT, and the packer's WSHIFT),
// which leaves every (x - x_zp) and (w - w_zp) unchanged when the zero points shift too.
// A batched MatMul has one packed B per n (w_n, wsum_n).
// y (i32) of output (n, oc, p = oh*OW + ow) is at n*y_n + oc*y_c + p*y_p.
// The sum over the K = KT*CP4*4 slots of (x - zx)(w - zw) = Σxw - zw·Σx - zx·Σw + K·zx·zw, so the
// 4x8 dot product (dot4I8Packed, variant PACKED; else a plain i32 product of the unpacked bytes)
// runs on raw values. Padding and the channels past Cg read x = zx: their term is 0 (ONNX
// ConvInteger pads with the zero point). i32 arithmetic wraps, so the identity is exact whenever
// the true sum fits in i32, as onnxruntime's i32 accumulator needs too.
// The epilogue (zero-point terms, bias, requantisation or scaling) is store_output() of
// quant-conv-io.wgsl.
// Variant TAPS (depthwise: one input channel per group): the 4 slots of a packed word are 4
// consecutive kernel taps (t = kh*KW + kw) of that channel rather than 4 channels of one tap,
// which would leave 3 of dot4's 4 lanes on padding; CP4 is then ceil(KH*KW / 4) words per output
// channel, and taps past KH*KW read x = zx against zero weights (a zero term, as above).
// Tiling: one output per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

//#include quant-conv-io

fn dot4(v: vec4<i32>, packed: u32) -> i32 {
#if PACKED
  return dot4I8Packed(pack4xI8(v), packed);
#else
  let b = bitcast<i32>(packed);
  let u = vec4<i32>((b << 24u) >> 24u, (b << 16u) >> 24u, (b << 8u) >> 24u, b >> 24u);
  return v.x * u.x + v.y * u.y + v.z * u.z + v.w * u.w;
#endif
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let P = params.OH * params.OW;
  let ii = i32(i);
  let p = ii % P;
  let oc = (ii / P) % params.OC;
  let n = ii / (P * params.OC);
  let oh = p / params.OW;
  let ow = p % params.OW;
  let g = oc / params.MG;
  let zx = x_zero();
  let xg = n * params.x_n + g * params.Cg * params.x_c;
  var dot = 0;
  var sx = 0;
#if TAPS
  let KT = params.KH * params.KW;
  var widx = n * params.w_n + oc * params.CP4;
  for (var t4 = 0; t4 < params.CP4; t4++) {
    var v = vec4<i32>(zx);
    for (var j = 0; j < 4; j++) {
      let t = t4 * 4 + j;
      let kh = t / params.KW;
      let ih = oh * params.stride_h - params.pad_h + kh * params.dil_h;
      let iw = ow * params.stride_w - params.pad_w + (t - kh * params.KW) * params.dil_w;
      if (t < KT && ih >= 0 && ih < params.IH && iw >= 0 && iw < params.IW) {
        v[j] = x_get(u32(xg + ih * params.x_h + iw * params.x_w)) - {{XSHIFT}};
      }
    }
    dot += dot4(v, w[widx]);
    sx += v.x + v.y + v.z + v.w;
    widx++;
  }
#else
  var widx = n * params.w_n + oc * params.KH * params.KW * params.CP4;
  for (var kh = 0; kh < params.KH; kh++) {
    let ih = oh * params.stride_h - params.pad_h + kh * params.dil_h;
    for (var kw = 0; kw < params.KW; kw++) {
      let iw = ow * params.stride_w - params.pad_w + kw * params.dil_w;
      let inside = ih >= 0 && ih < params.IH && iw >= 0 && iw < params.IW;
      let base = xg + ih * params.x_h + iw * params.x_w;
      for (var c4 = 0; c4 < params.CP4; c4++) {
        var v = vec4<i32>(zx);
        if (inside) {
          for (var j = 0; j < 4; j++) {
            let c = c4 * 4 + j;
            if (c < params.Cg) { v[j] = x_get(u32(base + c * params.x_c)) - {{XSHIFT}}; }
          }
        }
        dot += dot4(v, w[widx]);
        sx += v.x + v.y + v.z + v.w;
        widx++;
      }
    }
  }
#endif
  store_output(n, oc, p, dot, sx);
}
