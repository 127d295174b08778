// Where: y = cond ? a : b elementwise, with numpy (multidirectional) broadcasting of all three.
// Layout: cond is a flat row-major bool tensor (u32 0/1); a, b and y are flat row-major arrays of
// {{E}} elements: 4-byte words copied bitwise as u32, so one kernel serves f32, i32 and bool
// tensors, or f16 / p16 for float16 values stored so. The host
// coalesces dims first (size-1 output dims dropped, dims contiguous in every operand merged, at
// most 8 left): out_strides are y's row-major strides, c/a/b_strides the operands' strides, 0
// along the dims where that operand is broadcast.
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (see flat_index).
//#include prelude

struct Params {
  n: u32,
  rank: u32,
  out_strides: array<vec4<u32>, 2>,
  c_strides: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> cond: array<u32>;
//#tensor x0 1 read {{E}}
//#tensor x1 2 read {{E}}
//#tensor y 3 read_write {{E}}
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  var rem = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var d = 0u; d < params.rank; d++) {
    let s = params.out_strides[d / 4u][d % 4u];
    let q = rem / s;
    rem -= q * s;
    ic += q * params.c_strides[d / 4u][d % 4u];
    ia += q * params.a_strides[d / 4u][d % 4u];
    ib += q * params.b_strides[d / 4u][d % 4u];
  }
  y_set(i, select(x1_get(ib), x0_get(ia), cond[ic] != 0u));
}
