// Convolution (NC + 1 to 3 spatial axes), direct: one output element per invocation, a plain
// loop over the group's input channels and the KD x KH x KW window; 1-D and 2-D windows run with
// leading axes of size 1 (runtime/ops/nn/window.ts, padWindow). The default with few output
// channels per group, whose GEMM has too few rows to fill a tile, and the simple reference
// variant (tests compare the other kernels with it): slower, with no tiling to get wrong.
// Layout: x is [N, C, D, H, W], w is the ONNX [M, Cg, KD, KH, KW], bias is [M], y (and the
// residual) is [N, M, OD, OH, OW]; the flat output index is decoded into (b, oc, od, oh, ow).
// Out-of-volume taps count as 0. All five are arrays of S, the values' storage type (f32, or f16
// for float16 values on devices with shader-f16), loaded as f32; the sum is accumulated in f32 and
// rounded once when y is stored.
// Tiling: {{WG}} outputs per workgroup, 2-D grid of workgroups (see flat_index).
// Epilogue: y = act(acc + bias + residual): the bias when HAS_BIAS, the residual (a tensor of
// y's shape, read at y's index) when HAS_RESIDUAL, and act the fused activation of
// shaders/epilogue.wgsl (identity by default).
//#include prelude
//#include epilogue

struct Params {
  total: u32,
  C: u32,
  D: u32,
  H: u32,
  W: u32,
  M: u32,
  OD: u32,
  OH: u32,
  OW: u32,
  Cg: u32,
  Mg: u32,
  KD: u32,
  KH: u32,
  KW: u32,
  stride_d: i32,
  stride_h: i32,
  stride_w: i32,
  pad_d: i32,
  pad_h: i32,
  pad_w: i32,
  dil_d: i32,
  dil_h: i32,
  dil_w: i32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

//#tensor x 0 read {{S}}
//#tensor w 1 read {{S}}
#if HAS_BIAS
//#tensor bias 2 read {{S}}
#endif
//#tensor y 3 read_write {{S}}
@group(0) @binding(4) var<uniform> params: Params;
#if HAS_RESIDUAL
//#tensor residual 5 read {{S}}
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let ow = i % params.OW;
  let t0 = i / params.OW;
  let oh = t0 % params.OH;
  let t1 = t0 / params.OH;
  let od = t1 % params.OD;
  let t2 = t1 / params.OD;
  let oc = t2 % params.M;
  let b = t2 / params.M;
  let g = oc / params.Mg;
  let id0 = i32(od) * params.stride_d - params.pad_d;
  let ih0 = i32(oh) * params.stride_h - params.pad_h;
  let iw0 = i32(ow) * params.stride_w - params.pad_w;
  let Di = i32(params.D);
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  let KHW = params.KH * params.KW;
  let KDHW = params.KD * KHW;
#if HAS_BIAS
  var acc = bias_get(oc);
#else
  var acc = 0.0;
#endif
  for (var c = 0u; c < params.Cg; c++) {
    let xvol = (b * params.C + g * params.Cg + c) * params.D * params.H * params.W;
    let wbase = (oc * params.Cg + c) * KDHW;
    for (var kd = 0u; kd < params.KD; kd++) {
      let id = id0 + i32(kd) * params.dil_d;
      if (id < 0 || id >= Di) { continue; }
      for (var kh = 0u; kh < params.KH; kh++) {
        let ih = ih0 + i32(kh) * params.dil_h;
        if (ih < 0 || ih >= Hi) { continue; }
        let xrow = xvol + u32(id * Hi + ih) * params.W;
        let wrow = wbase + kd * KHW + kh * params.KW;
        for (var kw = 0u; kw < params.KW; kw++) {
          let iw = iw0 + i32(kw) * params.dil_w;
          if (iw < 0 || iw >= Wi) { continue; }
          acc += x_get(xrow + u32(iw)) * w_get(wrow + kw);
        }
      }
    }
  }
#if HAS_RESIDUAL
  y_set(i, epilogue_activation(acc + residual_get(i)));
#else
  y_set(i, epilogue_activation(acc));
#endif
}
