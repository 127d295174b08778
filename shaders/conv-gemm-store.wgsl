// The epilogue store shared by shaders/conv-gemm.wgsl and conv-gemm-sg.wgsl (included after
// their bindings: params.Mg/M/OSP, bias, y, residual). y = act(acc + bias + residual).
// Writes row m (within the group) of the tile for 4 consecutive columns whose output offsets
// (batch*M*OSP + p) are `cols`; `ok` masks columns past ncols.
fn store4(m: u32, g: u32, cols: vec4<u32>, ok: vec4<bool>, acc: vec4<f32>) {
  if (m >= params.Mg) { return; }
  let oc = g * params.Mg + m;
#if HAS_BIAS
  let vb = acc + bias[oc];
#else
  let vb = acc;
#endif
  let base = oc * params.OSP;
  for (var j = 0u; j < 4u; j++) {
    if (ok[j]) {
      let o = cols[j] + base;
#if HAS_RESIDUAL
      y[o] = epilogue_activation(vb[j] + residual[o]);
#else
      y[o] = epilogue_activation(vb[j]);
#endif
    }
  }
}
