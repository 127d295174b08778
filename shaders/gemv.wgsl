// Matrix product with few rows (a classifier head: batch 1 to 4 times a weight matrix), for
// software adapters (runtime/ops/linalg/gemm-kernel.ts, variant 'gemm-gemv'):
//   y[m0 + r][n0 + c] = act(alpha * sum_k a[r][k] * b[c][k] + beta * C[m0 + r][n0 + c])
// for r < M <= {{MR}} and c < N (this dispatch's columns).
// Elements are of storage type S (f32, or f16 / p16 for float16 values), computed in f32.
// Layout: a is A [M, K] row-major and b is B' stored [N, K] (TRANS_B: PyTorch's Linear weight),
// both read as vec4s along k (the host checks K % 4 == 0); y is the whole [.., ldy] output; c
// (HAS_C) the bias, read at (m0 + r) * c_rs + (n0 + c) * c_cs (0 strides broadcast).
// Tiling: one invocation per {{R}} consecutive columns, {{WG}} per workgroup (flat 2-D grid, see
// flat_index); it walks K in vec4 steps with its {{R}} x {{MR}} dot products in registers: per
// step {{R}} + {{MR}} vec4 loads feed 4 * {{R}} * {{MR}} multiply-adds. No workgroup memory: a
// software adapter loads memory one lane at a time, and the tiled 'gemm-skinny' spends 5 scalar
// loads (staged twice) per 4 multiply-adds; each weight is read once either way.
//#include prelude
//#include epilogue

struct Params {
  M: u32,
  N: u32,
  K4: u32,
  ldy: u32,
  m0: u32,
  n0: u32,
  c_rs: u32,
  c_cs: u32,
  alpha: f32,
  beta: f32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

//#tensor4 a 0 read {{S}}
//#tensor4 b 1 read {{S}}
//#tensor y 2 read_write {{S}}
@group(0) @binding(3) var<uniform> params: Params;
#if HAS_C
//#tensor c 4 read {{S}}
#endif

const R: u32 = {{R}}u;
const MR: u32 = {{MR}}u;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let t = flat_index(wid, nwg, lidx, {{WG}}u);
  let c0 = t * R;
  if (c0 >= params.N) { return; }
  let K4 = params.K4;
  var acc: array<f32, R * MR>;
  for (var i = 0u; i < R * MR; i++) {
    acc[i] = 0.0;
  }
  // Columns past N read the last column (a valid address) and are not stored; rows past M read row 0.
  var bbase: array<u32, R>;
  for (var j = 0u; j < R; j++) {
    bbase[j] = min(c0 + j, params.N - 1u) * K4;
  }
  var abase: array<u32, MR>;
  for (var r = 0u; r < MR; r++) {
    abase[r] = select(0u, r * K4, r < params.M);
  }
  for (var k = 0u; k < K4; k++) {
    var av: array<vec4<f32>, MR>;
    for (var r = 0u; r < MR; r++) {
      av[r] = a_get4(abase[r] + k);
    }
    for (var j = 0u; j < R; j++) {
      let bv = b_get4(bbase[j] + k);
      for (var r = 0u; r < MR; r++) {
        acc[r * R + j] += dot(av[r], bv);
      }
    }
  }
  for (var r = 0u; r < MR; r++) {
    if (r >= params.M) { break; }
    for (var j = 0u; j < R; j++) {
      let col = c0 + j;
      if (col >= params.N) { break; }
      var v = params.alpha * acc[r * R + j];
#if HAS_C
      v += params.beta * c_get((params.m0 + r) * params.c_rs + (params.n0 + col) * params.c_cs);
#endif
      y_set((params.m0 + r) * params.ldy + params.n0 + col, epilogue_activation(v));
    }
  }
}
