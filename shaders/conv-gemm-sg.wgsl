// Convolution as a GEMM per group g, Y_g[m, n] = sum_k W_g[m, k] * B_g[k, n], for CPU-like
// adapters (Mesa lavapipe, SwiftShader): a subgroup-broadcast GEMM with no workgroup memory.
// Same operands, layouts and epilogue as shaders/conv-gemm.wgsl's dense modes (read its header):
//   w: the constant weights transposed on the host, [group][K][mq] vec4s of 4 consecutive rows
//      (mq = ceil(Mg / 4), rows past Mg zero);
//   b: B_g[k, n] = b[(n / OSP) * b_bs + n % OSP + g * b_gs + k * b_ks] ('pointwise' reads x,
//      'im2col' its matrix); STRIDED: the plane offset of n % OSP is (p / OW) * b_rs + (p % OW) * b_cs;
//      VEC_B: each invocation's 4 columns are 4 contiguous, 16-byte aligned elements of b.
// Element types: w is an array of vec4<SW>, b of SB, and y, bias and the residual of SY (each
// f32, or f16 / p16 for float16 values; the conv passes its values' type
// for all three, Winograd f32 for its transformed filters, tiles and products); loads are
// converted to f32, the products accumulate in f32 and are rounded once on store. QUANT (integer
// convs, runtime/ops/quant/int-conv-sg.ts): w is int8 (i8, one word per 4 rows at one k), b
// 8-bit values (i8 / u8, or i32 where 8-bit values are widened), shifted by XSHIFT into int8's
// range and multiplied in f32, exactly (the host bounds every sum below 2^24; QCHUNK, where the
// whole sum may not be: 1024 k at a time, each chunk's sum moved to int32), with the integer
// epilogue of shaders/quant-gemm-epilogue.wgsl.
// Why a second GEMM: a software adapter runs a subgroup as one SIMD register (8 lanes on AVX2)
// and loads storage or workgroup memory one lane at a time (Mesa's gallivm: a loop over the
// lanes, with a bounds check per element), so the tiled kernel, which reads 4 vec4s from
// workgroup memory per 64 multiply-adds, is bound by those loads. Here each lane loads one vec4
// of W per k and subgroupBroadcast (with a constant lane: an element extract and a splat) hands
// all 32 values to every lane: per k, one vec4 of W and one vec4 of B per lane feed 128
// multiply-adds. Measured on lavapipe (bench/conv-layers-dw.ts, ResNet-50's and MobileNetV2's
// 1x1 layers): 1.4-5x the tiled kernel's speed in GPU time, 1.5-3.7x in CPU time; on
// SwiftShader (4-lane subgroups, LANES4) 3x on a 64->256 1x1 layer at 28x28.
// Tiling: a workgroup of {{WG}} invocations computes rows m_tile*32 .. +31 of Y_g for
// {{WG}} * 4 columns; invocation tid owns columns n_tile * {{WG}} * 4 + tid * 4 .. +3 and keeps
// the 32 x 4 tile in 32 vec4 accumulators. Lane l of every subgroup loads rows
// m_tile*32 + (l % 8) * 4 .. +3 at the current k, so any subgroup size >= 8 works (lanes past 8
// repeat lanes 0-7); with LANES4 (subgroups of 4), rows (l % 4) * 4 .. +3 and 16 + (l % 4) * 4 .. +3. Every invocation of the workgroup runs the K loop to the end (uniform
// control flow for the broadcasts); columns past ncols read column 0 and are not stored; rows
// past Mg are zero in w up to the last quad, and quads past mq read quad 0: neither is stored.
// Workgroups: a flat list (see flat_index) of n tiles, then m tiles, then groups.
enable subgroups;
//#include prelude
//#include epilogue

struct Params {
  M: u32,
  Mg: u32,
  K: u32,
  OSP: u32,
  ncols: u32,
  b_bs: u32,
  b_gs: u32,
  b_ks: u32,
#if STRIDED
  OW: u32,
  b_rs: u32,
  b_cs: u32,
#endif
  mq: u32,
  n_tiles: u32,
  m_tiles: u32,
  tiles: u32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

#if VEC_B
//#tensor4 b 0 read {{SB}}
#else
//#tensor b 0 read {{SB}}
#endif
//#tensor4 w 1 read {{SW}}
#if QUANT
//#include quant-gemm-epilogue
#else
//#include conv-gemm-epilogue
#endif

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let tile = flat_index(wid, nwg, 0u, 1u);
  if (tile >= params.tiles) { return; }
  let n_tile = tile % params.n_tiles;
  let rest = tile / params.n_tiles;
  let m_tile = rest % params.m_tiles;
  let g = rest / params.m_tiles;
  let K = params.K;

  // This invocation's 4 columns; past ncols they read column 0 (a valid address).
  let n0 = (n_tile * WG + tid) * 4u;
  let n4 = vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u);
  let colok = n4 < vec4<u32>(params.ncols);
#if VEC_B
  // The quad is whole or past ncols entirely, except at the very last columns, where the host
  // guarantees that the quad's elements still lie inside b (as in shaders/conv-gemm.wgsl).
  let q0 = select(0u, n0, colok.x);
  let bq = ((q0 / params.OSP) * params.b_bs + q0 % params.OSP + g * params.b_gs) / 4u;
  let bks = params.b_ks / 4u;
#else
  let nc = select(vec4<u32>(0u), n4, colok);
#if STRIDED
  let p4 = nc % params.OSP;
  let colbase = (nc / params.OSP) * params.b_bs + (p4 / params.OW) * params.b_rs + (p4 % params.OW) * params.b_cs + g * params.b_gs;
#else
  let colbase = (nc / params.OSP) * params.b_bs + nc % params.OSP + g * params.b_gs;
#endif
#endif

  // This lane's quad of W rows (the same for every subgroup of the workgroup); LANES4: quads
  // lane % 4 and 4 + lane % 4, for subgroups of 4 lanes (SwiftShader).
#if LANES4
  let aq = m_tile * 8u + lane % 4u;
#else
  let aq = m_tile * 8u + lane % 8u;
#endif
  let aok = aq < params.mq;
  var ai = select(0u, g * K * params.mq + aq, aok);
  let astep = select(0u, params.mq, aok);
#if LANES4
  let aok_hi = aq + 4u < params.mq;
  var ai_hi = select(0u, g * K * params.mq + aq + 4u, aok_hi);
  let astep_hi = select(0u, params.mq, aok_hi);
#endif

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  var acc8 = vec4<f32>(0.0);
  var acc9 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc12 = vec4<f32>(0.0);
  var acc13 = vec4<f32>(0.0);
  var acc14 = vec4<f32>(0.0);
  var acc15 = vec4<f32>(0.0);
  var acc16 = vec4<f32>(0.0);
  var acc17 = vec4<f32>(0.0);
  var acc18 = vec4<f32>(0.0);
  var acc19 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc22 = vec4<f32>(0.0);
  var acc23 = vec4<f32>(0.0);
  var acc24 = vec4<f32>(0.0);
  var acc25 = vec4<f32>(0.0);
  var acc26 = vec4<f32>(0.0);
  var acc27 = vec4<f32>(0.0);
  var acc28 = vec4<f32>(0.0);
  var acc29 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);

  for (var k = 0u; k < K; k++) {
    let a = vec4<f32>(w_get4(ai));
    ai += astep;
#if LANES4
    let a_hi = vec4<f32>(w_get4(ai_hi));
    ai_hi += astep_hi;
#endif
#if VEC_B
    let bv = vec4<f32>(b_get4(bq + k * bks));
#else
    let bi = colbase + k * params.b_ks;
    let bv = vec4<f32>(f32(b_get(bi.x)), f32(b_get(bi.y)), f32(b_get(bi.z)), f32(b_get(bi.w)));
#endif
#if QUANT
    // 8-bit operands shifted into [-128, 127]; their column sums for the zero-point identity.
    let bx = bv - vec4<f32>({{XSHIFT}}.0);
    sx4 += bx;
#else
    let bx = bv;
#endif
    // Rows 4j .. 4j + 3 of the tile come from lane j.
    let a0 = subgroupBroadcast(a, 0u);
    acc0 += a0.x * bx;
    acc1 += a0.y * bx;
    acc2 += a0.z * bx;
    acc3 += a0.w * bx;
    let a1 = subgroupBroadcast(a, 1u);
    acc4 += a1.x * bx;
    acc5 += a1.y * bx;
    acc6 += a1.z * bx;
    acc7 += a1.w * bx;
    let a2 = subgroupBroadcast(a, 2u);
    acc8 += a2.x * bx;
    acc9 += a2.y * bx;
    acc10 += a2.z * bx;
    acc11 += a2.w * bx;
    let a3 = subgroupBroadcast(a, 3u);
    acc12 += a3.x * bx;
    acc13 += a3.y * bx;
    acc14 += a3.z * bx;
    acc15 += a3.w * bx;
#if LANES4
    let a4 = subgroupBroadcast(a_hi, 0u);
#else
    let a4 = subgroupBroadcast(a, 4u);
#endif
    acc16 += a4.x * bx;
    acc17 += a4.y * bx;
    acc18 += a4.z * bx;
    acc19 += a4.w * bx;
#if LANES4
    let a5 = subgroupBroadcast(a_hi, 1u);
#else
    let a5 = subgroupBroadcast(a, 5u);
#endif
    acc20 += a5.x * bx;
    acc21 += a5.y * bx;
    acc22 += a5.z * bx;
    acc23 += a5.w * bx;
#if LANES4
    let a6 = subgroupBroadcast(a_hi, 2u);
#else
    let a6 = subgroupBroadcast(a, 6u);
#endif
    acc24 += a6.x * bx;
    acc25 += a6.y * bx;
    acc26 += a6.z * bx;
    acc27 += a6.w * bx;
#if LANES4
    let a7 = subgroupBroadcast(a_hi, 3u);
#else
    let a7 = subgroupBroadcast(a, 7u);
#endif
    acc28 += a7.x * bx;
    acc29 += a7.y * bx;
    acc30 += a7.z * bx;
    acc31 += a7.w * bx;
#if QCHUNK
    // 1024 products |x̃ w̃| <= 2^14 sum to at most 2^24, f32's last exact integer: move the
    // partial sums to the epilogue's int32 accumulators (quant-gemm-epilogue.wgsl) every 1024 k.
    if ((k & 1023u) == 1023u) {
      iacc[0] += vec4<i32>(acc0); acc0 = vec4<f32>(0.0);
      iacc[1] += vec4<i32>(acc1); acc1 = vec4<f32>(0.0);
      iacc[2] += vec4<i32>(acc2); acc2 = vec4<f32>(0.0);
      iacc[3] += vec4<i32>(acc3); acc3 = vec4<f32>(0.0);
      iacc[4] += vec4<i32>(acc4); acc4 = vec4<f32>(0.0);
      iacc[5] += vec4<i32>(acc5); acc5 = vec4<f32>(0.0);
      iacc[6] += vec4<i32>(acc6); acc6 = vec4<f32>(0.0);
      iacc[7] += vec4<i32>(acc7); acc7 = vec4<f32>(0.0);
      iacc[8] += vec4<i32>(acc8); acc8 = vec4<f32>(0.0);
      iacc[9] += vec4<i32>(acc9); acc9 = vec4<f32>(0.0);
      iacc[10] += vec4<i32>(acc10); acc10 = vec4<f32>(0.0);
      iacc[11] += vec4<i32>(acc11); acc11 = vec4<f32>(0.0);
      iacc[12] += vec4<i32>(acc12); acc12 = vec4<f32>(0.0);
      iacc[13] += vec4<i32>(acc13); acc13 = vec4<f32>(0.0);
      iacc[14] += vec4<i32>(acc14); acc14 = vec4<f32>(0.0);
      iacc[15] += vec4<i32>(acc15); acc15 = vec4<f32>(0.0);
      iacc[16] += vec4<i32>(acc16); acc16 = vec4<f32>(0.0);
      iacc[17] += vec4<i32>(acc17); acc17 = vec4<f32>(0.0);
      iacc[18] += vec4<i32>(acc18); acc18 = vec4<f32>(0.0);
      iacc[19] += vec4<i32>(acc19); acc19 = vec4<f32>(0.0);
      iacc[20] += vec4<i32>(acc20); acc20 = vec4<f32>(0.0);
      iacc[21] += vec4<i32>(acc21); acc21 = vec4<f32>(0.0);
      iacc[22] += vec4<i32>(acc22); acc22 = vec4<f32>(0.0);
      iacc[23] += vec4<i32>(acc23); acc23 = vec4<f32>(0.0);
      iacc[24] += vec4<i32>(acc24); acc24 = vec4<f32>(0.0);
      iacc[25] += vec4<i32>(acc25); acc25 = vec4<f32>(0.0);
      iacc[26] += vec4<i32>(acc26); acc26 = vec4<f32>(0.0);
      iacc[27] += vec4<i32>(acc27); acc27 = vec4<f32>(0.0);
      iacc[28] += vec4<i32>(acc28); acc28 = vec4<f32>(0.0);
      iacc[29] += vec4<i32>(acc29); acc29 = vec4<f32>(0.0);
      iacc[30] += vec4<i32>(acc30); acc30 = vec4<f32>(0.0);
      iacc[31] += vec4<i32>(acc31); acc31 = vec4<f32>(0.0);
    }
#endif
  }

  // Output offsets (batch*M*OSP + p) of the 4 columns.
  let cols = (n4 / params.OSP) * (params.M * params.OSP) + n4 % params.OSP;
  let r = m_tile * 32u;
  store4(r, g, cols, colok, acc0);
  store4(r + 1u, g, cols, colok, acc1);
  store4(r + 2u, g, cols, colok, acc2);
  store4(r + 3u, g, cols, colok, acc3);
  store4(r + 4u, g, cols, colok, acc4);
  store4(r + 5u, g, cols, colok, acc5);
  store4(r + 6u, g, cols, colok, acc6);
  store4(r + 7u, g, cols, colok, acc7);
  store4(r + 8u, g, cols, colok, acc8);
  store4(r + 9u, g, cols, colok, acc9);
  store4(r + 10u, g, cols, colok, acc10);
  store4(r + 11u, g, cols, colok, acc11);
  store4(r + 12u, g, cols, colok, acc12);
  store4(r + 13u, g, cols, colok, acc13);
  store4(r + 14u, g, cols, colok, acc14);
  store4(r + 15u, g, cols, colok, acc15);
  store4(r + 16u, g, cols, colok, acc16);
  store4(r + 17u, g, cols, colok, acc17);
  store4(r + 18u, g, cols, colok, acc18);
  store4(r + 19u, g, cols, colok, acc19);
  store4(r + 20u, g, cols, colok, acc20);
  store4(r + 21u, g, cols, colok, acc21);
  store4(r + 22u, g, cols, colok, acc22);
  store4(r + 23u, g, cols, colok, acc23);
  store4(r + 24u, g, cols, colok, acc24);
  store4(r + 25u, g, cols, colok, acc25);
  store4(r + 26u, g, cols, colok, acc26);
  store4(r + 27u, g, cols, colok, acc27);
  store4(r + 28u, g, cols, colok, acc28);
  store4(r + 29u, g, cols, colok, acc29);
  store4(r + 30u, g, cols, colok, acc30);
  store4(r + 31u, g, cols, colok, acc31);
}
