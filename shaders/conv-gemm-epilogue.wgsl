// The epilogue of the GEMM-shaped conv kernels (shaders/conv2d.wgsl, conv-gemm.wgsl,
// conv-gemm-sg.wgsl), included after their Params struct (which must have Mg and OSP): the
// bindings of bias, y, params and residual, and the store y = act(acc + bias + residual) of
// shaders/epilogue.wgsl's activation. y (and the residual) is [N, M, OSP...], bias [M]; all three
// are stored as the define {{SY}} (the output's storage type: f32, or f16 / p16 for float16
// values), loaded as f32; the sum is computed in f32 and rounded once when stored.
#if HAS_BIAS
//#tensor bias 3 read {{SY}}
#endif
//#tensor y 4 read_write {{SY}}
@group(0) @binding(5) var<uniform> params: Params;
#if HAS_RESIDUAL
//#tensor residual 6 read {{SY}}
#endif

// Writes row m (within the group) of the tile for 4 consecutive columns whose output offsets
// (batch*M*OSP + p) are `cols`; `ok` masks columns past ncols.
fn store4(m: u32, g: u32, cols: vec4<u32>, ok: vec4<bool>, acc: vec4<f32>) {
  if (m >= params.Mg) { return; }
  let oc = g * params.Mg + m;
#if HAS_BIAS
  let vb = acc + bias_get(oc);
#else
  let vb = acc;
#endif
  let base = oc * params.OSP;
  for (var j = 0u; j < 4u; j++) {
    if (ok[j]) {
      let o = cols[j] + base;
#if HAS_RESIDUAL
      y_set(o, epilogue_activation(vb[j] + residual_get(o)));
#else
      y_set(o, epilogue_activation(vb[j]));
#endif
    }
  }
}
