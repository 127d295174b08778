// The error function erf(x) on f32, a helper included by unary.wgsl (define ERF) for the ONNX
// Erf op. No data layout or tiling of its own: one call per element of the including kernel.
// WGSL has no erf builtin. Near zero a Maclaurin series keeps the relative error small (erf is
// ~1.128 x there, where a fixed absolute error would dominate); elsewhere the Abramowitz &
// Stegun 7.1.26 rational approximation (absolute error below 1.5e-7), odd in x.

fn erf_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    // 2/sqrt(pi) * (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320); the next term is < 2e-8 here.
    let z = x * x;
    let s = 1.0 - z * (1.0 / 3.0 - z * (1.0 / 10.0 - z * (1.0 / 42.0 - z * (1.0 / 216.0 - z * (1.0 / 1320.0)))));
    return 1.1283791670955126 * x * s;
  }
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = 1.0 - poly * exp(-a * a);
  return select(r, -r, x < 0.0);
}
