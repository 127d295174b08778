// Gathers the per-tensor quantisation scalars of an integer conv / matrix product into the one
// 4-word buffer `qs` that quant-conv-io.wgsl reads: [x_zero_point, y_zero_point (i32 bits),
// x_scale, y_scale (f32 bits)]. Runs only where one of them is computed on the GPU (a
// DynamicQuantizeLinear upstream); constant scalars are written at create
// (runtime/ops/quant/int-conv.ts). Why one buffer: the conv kernel would otherwise bind 11
// storage buffers, above the 10 per shader stage of WebGPU's default maxStorageBuffersPerShaderStage
// (SwiftShader's limit).
// Layout: each input is a 1-element array; the zero points {{TXZ}} / {{TYZ}} (i32, or a byte
// packed in a word: i8, u8), read through the //#tensor accessors. Tiling: one invocation.
//#tensor x_zp 0 read {{TXZ}}
//#tensor y_zp 1 read {{TYZ}}
@group(0) @binding(2) var<storage, read> x_scale: array<f32>;
@group(0) @binding(3) var<storage, read> y_scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> qs: array<u32>;

@compute @workgroup_size(1)
fn main() {
  qs[0] = bitcast<u32>(x_zp_get(0u));
  qs[1] = bitcast<u32>(y_zp_get(0u));
  qs[2] = bitcast<u32>(x_scale[0]);
  qs[3] = bitcast<u32>(y_scale[0]);
}
