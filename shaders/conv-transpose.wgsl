// ConvTranspose (transposed convolution, ONNX opset 1/11) in gather form: every invocation owns
// a block of output elements and sums what lands on them, so no two invocations write the same
// element and no atomics are needed.
// Layout: x is [N, C, D, H, W] and y is [N, M, OD, OH, OW], flat row-major (1-D and 2-D inputs
// come with D = H = 1, or D = 1); bias is [M]. Channels are split into `groups`: input channels
// g*Cg..+Cg feed output channels g*Mg..+Mg. x, w, bias and y are arrays of S, the values'
// storage type (f32, or f16 / p16 for float16 values; w of vec4<S> when VEC),
// loaded as f32; the sums accumulate in f32 (Acc) and are rounded once when y is stored.
// The scatter y[o] += x[i] * w[t] for o = i*s - pad + t*dil (per spatial axis) is inverted: for an
// output coordinate o, tap t contributes iff q = o + pad - t*dil is a non-negative multiple of s
// with q/s < in. The first such tap is found among t < step (step = s / gcd(s, dil)), after which
// every step-th tap lines up too, so an axis visits ceil(k / step) taps at most and never a tap
// that is discarded for its residue.
// Weights: `w` is read at  w_base(g, mt) + tap * w_tap + c * w_chan (+ lane), with the strides as
// uniforms, so the kernel reads either
//   - the host's re-layout (constant W, runtime/ops/nn/conv-transpose.ts): [G][mtiles][taps][Cg][MT],
//     output channels padded with zeros to a multiple of MT, so the MT channels of one (tap, c) are
//     contiguous (vec4s when VEC), or
//   - the ONNX layout [C, Mg, taps] directly (W a graph input, MT = 1, scalar only).
// Tiling: one invocation computes MT = 4*MV output channels (VEC; MT = 1 otherwise) times TW output
// columns ow0, ow0 + sW, ..., ow0 + (TW-1)*sW. Those columns share their residue modulo the stride,
// hence the same taps, and read TW consecutive input columns: per (tap, input channel) the
// inner loop loads TW x values and MV weight vec4s for TW*MT multiply-adds, and the tap
// search and bounds checks are done once per tap, outside the channel loop.
// Invocation order (flat, see flat_index): column block, column residue (0..sW-1), oh, od,
// channel tile, group, batch; neighbouring invocations share their weights.
//#include prelude

#if VEC
alias Acc = vec4<f32>;
#else
alias Acc = f32;
#endif

const TW: u32 = {{TW}}u;
const MV: u32 = {{MV}}u;

struct Params {
  total: u32,
  C: u32,
  Cg: u32,
  M: u32,
  Mg: u32,
  groups: u32,
  mtiles: u32,
  nblk: u32,
  w_group: u32,
  w_mtile: u32,
  w_tap: u32,
  w_chan: u32,
  in_size: vec4<i32>,
  out_size: vec4<i32>,
  kernel: vec4<i32>,
  stride: vec4<i32>,
  pad: vec4<i32>,
  dil: vec4<i32>,
  tap_step: vec4<i32>,
}

//#tensor x 0 read {{S}}
#if VEC
//#tensor4 w 1 read {{S}}
fn w_acc(q: u32) -> Acc { return w_get4(q); }
#else
//#tensor w 1 read {{S}}
fn w_acc(q: u32) -> Acc { return w_get(q); }
#endif
#if HAS_BIAS
//#tensor bias 2 read {{S}}
#endif
//#tensor y 3 read_write {{S}}
@group(0) @binding(4) var<uniform> params: Params;

// The smallest tap t < step whose q - t*d is a multiple of s; k (no tap) when there is none,
// which happens when gcd(s, d) does not divide q.
fn first_tap(q: i32, s: i32, d: i32, k: i32, step: i32) -> i32 {
  for (var t = 0; t < step; t++) {
    if ((q - t * d) % s == 0) { return t; }
  }
  return k;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let ins = params.in_size;
  let outs = params.out_size;
  let ks = params.kernel;
  let st = params.stride;
  let pd = params.pad;
  let dl = params.dil;
  let step = params.tap_step;

  var r = i;
  let blk = r % params.nblk;
  r /= params.nblk;
  let rw = r % u32(st.z);
  r /= u32(st.z);
  let oh = i32(r % u32(outs.y));
  r /= u32(outs.y);
  let od = i32(r % u32(outs.x));
  r /= u32(outs.x);
  let mt = r % params.mtiles;
  r /= params.mtiles;
  let g = r % params.groups;
  let n = r / params.groups;
  let ow0 = i32(rw + blk * TW * u32(st.z));
  if (ow0 >= outs.z) { return; }

  let plane = u32(ins.x * ins.y * ins.z);
  let xbase = (n * params.C + g * params.Cg) * plane;
  let wbase = g * params.w_group + mt * params.w_mtile;

  var acc: array<Acc, TW * MV>;
  for (var a = 0u; a < TW * MV; a++) { acc[a] = Acc(0.0); }

  let qd0 = od + pd.x;
  let qh0 = oh + pd.y;
  let qw0 = ow0 + pd.z;
  for (var td = first_tap(qd0, st.x, dl.x, ks.x, step.x); td < ks.x; td += step.x) {
    let qd = qd0 - td * dl.x;
    if (qd < 0) { break; }
    let id = qd / st.x;
    if (id >= ins.x) { continue; }
    for (var th = first_tap(qh0, st.y, dl.y, ks.y, step.y); th < ks.y; th += step.y) {
      let qh = qh0 - th * dl.y;
      if (qh < 0) { break; }
      let ih = qh / st.y;
      if (ih >= ins.y) { continue; }
      let row = xbase + u32(id * ins.y + ih) * u32(ins.z);
      for (var tw = first_tap(qw0, st.z, dl.z, ks.z, step.z); tw < ks.z; tw += step.z) {
        let qw = qw0 - tw * dl.z;
        // Column j reads input column iw0 + j.
        let iw0 = qw / st.z;
        if (iw0 + i32(TW) <= 0) { break; }
        if (iw0 >= ins.z) { continue; }
        var xo: array<u32, TW>;
        var ok: array<bool, TW>;
        for (var j = 0u; j < TW; j++) {
          let iw = iw0 + i32(j);
          ok[j] = iw >= 0 && iw < ins.z;
          xo[j] = row + u32(clamp(iw, 0, ins.z - 1));
        }
        let tap = u32((td * ks.y + th) * ks.z + tw);
        let wt = wbase + tap * params.w_tap;
        for (var c = 0u; c < params.Cg; c++) {
          let xc = c * plane;
          let wc = wt + c * params.w_chan;
          var wv: array<Acc, MV>;
          for (var v = 0u; v < MV; v++) { wv[v] = w_acc(wc + v); }
          for (var j = 0u; j < TW; j++) {
            // Out-of-range columns read a clamped address and count as 0.
            let xv = select(0.0, x_get(xo[j] + xc), ok[j]);
            for (var v = 0u; v < MV; v++) {
              acc[j * MV + v] += xv * wv[v];
            }
          }
        }
      }
    }
  }

  let ybase = ((n * params.M + g * params.Mg) * u32(outs.x) + u32(od)) * u32(outs.y) + u32(oh);
  let ostride = u32(outs.x * outs.y * outs.z);
  for (var j = 0u; j < TW; j++) {
    let ow = ow0 + i32(j) * st.z;
    if (ow >= outs.z) { break; }
    let yo = ybase * u32(outs.z) + u32(ow);
#if VEC
    for (var v = 0u; v < MV; v++) {
      for (var l = 0u; l < 4u; l++) {
        let m = mt * MV * 4u + v * 4u + l;
        if (m >= params.Mg) { break; }
#if HAS_BIAS
        y_set(yo + m * ostride, acc[j * MV + v][l] + bias_get(g * params.Mg + m));
#else
        y_set(yo + m * ostride, acc[j * MV + v][l]);
#endif
      }
    }
#else
    let m = mt;
#if HAS_BIAS
    y_set(yo + m * ostride, acc[j] + bias_get(g * params.Mg + m));
#else
    y_set(yo + m * ostride, acc[j]);
#endif
#endif
  }
}
