// The epilogue of the GEMM-shaped conv kernels (shaders/conv2d.wgsl, conv-gemm.wgsl,
// conv-gemm-sg.wgsl), included after their Params struct (which must have Mg and OSP): the
// bindings of bias, y, params and residual, and the store y = act(acc + bias + residual) of
// shaders/epilogue.wgsl's activation. y (and the residual) is [N, M, OSP...], bias [M]; all three
// are arrays of the including shader's alias SY (the output's storage type: f32, or f16 for
// float16 values), loaded as f32; the sum is computed in f32 and rounded once when stored.
#if HAS_BIAS
@group(0) @binding(3) var<storage, read> bias: array<SY>;
#endif
@group(0) @binding(4) var<storage, read_write> y: array<SY>;
@group(0) @binding(5) var<uniform> params: Params;
#if HAS_RESIDUAL
@group(0) @binding(6) var<storage, read> residual: array<SY>;
#endif

// Writes row m (within the group) of the tile for 4 consecutive columns whose output offsets
// (batch*M*OSP + p) are `cols`; `ok` masks columns past ncols.
fn store4(m: u32, g: u32, cols: vec4<u32>, ok: vec4<bool>, acc: vec4<f32>) {
  if (m >= params.Mg) { return; }
  let oc = g * params.Mg + m;
#if HAS_BIAS
  let vb = acc + f32(bias[oc]);
#else
  let vb = acc;
#endif
  let base = oc * params.OSP;
  for (var j = 0u; j < 4u; j++) {
    if (ok[j]) {
      let o = cols[j] + base;
#if HAS_RESIDUAL
      y[o] = SY(epilogue_activation(vb[j] + f32(residual[o])));
#else
      y[o] = SY(epilogue_activation(vb[j]));
#endif
    }
  }
}
