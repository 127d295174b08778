// Winograd convolution, step 3 of 3: the output transform Y = Aᵀ m A of every tile, with the
// conv epilogue (runtime/ops/nn/conv-winograd.ts). F(2x2,3x3) when F4 is off (4x4 points, 2x2
// outputs), F(4x4,3x3) when F4 is on (6x6 points, 4x4 outputs).
// Layout: prod is [ALPHA*ALPHA, M, Pp] from shaders/winograd-gemm.wgsl (point xi = i*ALPHA + j,
// output channel, tile); tile p = (b, th, tw) flattened, P of them. y is the NCHW output
// [N, M, OH, OW]; tile (th, tw) covers rows th*M_OUT.., columns tw*M_OUT.., and its outputs past
// OH or OW (the ragged last row and column of tiles) are not stored. In a chunked conv
// (runtime/ops/nn/conv-winograd.ts) prod holds the chunk's P tiles, its column p being tile
// p0 + p of the whole conv. bias is [M]; residual has
// y's shape and is read at y's index. prod is f32 scratch; y, bias and the residual are arrays of
// S, the values' storage type (f32, or f16 / p16 for float16 values), loaded
// as f32; the epilogue computes in f32 and rounds once when it stores y.
// Tiling: one invocation per (m, p) (p fastest, so neighbouring invocations read neighbouring
// elements of prod), 64 per workgroup, flat list of workgroups (flat_index).
// The 2-D transform runs as two passes of the 1-D one over rows held in vec4s, as in
// shaders/winograd-input.wgsl: Q = Aᵀ m combines the rows of m, then Aᵀ applied to the rows of
// Qᵀ gives (Aᵀ m A)ᵀ: its row c is column c of the output tile.
// Epilogue: y = act(Y + bias + residual), the bias when HAS_BIAS, the residual when HAS_RESIDUAL,
// act the fused activation of shaders/epilogue.wgsl, exactly as the other conv kernels.
//#include prelude
//#include epilogue

struct Params {
  M: u32,
  P: u32,
  Pp: u32,
  TH: u32,
  TW: u32,
  OH: u32,
  OW: u32,
  total: u32,
  /** The chunk's first tile. */
  p0: u32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

@group(0) @binding(0) var<storage, read> prod: array<f32>;
#if HAS_BIAS
//#tensor bias 1 read {{S}}
#endif
//#tensor y 2 read_write {{S}}
@group(0) @binding(3) var<uniform> params: Params;
#if HAS_RESIDUAL
//#tensor residual 4 read {{S}}
#endif

const WG: u32 = 64u;

#if F4
const M_OUT: u32 = 4u;
// Aᵀ of F(4x4,3x3) (points 0, -1, 1, -2, 2, infinity), applied to 6 rows.
fn at(s0: vec4<f32>, s1: vec4<f32>, s2: vec4<f32>, s3: vec4<f32>, s4: vec4<f32>, s5: vec4<f32>) -> array<vec4<f32>, 4> {
  let p12 = s1 + s2;
  let m12 = s1 - s2;
  let p34 = s3 + s4;
  let m34 = s3 - s4;
  return array<vec4<f32>, 4>(s0 + p12 + p34, m12 + 2.0 * m34, p12 + 4.0 * p34, m12 + 8.0 * m34 + s5);
}
#else
const M_OUT: u32 = 2u;
// Aᵀ of F(2x2,3x3) (points 0, -1, 1, infinity), applied to 4 rows.
fn at(s0: vec4<f32>, s1: vec4<f32>, s2: vec4<f32>, s3: vec4<f32>) -> array<vec4<f32>, 2> {
  return array<vec4<f32>, 2>(s0 + s1 + s2, s1 - s2 - s3);
}
#endif

// prod at point xi for this invocation's (m, p) (`at_mp` = m*Pp + p).
fn point(xi: u32, at_mp: u32) -> f32 {
  return prod[xi * params.M * params.Pp + at_mp];
}

// Columns 0-3 of row i of the tile's product m.
fn row4(i: u32, at_mp: u32) -> vec4<f32> {
#if F4
  let xi = i * 6u;
#else
  let xi = i * 4u;
#endif
  return vec4<f32>(point(xi, at_mp), point(xi + 1u, at_mp), point(xi + 2u, at_mp), point(xi + 3u, at_mp));
}

#if F4
// Columns 4-5 of row i of the tile's product m (zeros after).
fn row_hi(i: u32, at_mp: u32) -> vec4<f32> {
  return vec4<f32>(point(i * 6u + 4u, at_mp), point(i * 6u + 5u, at_mp), 0.0, 0.0);
}
#endif

// Stores column c of the output tile (rows r in col[r]) with the epilogue; `o` is the index of
// the tile's top-left output in y, (oh, ow) its position.
fn store_column(o: u32, oh: u32, ow: u32, c: u32, col: vec4<f32>, b: f32) {
  if (ow + c >= params.OW) { return; }
  for (var r = 0u; r < M_OUT; r++) {
    if (oh + r < params.OH) {
      let idx = o + r * params.OW + c;
#if HAS_RESIDUAL
      y_set(idx, epilogue_activation(col[r] + b + residual_get(idx)));
#else
      y_set(idx, epilogue_activation(col[r] + b));
#endif
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = flat_index(wid, nwg, lid, WG);
  if (t >= params.total) { return; }
  let P = params.P;
  let m = t / P;
  let p = t % P;
  let at_mp = m * params.Pp + p;
  let tiles = params.TH * params.TW;
  let bt = (params.p0 + p) / tiles;
  let q = (params.p0 + p) % tiles;
  let oh = (q / params.TW) * M_OUT;
  let ow = (q % params.TW) * M_OUT;
  let o = ((bt * params.M + m) * params.OH + oh) * params.OW + ow;
#if HAS_BIAS
  let b = bias_get(m);
#else
  let b = 0.0;
#endif
#if F4
  // Q = Aᵀ m: 4 rows of 6, columns 0-3 in lo, 4-5 in hi.xy.
  let lo = at(row4(0u, at_mp), row4(1u, at_mp), row4(2u, at_mp), row4(3u, at_mp), row4(4u, at_mp), row4(5u, at_mp));
  let hi = at(row_hi(0u, at_mp), row_hi(1u, at_mp), row_hi(2u, at_mp), row_hi(3u, at_mp), row_hi(4u, at_mp), row_hi(5u, at_mp));
  // Row j of Qᵀ is column j of Q: (Q[0][j], .., Q[3][j]). Aᵀ on those rows: row c of the result
  // is column c of Y = Aᵀ m A.
  let cols = at(
    vec4<f32>(lo[0].x, lo[1].x, lo[2].x, lo[3].x),
    vec4<f32>(lo[0].y, lo[1].y, lo[2].y, lo[3].y),
    vec4<f32>(lo[0].z, lo[1].z, lo[2].z, lo[3].z),
    vec4<f32>(lo[0].w, lo[1].w, lo[2].w, lo[3].w),
    vec4<f32>(hi[0].x, hi[1].x, hi[2].x, hi[3].x),
    vec4<f32>(hi[0].y, hi[1].y, hi[2].y, hi[3].y),
  );
  store_column(o, oh, ow, 0u, cols[0], b);
  store_column(o, oh, ow, 1u, cols[1], b);
  store_column(o, oh, ow, 2u, cols[2], b);
  store_column(o, oh, ow, 3u, cols[3], b);
#else
  // Q = Aᵀ m: 2 rows of 4.
  let q2 = at(row4(0u, at_mp), row4(1u, at_mp), row4(2u, at_mp), row4(3u, at_mp));
  let z = vec2<f32>(0.0);
  let cols = at(
    vec4<f32>(q2[0].x, q2[1].x, z),
    vec4<f32>(q2[0].y, q2[1].y, z),
    vec4<f32>(q2[0].z, q2[1].z, z),
    vec4<f32>(q2[0].w, q2[1].w, z),
  );
  store_column(o, oh, ow, 0u, cols[0], b);
  store_column(o, oh, ow, 1u, cols[1], b);
#endif
}
