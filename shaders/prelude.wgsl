// Shared prelude, included by every kernel with `//#include prelude`.
// Data layout: every tensor is a flat, row-major (NCHW) array of 4-byte elements
// (f32 for float tensors, i32 for integer tensors, u32 0/1 for bool).
// Grids: kernels that map one invocation per element use a 2D grid of workgroups so that more
// than 65535 workgroups (the WebGPU default maxComputeWorkgroupsPerDimension) fit; `flat_index`
// turns (workgroup_id, num_workgroups, local index) back into a linear element index.

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lidx: u32, wg_size: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * wg_size + lidx;
}

// The float16 bits of v in the low half of a u32 (p16 storage: runtime/gpu/shader.ts tensorDecl):
// pack2x16float rounds, and values beyond f16's finite range become ±Infinity (pack2x16float
// leaves those indeterminate).
fn f16_bits(v: f32) -> u32 {
  let h = pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu;
  return select(h, select(0x7c00u, 0xfc00u, v < 0.0), abs(v) >= 65520.0);
}

