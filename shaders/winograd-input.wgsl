// Winograd convolution, step 1 of 3: the input transform V = Bᵀ d B of every tile
// (runtime/ops/nn/conv-winograd.ts; Lavin & Gray 2015). F(2x2,3x3) when F4 is off (4x4 tiles,
// ALPHA = 4), F(4x4,3x3) when F4 is on (6x6 tiles, ALPHA = 6).
// Layout: x is the NCHW input [N, C, H, W]. Output tiles are M_OUT x M_OUT (2 or 4) and cover
// the output in TH x TW tiles per image; tile p = (b, th, tw) flattened (P = N*TH*TW of them,
// padded to Pp, a multiple of 4, for the GEMM's vec4 loads). Its input patch d is the
// ALPHA x ALPHA window at rows th*M_OUT - pad_h.., columns tw*M_OUT - pad_w.. (neighbouring
// patches overlap by 2); taps outside the image read 0, which is the conv's zero padding.
// v is [ALPHA*ALPHA, C, Pp]: transform point xi = i*ALPHA + j (element (i, j) of Bᵀ d B), then
// channel, then tile, so that each point's slice is the C x Pp right-hand matrix of the GEMM.
// Columns p >= P are written as zeros. A conv whose V would exceed one binding runs in chunks of
// tiles (runtime/ops/nn/conv-winograd.ts): then P, Pp and v cover the chunk only, and its column
// p is tile p0 + p of the whole conv. x is an array of S, the values' storage type (f32, or
// f16 / p16 for float16 values), loaded as f32; v is f32 scratch in every
// case (the transform's sums, up to 100x the inputs for F(4x4), keep f32 precision for the GEMM).
// Tiling: one invocation per (c, p) (p fastest, so neighbouring invocations write neighbouring
// elements of each point's row), 64 per workgroup, flat list of workgroups (flat_index).
// The 2-D transform runs as two passes of the 1-D one over rows held in vec4s: Bᵀ d combines
// the rows of d (a row of 6 as two vec4s, the second half-used), then the same combination of
// the rows of (Bᵀ d)ᵀ gives (Bᵀ d B)ᵀ, whose row k, element i is element (i, k) of Bᵀ d B.
//#include prelude

struct Params {
  C: u32,
  H: u32,
  W: u32,
  P: u32,
  Pp: u32,
  TH: u32,
  TW: u32,
  pad_h: i32,
  pad_w: i32,
  total: u32,
  /** The chunk's first tile. */
  p0: u32,
}

//#tensor x 0 read {{S}}
@group(0) @binding(1) var<storage, read_write> v: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const WG: u32 = 64u;

// x at (row ih, column iw) of the plane starting at `base`, 0 outside the image.
fn tap(base: u32, ih: i32, iw: i32) -> f32 {
  let ok = ih >= 0 && ih < i32(params.H) && iw >= 0 && iw < i32(params.W);
  let idx = select(0u, base + u32(ih) * params.W + u32(iw), ok);
  return select(0.0, x_get(idx), ok);
}

fn taps4(base: u32, ih: i32, iw: i32) -> vec4<f32> {
  return vec4<f32>(tap(base, ih, iw), tap(base, ih, iw + 1), tap(base, ih, iw + 2), tap(base, ih, iw + 3));
}

#if F4
// Bᵀ of F(4x4,3x3), interpolation points 0, -1, 1, -2, 2 and infinity, applied to 6 rows.
fn bt(d0: vec4<f32>, d1: vec4<f32>, d2: vec4<f32>, d3: vec4<f32>, d4: vec4<f32>, d5: vec4<f32>) -> array<vec4<f32>, 6> {
  return array<vec4<f32>, 6>(
    4.0 * d0 - 5.0 * d2 + d4,
    -4.0 * (d1 + d2) + d3 + d4,
    4.0 * (d1 - d2) - d3 + d4,
    2.0 * (d3 - d1) - d2 + d4,
    2.0 * (d1 - d3) - d2 + d4,
    4.0 * d1 - 5.0 * d3 + d5,
  );
}
#else
// Bᵀ of F(2x2,3x3), interpolation points 0, -1, 1 and infinity, applied to 4 rows.
fn bt(d0: vec4<f32>, d1: vec4<f32>, d2: vec4<f32>, d3: vec4<f32>) -> array<vec4<f32>, 4> {
  return array<vec4<f32>, 4>(d0 - d2, d1 + d2, d2 - d1, d1 - d3);
}
#endif

#if F4
// Writes column k of Bᵀ d B (rows 0-3 in a, 4-5 in e.xy) at points i*6 + k.
fn store_column(out: u32, pt: u32, k: u32, a: vec4<f32>, e: vec4<f32>) {
  v[k * pt + out] = a.x;
  v[(6u + k) * pt + out] = a.y;
  v[(12u + k) * pt + out] = a.z;
  v[(18u + k) * pt + out] = a.w;
  v[(24u + k) * pt + out] = e.x;
  v[(30u + k) * pt + out] = e.y;
}
#else
// Writes column k of Bᵀ d B (rows 0-3 in a) at points i*4 + k.
fn store_column(out: u32, pt: u32, k: u32, a: vec4<f32>) {
  v[k * pt + out] = a.x;
  v[(4u + k) * pt + out] = a.y;
  v[(8u + k) * pt + out] = a.z;
  v[(12u + k) * pt + out] = a.w;
}
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = flat_index(wid, nwg, lid, WG);
  if (t >= params.total) { return; }
  let C = params.C;
  let Pp = params.Pp;
  let c = t / Pp;
  let p = t % Pp;
  // Stride between transform points in v.
  let pt = C * Pp;
  let out = c * Pp + p;
  if (p >= params.P) {
#if F4
    for (var xi = 0u; xi < 36u; xi++) { v[xi * pt + out] = 0.0; }
#else
    for (var xi = 0u; xi < 16u; xi++) { v[xi * pt + out] = 0.0; }
#endif
    return;
  }
  let tiles = params.TH * params.TW;
  let b = (params.p0 + p) / tiles;
  let q = (params.p0 + p) % tiles;
  let base = (b * C + c) * params.H * params.W;
#if F4
  let ih = i32(q / params.TW) * 4 - params.pad_h;
  let iw = i32(q % params.TW) * 4 - params.pad_w;
  // Rows of d: columns 0-3 (lo) and 4-5 (hi.xy).
  let lo = bt(taps4(base, ih, iw), taps4(base, ih + 1, iw), taps4(base, ih + 2, iw), taps4(base, ih + 3, iw), taps4(base, ih + 4, iw), taps4(base, ih + 5, iw));
  let z = vec2<f32>(0.0);
  let hi = bt(
    vec4<f32>(tap(base, ih, iw + 4), tap(base, ih, iw + 5), z),
    vec4<f32>(tap(base, ih + 1, iw + 4), tap(base, ih + 1, iw + 5), z),
    vec4<f32>(tap(base, ih + 2, iw + 4), tap(base, ih + 2, iw + 5), z),
    vec4<f32>(tap(base, ih + 3, iw + 4), tap(base, ih + 3, iw + 5), z),
    vec4<f32>(tap(base, ih + 4, iw + 4), tap(base, ih + 4, iw + 5), z),
    vec4<f32>(tap(base, ih + 5, iw + 4), tap(base, ih + 5, iw + 5), z),
  );
  // T = Bᵀ d, row i in lo[i] | hi[i].xy. Row j of Tᵀ is column j of T, (T[0][j], .., T[5][j]);
  // the second pass runs on its elements 0-3 (s0) and 4-5 (s1).
  let s0 = bt(
    vec4<f32>(lo[0].x, lo[1].x, lo[2].x, lo[3].x),
    vec4<f32>(lo[0].y, lo[1].y, lo[2].y, lo[3].y),
    vec4<f32>(lo[0].z, lo[1].z, lo[2].z, lo[3].z),
    vec4<f32>(lo[0].w, lo[1].w, lo[2].w, lo[3].w),
    vec4<f32>(hi[0].x, hi[1].x, hi[2].x, hi[3].x),
    vec4<f32>(hi[0].y, hi[1].y, hi[2].y, hi[3].y),
  );
  let s1 = bt(
    vec4<f32>(lo[4].x, lo[5].x, z),
    vec4<f32>(lo[4].y, lo[5].y, z),
    vec4<f32>(lo[4].z, lo[5].z, z),
    vec4<f32>(lo[4].w, lo[5].w, z),
    vec4<f32>(hi[4].x, hi[5].x, z),
    vec4<f32>(hi[4].y, hi[5].y, z),
  );
  // s0[k][i] (i < 4) and s1[k][i - 4] are element (i, k) of Bᵀ d B: point xi = i*6 + k.
  store_column(out, pt, 0u, s0[0], s1[0]);
  store_column(out, pt, 1u, s0[1], s1[1]);
  store_column(out, pt, 2u, s0[2], s1[2]);
  store_column(out, pt, 3u, s0[3], s1[3]);
  store_column(out, pt, 4u, s0[4], s1[4]);
  store_column(out, pt, 5u, s0[5], s1[5]);
#else
  let ih = i32(q / params.TW) * 2 - params.pad_h;
  let iw = i32(q % params.TW) * 2 - params.pad_w;
  let r = bt(taps4(base, ih, iw), taps4(base, ih + 1, iw), taps4(base, ih + 2, iw), taps4(base, ih + 3, iw));
  // r = Bᵀ d; the second pass on the rows of its transpose gives (Bᵀ d B)ᵀ.
  let tt = transpose(mat4x4<f32>(r[0], r[1], r[2], r[3]));
  let s = bt(tt[0], tt[1], tt[2], tt[3]);
  // s[k][i] is element (i, k) of Bᵀ d B: point xi = i*4 + k.
  store_column(out, pt, 0u, s[0]);
  store_column(out, pt, 1u, s[1]);
  store_column(out, pt, 2u, s[2]);
  store_column(out, pt, 3u, s[3]);
#endif
}
