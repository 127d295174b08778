// Strided copy of a box of elements between two flat buffers (Transpose, Slice, Concat, Split,
// Expand). Layout: src and dst are flat arrays of {{E}} elements: u32 for the 4-byte types (f32,
// i32, bool as u32 0/1) copied bitwise, f16 or p16 for float16 values stored so (p16 moves
// through f32, exactly). For every coordinate c of the box
// `shape` (rank <= 8, outermost dim first, unused dims absent):
//   dst[dst_offset + sum_d c[d] * dst_strides[d]] = src[src_offset + sum_d c[d] * src_strides[d]]
// Source strides are signed (Slice with negative steps) and may be 0 (Expand's broadcast dims).
// The host merges contiguous dims first, so most copies run at rank 1-3.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (flat_index);
// an invocation decomposes its linear box index innermost dim first.
//#include prelude

struct Params {
  n: u32,
  rank: u32,
  src_offset: i32,
  dst_offset: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<u32>, 2>,
}

//#tensor src 0 read {{E}}
//#tensor dst 1 read_write {{E}}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  var rem = i;
  var s = params.src_offset;
  var t = params.dst_offset;
  for (var d = params.rank; d > 0u; d = d - 1u) {
    let a = d - 1u;
    let ext = params.shape[a / 4u][a % 4u];
    let c = rem % ext;
    rem = rem / ext;
    s = s + i32(c) * params.src_strides[a / 4u][a % 4u];
    t = t + c * params.dst_strides[a / 4u][a % 4u];
  }
  dst_set(t, src_get(u32(s)));
}
