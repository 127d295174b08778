// 2-D convolution (NCHW) as an implicit GEMM, per group g:
//   Y_g[m, n] = sum_k W_g[m, k] * X_g[k, n]
//   m: output channel within the group (Mg rows); n: (batch, oh, ow) flattened (ncols columns);
//   k: (c, kh, kw) flattened over the group's input channels and the kernel (K = Cg*KH*KW).
// Layout: x, w, bias, y and the residual are arrays of S (f32, or f16 / p16 for float16 values:
// runtime/gpu/elements.ts), loaded as f32; the GEMM accumulates in f32 and rounds once on store.
// x is [N, C, H, W]; w is the ONNX [M, Cg, KH, KW], so row m of W_g is contiguous and K
// long; y is [N, M, OH, OW]; bias is [M]. The im2col matrix X_g is never stored: element (k, n)
// is x[colbase(n) + ktab[k].x] when the tap (ih0(n) + ktab[k].y, iw0(n) + ktab[k].z) lies inside
// the image, else 0. ktab (built on the host, one vec4<i32> per k) holds
// (c*H*W + kh*dh*W + kw*dw, kh*dh, kw*dw, 0); colbase and the window origin (ih0, iw0) are
// computed once per thread, so the K loop has no integer division.
// Tiling: a workgroup computes a {{TM}}x{{TN}} tile of Y_g with 64 threads, each an 8x8 register
// tile: rows tm*4..+3 and TM/2 + tm*4..+3, columns tn*4..+3 and TN/2 + tn*4..+3 (the two halves
// keep neighbouring threads on neighbouring vec4s of workgroup memory). K advances in chunks of
// {{TK}}: the A chunk (TM x TK, from w) and the B chunk (TK x TN, gathered from x) are staged in
// workgroup memory as vec4s along m and along n, so each k of the inner loop reads 2 vec4s of
// each for 64 multiply-adds (8x8 is a usual GPU register tile; on lavapipe, where every load
// from workgroup memory costs a loop over the SIMD lanes, this ratio sets the speed).
// Ragged edges: rows past Mg and columns past ncols are computed on zeros and not stored; k past
// K reads zeros.
// Workgroups: a flat list (see flat_index) of n tiles, then m tiles, then groups.
// Epilogue: y = act(acc + bias + residual): the bias when HAS_BIAS, the residual (a tensor of
// y's shape, read at y's index: the fused skip connection of a residual block) when
// HAS_RESIDUAL, and act the fused activation of shaders/epilogue.wgsl (identity by default).
//#include prelude
//#include epilogue


struct Params {
  C: u32,
  H: u32,
  W: u32,
  M: u32,
  OSP: u32,
  OW: u32,
  Cg: u32,
  Mg: u32,
  K: u32,
  ncols: u32,
  stride_h: i32,
  stride_w: i32,
  pad_h: i32,
  pad_w: i32,
  n_tiles: u32,
  m_tiles: u32,
  tiles: u32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

//#tensor x 0 read {{S}}
//#tensor w 1 read {{S}}
@group(0) @binding(2) var<storage, read> ktab: array<vec4<i32>>;
//#include conv-gemm-epilogue

//#include conv-tile-layout

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let tile = flat_index(wid, nwg, 0u, 1u);
  if (tile >= params.tiles) { return; }
  let n_tile = tile % params.n_tiles;
  let rest = tile / params.n_tiles;
  let m_tile = rest % params.m_tiles;
  let g = rest / params.m_tiles;
  let n_base = n_tile * TN;
  let m_base = m_tile * TM;
  let K = params.K;
  let Mg = params.Mg;
  let Hi = i32(params.H);
  let Wi = i32(params.W);

  // B loader: a fixed quad of 4 columns, chunk rows lk_b, lk_b + THREADS/TN4, ...
  let lq_b = tid % TN4;
  let lk_b = tid / TN4;
  let n4 = vec4<u32>(n_base + lq_b * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
  let b4 = n4 / params.OSP;
  let p4 = n4 % params.OSP;
  let ih0 = vec4<i32>(p4 / params.OW) * params.stride_h - params.pad_h;
  let iw0 = vec4<i32>(p4 % params.OW) * params.stride_w - params.pad_w;
  let colbase = vec4<i32>((b4 * params.C + g * params.Cg) * params.H * params.W) + ih0 * Wi + iw0;
  let colok = n4 < vec4<u32>(params.ncols);

  // A loader: a fixed k of the chunk, row quads lq_a, lq_a + THREADS/TK, ...
  let lk_a = tid % TK;
  let lq_a = tid / TK;

  let tm = tid / TN8;
  let tn = tid % TN8;
//#include conv-tile-registers

  for (var k0 = 0u; k0 < K; k0 += TK) {
    // Stage A: W_g rows m_base.., columns k0..k0+TK, as vec4s along m.
    let ka = k0 + lk_a;
    for (var q = lq_a; q < TM4; q += THREADS / TK) {
      let m = vec4<u32>(m_base + q * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
      let ok = (m < vec4<u32>(Mg)) & vec4<bool>(ka < K);
      let idx = select(vec4<u32>(0u), (vec4<u32>(g * Mg) + m) * K + ka, ok);
      let a = vec4<f32>(w_get(idx.x), w_get(idx.y), w_get(idx.z), w_get(idx.w));
      As[lk_a * TM4 + q] = select(vec4<f32>(0.0), a, ok);
    }
    // Stage B: rows k0.. of the implicit im2col matrix, as vec4s along n.
    for (var r = lk_b; r < TK; r += THREADS / TN4) {
      let k = k0 + r;
      let t = ktab[min(k, K - 1u)];
      let ih = ih0 + t.y;
      let iw = iw0 + t.z;
      let ok = colok & vec4<bool>(k < K) & (ih >= vec4<i32>(0)) & (ih < vec4<i32>(Hi)) & (iw >= vec4<i32>(0)) & (iw < vec4<i32>(Wi));
      let idx = vec4<u32>(select(vec4<i32>(0), colbase + t.x, ok));
      let v = vec4<f32>(x_get(idx.x), x_get(idx.y), x_get(idx.z), x_get(idx.w));
      Bs[r * TN4 + lq_b] = select(vec4<f32>(0.0), v, ok);
    }
    workgroupBarrier();
//#include conv-tile-accumulate
    workgroupBarrier();
  }

//#include conv-tile-store
}
