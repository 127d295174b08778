// Pad: each output element reads the input element its coordinates map to, or the constant.
// Layout: x and y are flat row-major arrays of {{E}} elements (f16 or p16 for float16 values
// stored so, moved through f32, exactly; else 4-byte words copied bitwise as u32: f32, i32 and
// bool alike); `value` holds the constant's bit pattern (f32 bits for float16). Per dim d (rank <= 8, outermost
// first): j = c[d] - begin[d] (begin may be negative: cropping), then by mode
//   CONSTANT: out-of-range j gives `value`;  EDGE: clamp to [0, n-1];
//   REFLECT: mirror without repeating the edge (period 2(n-1));  WRAP: j mod n.
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  n: u32,
  rank: u32,
  value: u32,
  out_shape: array<vec4<u32>, 2>,
  in_shape: array<vec4<u32>, 2>,
  in_strides: array<vec4<u32>, 2>,
  begin: array<vec4<i32>, 2>,
}

//#tensor x 0 read {{E}}
//#tensor y 1 read_write {{E}}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  var rem = i;
  var s = 0u;
  for (var d = params.rank; d > 0u; d = d - 1u) {
    let a = d - 1u;
    let ext = params.out_shape[a / 4u][a % 4u];
    let c = rem % ext;
    rem = rem / ext;
    let len = i32(params.in_shape[a / 4u][a % 4u]);
    var j = i32(c) - params.begin[a / 4u][a % 4u];
#if CONSTANT
    if (j < 0 || j >= len) {
      y_set(i, bitcast<{{C}}>(params.value));
      return;
    }
#endif
#if EDGE
    j = clamp(j, 0, len - 1);
#endif
#if REFLECT
    if (len == 1) {
      j = 0;
    } else {
      let p = 2 * (len - 1);
      j = ((j % p) + p) % p;
      if (j >= len) { j = p - j; }
    }
#endif
#if WRAP
    j = ((j % len) + len) % len;
#endif
    s = s + u32(j) * params.in_strides[a / 4u][a % 4u];
  }
  y_set(i, x_get(s));
}
