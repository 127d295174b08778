// Winograd convolution, step 2 of 3: the batched GEMM over the transform points
// (runtime/ops/nn/conv-winograd.ts). For every point xi (16 for F(2x2,3x3), 36 for F(4x4,3x3)):
//   prod[xi][m, p] = sum_c u[xi][c, m] * v[xi][c, p]
//   m: output channel (M rows), p: tile (Pp columns), c: input channel (K = C).
// Layout: u is the transformed filter G g Gᵀ, [points, C, Mp] with Mp = M rounded up to a
// multiple of 4 (zeros past M), built once on the host; v is [points, C, Pp] from
// shaders/winograd-input.wgsl (Pp a multiple of 4); prod is [points, M, Pp]. All three are read
// and written as vec4s: u along m, v and prod along p. All three are f32 whatever the conv's
// element type (float16 convs too: runtime/ops/nn/conv-winograd.ts says why).
// Tiling: as shaders/conv2d.wgsl's implicit GEMM. A workgroup computes a {{TM}}x{{TN}} tile of one
// point's product with 64 threads, each an 8x8 register tile: rows tm*4..+3 and TM/2 + tm*4..+3,
// columns tn*4..+3 and TN/2 + tn*4..+3. C advances in chunks of {{TK}}: the chunks of u (TK x TM)
// and v (TK x TN) are staged in workgroup memory as vec4s, and each k of the inner loop reads 2
// vec4s of each for 64 multiply-adds. NARROW tiles (TN 4 or 8, for convs with few tiles, e.g.
// 512 channels at 7x7: 4 F(4x4) tiles) give each thread an 8x4 register tile instead (rows as
// above, columns tn*4..+3), so that a narrow product is not padded to 16 columns.
// Ragged edges: row quads past Mp and column quads past Pp stage zeros and k past C reads zeros;
// rows past M are not stored.
// Workgroups: a flat list (see flat_index) of n tiles, then m tiles, then points.
//#include prelude

struct Params {
  C: u32,
  M: u32,
  Mp4: u32,
  Pp4: u32,
  n_tiles: u32,
  m_tiles: u32,
  tiles: u32,
}

@group(0) @binding(0) var<storage, read> u: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> prod: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const TK: u32 = {{TK}}u;
const TM4: u32 = TM / 4u;
const TN4: u32 = TN / 4u;
const TM8: u32 = TM / 8u;
#if NARROW
// Column quads per thread: 1 (8x4 register tiles).
const TNQ: u32 = TN4;
#else
// Column quads per thread: 2 (8x8 register tiles), TN/2 apart.
const TNQ: u32 = TN / 8u;
#endif
const THREADS: u32 = 64u;

var<workgroup> As: array<vec4<f32>, TK * TM4>;
var<workgroup> Bs: array<vec4<f32>, TK * TN4>;

// Writes row m of point xi's product for the column quad n4 (if both are in range).
fn store(xi: u32, m: u32, n4: u32, acc: vec4<f32>) {
  if (m < params.M && n4 < params.Pp4) {
    prod[(xi * params.M + m) * params.Pp4 + n4] = acc;
  }
}

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let tile = flat_index(wid, nwg, 0u, 1u);
  if (tile >= params.tiles) { return; }
  let n_tile = tile % params.n_tiles;
  let rest = tile / params.n_tiles;
  let m_tile = rest % params.m_tiles;
  let xi = rest / params.m_tiles;
  let C = params.C;
  let Mp4 = params.Mp4;
  let Pp4 = params.Pp4;
  let n4_base = n_tile * TN4;
  let m4_base = m_tile * TM4;
  let u_base = xi * C * Mp4;
  let v_base = xi * C * Pp4;

  // B loader: a fixed column quad lq_b, chunk rows lk_b, lk_b + THREADS/TN4, ...
  let lq_b = tid % TN4;
  let lk_b = tid / TN4;
  let nq = n4_base + lq_b;
  // A loader: a fixed k of the chunk, row quads lq_a, lq_a + THREADS/TK, ...
  let lk_a = tid % TK;
  let lq_a = tid / TK;

  let tm = tid / TNQ;
  let tn = tid % TNQ;
  var acc00 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
#ifnot NARROW
  var acc01 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
#endif

  for (var k0 = 0u; k0 < C; k0 += TK) {
    // Stage A: u rows k0..k0+TK, row quads m4_base.. (vec4s along m).
    let ka = k0 + lk_a;
    for (var q = lq_a; q < TM4; q += THREADS / TK) {
      let ok = ka < C && m4_base + q < Mp4;
      As[lk_a * TM4 + q] = select(vec4<f32>(0.0), u[select(0u, u_base + ka * Mp4 + m4_base + q, ok)], ok);
    }
    // Stage B: v rows k0.., column quads n4_base.. (vec4s along p).
    for (var r = lk_b; r < TK; r += THREADS / TN4) {
      let k = k0 + r;
      let ok = k < C && nq < Pp4;
      Bs[r * TN4 + lq_b] = select(vec4<f32>(0.0), v[select(0u, v_base + k * Pp4 + nq, ok)], ok);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a0 = As[kk * TM4 + tm];
      let a1 = As[kk * TM4 + TM8 + tm];
      let b0 = Bs[kk * TN4 + tn];
      acc00 += a0.x * b0;
      acc10 += a0.y * b0;
      acc20 += a0.z * b0;
      acc30 += a0.w * b0;
      acc40 += a1.x * b0;
      acc50 += a1.y * b0;
      acc60 += a1.z * b0;
      acc70 += a1.w * b0;
#ifnot NARROW
      let b1 = Bs[kk * TN4 + TNQ + tn];
      acc01 += a0.x * b1;
      acc11 += a0.y * b1;
      acc21 += a0.z * b1;
      acc31 += a0.w * b1;
      acc41 += a1.x * b1;
      acc51 += a1.y * b1;
      acc61 += a1.z * b1;
      acc71 += a1.w * b1;
#endif
    }
    workgroupBarrier();
  }

  let c0 = n4_base + tn;
  let r0 = m4_base * 4u + tm * 4u;
  let r1 = m4_base * 4u + TM / 2u + tm * 4u;
  store(xi, r0, c0, acc00);
  store(xi, r0 + 1u, c0, acc10);
  store(xi, r0 + 2u, c0, acc20);
  store(xi, r0 + 3u, c0, acc30);
  store(xi, r1, c0, acc40);
  store(xi, r1 + 1u, c0, acc50);
  store(xi, r1 + 2u, c0, acc60);
  store(xi, r1 + 3u, c0, acc70);
#ifnot NARROW
  let c1 = c0 + TNQ;
  store(xi, r0, c1, acc01);
  store(xi, r0 + 1u, c1, acc11);
  store(xi, r0 + 2u, c1, acc21);
  store(xi, r0 + 3u, c1, acc31);
  store(xi, r1, c1, acc41);
  store(xi, r1 + 1u, c1, acc51);
  store(xi, r1 + 2u, c1, acc61);
  store(xi, r1 + 3u, c1, acc71);
#endif
}
