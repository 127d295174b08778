// Erf (ONNX opset 9/13): the Gauss error function, elementwise, on float tensors (BERT-style GELU
// and tf2onnx exports use it). WGSL has no erf: shaders/erf.wgsl supplies erf_f32, pulled into
// unary.wgsl by the ERF define; the host version uses the same approximation.
import { unaryOp } from '../activation/unary.js';

/** Same approximation as erf_f32 in shaders/erf.wgsl: Maclaurin series below 0.5, Abramowitz &
 * Stegun 7.1.26 above (absolute error < 1.5e-7). */
export function erfHost(x: number): number {
  const a = Math.abs(x);
  if (a < 0.5) {
    const z = x * x;
    const s = 1 - z * (1 / 3 - z * (1 / 10 - z * (1 / 42 - z * (1 / 216 - z * (1 / 1320)))));
    return 1.1283791670955126 * x * s;
  }
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = 1 - poly * Math.exp(-a * a);
  return x < 0 ? -r : r;
}

export const Erf = unaryOp({ opType: 'Erf', wgsl: 'erf_f32(v)', host: erfHost, defines: { ERF: true } });
