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
  store_pair(cols.x + base, cols.y + base, ok.x, ok.y, vb.x, vb.y);
  store_pair(cols.z + base, cols.w + base, ok.z, ok.w, vb.z, vb.w);
}

// Two columns of one output row: adjacent ones go out together (packed f16: one whole-word
// store instead of two read-modify-writes; elsewhere two plain stores).
fn store_pair(o0: u32, o1: u32, ok0: bool, ok1: bool, a0: f32, a1: f32) {
#if HAS_RESIDUAL
  let v0 = epilogue_activation(a0 + select(0.0, residual_get(select(0u, o0, ok0)), ok0));
  let v1 = epilogue_activation(a1 + select(0.0, residual_get(select(0u, o1, ok1)), ok1));
#else
  let v0 = epilogue_activation(a0);
  let v1 = epilogue_activation(a1);
#endif
  if (ok0 && ok1 && o1 == o0 + 1u) {
    y_set2(o0, vec2<f32>(v0, v1));
    return;
  }
  if (ok0) { y_set(o0, v0); }
  if (ok1) { y_set(o1, v1); }
}
