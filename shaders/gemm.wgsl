// General matrix multiply, shared by Gemm and MatMul:
//   y[b][m0 + r][n0 + c] = alpha * sum_k A'[b][r][k] * B'[b][k][c] (+ beta * C[m0 + r][n0 + c])
// for r < M, c < N (this dispatch's block of rows and columns).
// Layout: every buffer is flat row-major with elements of storage type S (f32, f16 or p16 for floats,
// i32 when INT: no alpha/beta scaling, MatMul only), computed and accumulated in T (f32 / i32).
//   a: this dispatch's rows of A'. TRANS_A off: [M, K] row-major; on: [K, M] (A' = A^T).
//   b: this dispatch's columns of B'. TRANS_B off: [K, N] row-major; on: [N, K] (B' = B^T).
//   a/b may be chunks of a larger operand (host-split weights, or offset bindings), which is why
//   their views are local while y and c are indexed with the global offsets m0/n0.
//   y: the whole output, ldy columns per row, batch stride y_bs.
//   c (HAS_C): bias read at (m0 + r) * c_rs + (n0 + c) * c_cs; a stride is 0 along a broadcast dim.
//   Batches (MatMul): workgroup_id.z + batch0 is a flat batch index over bdims (4 batch dims,
//   leading ones padded with 1); a_bs/b_bs are the operands' batch strides (0 where broadcast).
// Tiling: a workgroup of WX x WY invocations computes a BM x BN = (WY*TM) x (WX*TN) block of y.
//   Each step stages a BM x TK slice of A' and a TK x BN slice of B' in workgroup memory (k-major,
//   so a thread reads TM / TN consecutive-k values without bank-strided access), then every
//   invocation accumulates a TM x TN register tile. Invocation (lx, ly) owns rows ly + i*WY and
//   columns lx + j*WX, so neighbouring invocations touch neighbouring columns (coalesced stores,
//   conflict-free shared reads). Loads and stores are bounds-checked: any M, N, K works.
// Epilogue (float only): y = act(alpha * A'B' + beta * C), act being the fused activation of
//   shaders/epilogue.wgsl (identity by default; act_alpha/act_beta/act_gamma are its parameters).
//#include prelude
#ifnot INT
//#include epilogue
#endif

struct Params {
  M: u32,
  N: u32,
  K: u32,
  ldy: u32,
  m0: u32,
  n0: u32,
  c_rs: u32,
  c_cs: u32,
  alpha: f32,
  beta: f32,
  batch0: u32,
  y_bs: u32,
  bdims: vec4<u32>,
  a_bs: vec4<u32>,
  b_bs: vec4<u32>,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

//#tensor a 0 read {{S}}
//#tensor b 1 read {{S}}
#if HAS_C
//#tensor c 2 read {{S}}
#endif
//#tensor y 3 read_write {{S}}
@group(0) @binding(4) var<uniform> params: Params;

const WX = {{WX}}u;
const WY = {{WY}}u;
const TM = {{TM}}u;
const TN = {{TN}}u;
const TK = {{TK}}u;
const BM = WY * TM;
const BN = WX * TN;
const NT = WX * WY;

var<workgroup> As: array<{{T}}, {{TK}} * {{WY}} * {{TM}}>;
var<workgroup> Bs: array<{{T}}, {{TK}} * {{WX}} * {{TN}}>;

@compute @workgroup_size({{WX}}, {{WY}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let M = params.M;
  let N = params.N;
  let K = params.K;

  // Batch offsets: unravel the flat batch index over bdims (innermost last).
  var rem = wid.z + params.batch0;
  let bd = params.bdims;
  let i3 = rem % bd.w; rem = rem / bd.w;
  let i2 = rem % bd.z; rem = rem / bd.z;
  let i1 = rem % bd.y; rem = rem / bd.y;
  let i0 = rem;
  let a_base = i0 * params.a_bs.x + i1 * params.a_bs.y + i2 * params.a_bs.z + i3 * params.a_bs.w;
  let b_base = i0 * params.b_bs.x + i1 * params.b_bs.y + i2 * params.b_bs.z + i3 * params.b_bs.w;
  let y_base = (wid.z + params.batch0) * params.y_bs;

  let tile_m = wid.y * BM;
  let tile_n = wid.x * BN;

  var acc: array<{{T}}, {{TM}} * {{TN}}>;
  for (var i = 0u; i < TM * TN; i++) { acc[i] = {{T}}(0); }

  for (var k0 = 0u; k0 < K; k0 += TK) {
    // Stage A'[tile_m .. +BM][k0 .. +TK] into As[kk * BM + r] (zeros outside the matrix).
    for (var e = lidx; e < BM * TK; e += NT) {
#if TRANS_A
      let r = e % BM;
      let kk = e / BM;
#else
      let r = e / TK;
      let kk = e % TK;
#endif
      let gm = tile_m + r;
      let gk = k0 + kk;
      var v = {{T}}(0);
      if (gm < M && gk < K) {
#if TRANS_A
        v = a_get(a_base + gk * M + gm);
#else
        v = a_get(a_base + gm * K + gk);
#endif
      }
      As[kk * BM + r] = v;
    }
    // Stage B'[k0 .. +TK][tile_n .. +BN] into Bs[kk * BN + col].
    for (var e = lidx; e < BN * TK; e += NT) {
#if TRANS_B
      let col = e / TK;
      let kk = e % TK;
#else
      let col = e % BN;
      let kk = e / BN;
#endif
      let gn = tile_n + col;
      let gk = k0 + kk;
      var v = {{T}}(0);
      if (gn < N && gk < K) {
#if TRANS_B
        v = b_get(b_base + gn * K + gk);
#else
        v = b_get(b_base + gk * N + gn);
#endif
      }
      Bs[kk * BN + col] = v;
    }
    workgroupBarrier();

    for (var kk = 0u; kk < TK; kk++) {
      var av: array<{{T}}, {{TM}}>;
      var bv: array<{{T}}, {{TN}}>;
      for (var i = 0u; i < TM; i++) { av[i] = As[kk * BM + lid.y + i * WY]; }
      for (var j = 0u; j < TN; j++) { bv[j] = Bs[kk * BN + lid.x + j * WX]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) {
          acc[i * TN + j] += av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let r = tile_m + lid.y + i * WY;
    if (r >= M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = tile_n + lid.x + j * WX;
      if (col >= N) { continue; }
      let gr = params.m0 + r;
      let gc = params.n0 + col;
#if INT
      var v = acc[i * TN + j];
#else
      var v = params.alpha * acc[i * TN + j];
#endif
#if HAS_C
      v += params.beta * c_get(gr * params.c_rs + gc * params.c_cs);
#endif
#ifnot INT
      v = epilogue_activation(v);
#endif
      y_set(y_base + gr * params.ldy + gc, v);
    }
  }
}
