// Elementwise unary op y[i] = f(x[i]) over a flat array of n elements.
// Layout: x, y flat row-major, stored as {{S}} (f32, or f16 / p16 for float16 values, computed in
// f32; or i32 when INT is defined: integer tensors, with the alpha/beta/gamma parameters as i32
// too). Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (see
// flat_index). f is the define {{EXPR}} of `v` (and alpha/beta/gamma). Helper functions that an expression needs come in by define (ERF: erf_f32).
//#include prelude
#if ERF
//#include erf
#endif

#if INT
alias C = i32;
#else
alias C = f32;
#endif

struct Params {
  n: u32,
  alpha: C,
  beta: C,
  gamma: C,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let v = x_get(i);
  let alpha = params.alpha;
  let beta = params.beta;
  let gamma = params.gamma;
  y_set(i, {{EXPR}});
}
