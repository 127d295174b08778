// Register-tiled integer convolution / matrix product (variant 'tiled' of
// runtime/ops/quant/int-conv.ts): the layout, the packed weights and the epilogue are those of
// quant-conv.wgsl / quant-conv-io.wgsl. Needs WGSL's packed_4x8_integer_dot_product.
// Tiling: each invocation computes a 4x4 block, 4 output channels of one group x 4 consecutive
// output pixels p = oh*OW + ow. Per kernel tap and 4-channel step c4 it reads the 4 channels'
// packed weight words once (one u32 per output channel) and packs each pixel's 4 input channels
// into one u32 on the fly (pack4xI8), then does 16 dot4I8Packed: each weight word serves 4
// pixels and each packed x word 4 channels, where the one-output kernel reloads both for every
// output. The per-pixel Σx of the zero-point identity is one more dot4I8Packed with 0x01010101.
// Lanes past the group's channels or past the last pixel compute on clamped indices and store
// nothing. {{WG}} invocations per workgroup, 2D grid (flat_index).
//#include prelude
//#include quant-conv-io

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let t = i32(flat_index(wid, nwg, lidx, {{WG}}u));
  let P = params.OH * params.OW;
  let PT = (P + 3) / 4;
  let OTG = (params.MG + 3) / 4;
  let G = params.OC / params.MG;
  let N = i32(params.total) / (params.OC * P);
  if (t >= N * G * OTG * PT) { return; }
  let pt = t % PT;
  let ot = (t / PT) % OTG;
  let g = (t / (PT * OTG)) % G;
  let n = t / (PT * OTG * G);
  let zx = x_zero();
  let zx4 = pack4xI8(vec4<i32>(zx));
  let xg = n * params.x_n + g * params.Cg * params.x_c;
  var ih0: array<i32, 4>;
  var iw0: array<i32, 4>;
  for (var j = 0; j < 4; j++) {
    let p = min(pt * 4 + j, P - 1);
    ih0[j] = (p / params.OW) * params.stride_h - params.pad_h;
    iw0[j] = (p % params.OW) * params.stride_w - params.pad_w;
  }
  let KT = params.KH * params.KW;
  let wstep = KT * params.CP4;
  var wrow: array<i32, 4>;
  for (var o = 0; o < 4; o++) {
    let oc = g * params.MG + min(ot * 4 + o, params.MG - 1);
    wrow[o] = n * params.w_n + oc * wstep;
  }
  var acc: array<vec4<i32>, 4>;
  var sx = vec4<i32>(0);
  for (var kh = 0; kh < params.KH; kh++) {
    for (var kw = 0; kw < params.KW; kw++) {
      let tap = (kh * params.KW + kw) * params.CP4;
      var base: array<i32, 4>;
      var inside: array<bool, 4>;
      for (var j = 0; j < 4; j++) {
        let ih = ih0[j] + kh * params.dil_h;
        let iw = iw0[j] + kw * params.dil_w;
        inside[j] = ih >= 0 && ih < params.IH && iw >= 0 && iw < params.IW;
        base[j] = xg + ih * params.x_h + iw * params.x_w;
      }
      for (var c4 = 0; c4 < params.CP4; c4++) {
        let w4 = vec4<u32>(w[wrow[0] + tap + c4], w[wrow[1] + tap + c4], w[wrow[2] + tap + c4], w[wrow[3] + tap + c4]);
        for (var j = 0; j < 4; j++) {
          var xp = zx4;
          if (inside[j]) {
            var v = vec4<i32>(zx);
            for (var q = 0; q < 4; q++) {
              let c = c4 * 4 + q;
              if (c < params.Cg) { v[q] = x_get(u32(base[j] + c * params.x_c)) - {{XSHIFT}}; }
            }
            xp = pack4xI8(v);
          }
          acc[j] += vec4<i32>(dot4I8Packed(xp, w4.x), dot4I8Packed(xp, w4.y), dot4I8Packed(xp, w4.z), dot4I8Packed(xp, w4.w));
          sx[j] += dot4I8Packed(xp, 0x01010101u);
        }
      }
    }
  }
  for (var j = 0; j < 4; j++) {
    let p = pt * 4 + j;
    if (p >= P) { break; }
    for (var o = 0; o < 4; o++) {
      let og = ot * 4 + o;
      if (og >= params.MG) { break; }
      store_output(n, g * params.MG + og, p, acc[j][o], sx[j]);
    }
  }
}
