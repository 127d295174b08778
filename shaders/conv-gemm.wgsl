// Convolution (NC + 1 to 3 spatial axes) as a GEMM per group g:
//   Y_g[m, n] = sum_k W_g[m, k] * B_g[k, n]
//   m: output channel within the group (Mg rows); n: (batch, output position) flattened, ncols =
//   N * OSP columns (OSP = the output's spatial size); k: the reduction, K long.
// Layout: w is the ONNX [M, Cg, k...], so row m of W_g is contiguous and K = Cg * (kernel size)
// long; with VEC_A (constant weights, re-laid out on the host) it is instead W_g transposed,
// [group][K][mq] vec4s of 4 consecutive rows (mq = ceil(Mg / 4), rows past Mg zero), so that
// staging the A chunk takes one vec4 load per 4 rows instead of 4 scalar loads.
// y (and the residual) is [N, M, OSP...]; bias is [M]. x, b, w, bias, y and the residual are
// arrays of S (f32, or f16 / p16 for float16 values: the im2col matrix is
// stored in the values' type too, its elements being copies of x), loaded as f32; the GEMM
// accumulates in f32 and rounds once on store. B_g comes from one of:
//   IMPLICIT (implicit GEMM, 3-D and 2-D convs): B_g[k, n] = x[colbase(n) + ktab[k].x] when the tap
//     (id0(n) + ktab[k].y, ih0(n) + ktab[k].z, iw0(n) + ktab[k].w) lies inside the D x H x W input,
//     else 0; x is [N, C, D, H, W]; ktab (host-built, one vec4<i32> per k = (c, kd, kh, kw))
//     holds (c*D*H*W + kd*dd*H*W + kh*dh*W + kw*dw, kd*dd, kh*dh, kw*dw); colbase and the window
//     origin (id0, ih0, iw0) are computed once per thread, so the K loop has no integer division;
//   otherwise a dense operand b, with B_g[k, n] = b[(n / OSP) * b_bs + n % OSP + g * b_gs + k * b_ks]:
//     'pointwise' (1x1 kernel, no padding) reads x itself (b_bs = C*H*W, b_ks = H*W,
//     b_gs = Cg*H*W): no index arithmetic at all in the K loop; with STRIDED (strides > 1: a
//     strided 1x1 conv, e.g. ResNet's downsample shortcuts) the column's offset in the plane is
//     (p / OW) * b_rs + (p % OW) * b_cs instead of p, computed once per thread; 'im2col' reads the matrix that
//     shaders/im2col.wgsl wrote ([group][K][ld], ld = ncols rounded up to 4: b_bs = OSP, so that
//     the column offset is n itself, b_ks = ld, b_gs = K*ld).
//     VEC_B: every column quad (n multiple of 4) is 4 contiguous, 16-byte aligned elements of b
//     (the host checks the strides), so b is read as vec4s.
// Tiling (as shaders/conv2d.wgsl): a workgroup computes a {{TM}}x{{TN}} tile of Y_g with 64
// threads, each an 8x8 register tile: rows tm*4..+3 and TM/2 + tm*4..+3, columns tn*4..+3 and
// TN/2 + tn*4..+3. K advances in chunks of {{TK}}: the A chunk (TM x TK, from w) and the B chunk
// (TK x TN) are staged in workgroup memory as vec4s along m and along n, so each k of the inner
// loop reads 2 vec4s of each for 64 multiply-adds.
// Ragged edges: rows past Mg and columns past ncols are computed on zeros and not stored; k past
// K reads zeros.
// Workgroups: a flat list (see flat_index) of n tiles, then m tiles, then groups.
// Epilogue: y = act(acc + bias + residual): the bias when HAS_BIAS, the residual (a tensor of
// y's shape, read at y's index) when HAS_RESIDUAL, and act the fused activation of
// shaders/epilogue.wgsl (identity by default).
//#include prelude
//#include epilogue


struct Params {
  M: u32,
  Mg: u32,
  K: u32,
  OSP: u32,
  ncols: u32,
#if IMPLICIT
  C: u32,
  Cg: u32,
  D: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  stride_d: i32,
  stride_h: i32,
  stride_w: i32,
  pad_d: i32,
  pad_h: i32,
  pad_w: i32,
#else
  b_bs: u32,
  b_gs: u32,
  b_ks: u32,
#if STRIDED
  OW: u32,
  b_rs: u32,
  b_cs: u32,
#endif
#endif
#if VEC_A
  mq: u32,
#endif
  n_tiles: u32,
  m_tiles: u32,
  tiles: u32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

#if IMPLICIT
//#tensor x 0 read {{S}}
@group(0) @binding(2) var<storage, read> ktab: array<vec4<i32>>;
#else
#if VEC_B
//#tensor4 b 0 read {{S}}
#else
//#tensor b 0 read {{S}}
#endif
#endif
#if VEC_A
//#tensor4 w 1 read {{S}}
#else
//#tensor w 1 read {{S}}
#endif
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

  // B loader: a fixed quad of 4 columns, chunk rows lk_b, lk_b + THREADS/TN4, ...
  let lq_b = tid % TN4;
  let lk_b = tid / TN4;
  let n4 = vec4<u32>(n_base + lq_b * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
  let colok = n4 < vec4<u32>(params.ncols);
  let bat4 = n4 / params.OSP;
  let p4 = n4 % params.OSP;
#if IMPLICIT
  let Di = i32(params.D);
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  let ohw = params.OH * params.OW;
  let id0 = vec4<i32>(p4 / ohw) * params.stride_d - params.pad_d;
  let ih0 = vec4<i32>((p4 % ohw) / params.OW) * params.stride_h - params.pad_h;
  let iw0 = vec4<i32>(p4 % params.OW) * params.stride_w - params.pad_w;
  let colbase = vec4<i32>((bat4 * params.C + g * params.Cg) * params.D * params.H * params.W) + (id0 * Hi + ih0) * Wi + iw0;
#else
#if STRIDED
  let colbase = bat4 * params.b_bs + (p4 / params.OW) * params.b_rs + (p4 % params.OW) * params.b_cs + g * params.b_gs;
#else
  let colbase = bat4 * params.b_bs + p4 + g * params.b_gs;
#endif
#endif

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
#if VEC_A
      let mq = m_base / 4u + q;
      let ok = mq < params.mq && ka < K;
      As[lk_a * TM4 + q] = select(vec4<f32>(0.0), w_get4(select(0u, (g * K + ka) * params.mq + mq, ok)), ok);
#else
      let m = vec4<u32>(m_base + q * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
      let ok = (m < vec4<u32>(Mg)) & vec4<bool>(ka < K);
      let idx = select(vec4<u32>(0u), (vec4<u32>(g * Mg) + m) * K + ka, ok);
      let a = vec4<f32>(w_get(idx.x), w_get(idx.y), w_get(idx.z), w_get(idx.w));
      As[lk_a * TM4 + q] = select(vec4<f32>(0.0), a, ok);
#endif
    }
    // Stage B: rows k0.. of B_g, as vec4s along n.
    for (var r = lk_b; r < TK; r += THREADS / TN4) {
      let k = k0 + r;
#if IMPLICIT
      let t = ktab[min(k, K - 1u)];
      let id = id0 + t.y;
      let ih = ih0 + t.z;
      let iw = iw0 + t.w;
      let inside = (id >= vec4<i32>(0)) & (id < vec4<i32>(Di)) & (ih >= vec4<i32>(0)) & (ih < vec4<i32>(Hi)) & (iw >= vec4<i32>(0)) & (iw < vec4<i32>(Wi));
      let ok = colok & vec4<bool>(k < K) & inside;
      let idx = vec4<u32>(select(vec4<i32>(0), colbase + t.x, ok));
      let v = vec4<f32>(x_get(idx.x), x_get(idx.y), x_get(idx.z), x_get(idx.w));
      Bs[r * TN4 + lq_b] = select(vec4<f32>(0.0), v, ok);
#else
      let ok = colok & vec4<bool>(k < K);
#if VEC_B
      // The quad is whole or past ncols entirely, except at the very last columns, where the
      // host guarantees that the quad's elements still lie inside b.
      let v = b_get4(select(0u, (colbase.x + k * params.b_ks) / 4u, ok.x));
#else
      let idx = select(vec4<u32>(0u), colbase + k * params.b_ks, ok);
      let v = vec4<f32>(b_get(idx.x), b_get(idx.y), b_get(idx.z), b_get(idx.w));
#endif
      Bs[r * TN4 + lq_b] = select(vec4<f32>(0.0), v, ok);
#endif
    }
    workgroupBarrier();
//#include conv-tile-accumulate
    workgroupBarrier();
  }

//#include conv-tile-store
}
