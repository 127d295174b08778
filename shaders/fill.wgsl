// Fills a flat buffer with one value: y[i] = value for i < n (Dropout's all-true mask, MaxUnpool's
// zeros). Layout: y is a flat array of {{E}} elements (runtime/gpu/elements.ts moveType): 4-byte
// words written as u32, `value` their bit pattern (f32 bits for float tensors, i32 for
// integers, 0/1 for bool), made on the host; or f16 / p16 (float16 values stored so), `value`
// the f32 bits of the number, rounded to f16 when stored.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (flat_index).
//#include prelude

struct Params {
  n: u32,
  value: u32,
}

//#tensor y 0 read_write {{E}}
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  y_set(i, bitcast<{{C}}>(params.value));
}
