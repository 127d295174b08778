// The fused-activation epilogue, a helper included by conv2d.wgsl, conv-direct.wgsl and
// gemm.wgsl. No data layout or tiling of its own: one call per output element of the including
// kernel, after the bias (and residual) are added.
// {{ACTIVATION}} is a WGSL expression of `v` and alpha/beta/gamma, taken from the table in
// runtime/ops/activation/epilogue.ts ('v' when nothing is fused). The parameters are uniforms,
// so the including shader's `params` struct has the f32 members act_alpha, act_beta, act_gamma.

fn epilogue_activation(v: f32) -> f32 {
  let alpha = params.act_alpha;
  let beta = params.act_beta;
  let gamma = params.act_gamma;
  return {{ACTIVATION}};
}
