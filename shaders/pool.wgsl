// Max / average pooling over 1, 2 or 3 spatial dims (MaxPool, AveragePool).
// Layout: x is [N, C, D, H, W] and y is [N, C, OD, OH, OW], flat row-major; every (n, c) plane is
// pooled independently. 1-D and 2-D pools run with the missing leading spatial dims of size 1
// (D = OD = KD = 1, and H = OH = KH = 1 for 1-D). Elements are of storage type T: f32, f16 or p16 for
// floats (computed in C = f32), or i32 for the integer tensors MaxPool takes (int8, uint8, int32).
// Tiling: one output element per invocation, {{WG}} per workgroup, 2-D grid of workgroups (see
// flat_index); the invocation walks its (dilated) window in row-major order (d, then h, then w)
// and skips taps in the padding.
// MAX: the first largest tap (a later tap must be strictly larger to win, as in onnxruntime).
//   INDICES also writes that tap's position to ind (i32; MaxPool's int64 Indices output): the
//   flat index into x including the plane offset, (n*C + c)*D*H*W + the spatial offset, which is
//   row-major (d*H + h)*W + w, or with COL_MAJOR (storage_order = 1) d + D*(h + H*w).
// AVG: the sum over the taps inside the input, divided by their count, or with COUNT_INCLUDE_PAD
// by the window's size clipped to the padded input (the part of a ceil_mode window past the end
// padding does not count, as in onnxruntime).
//#include prelude

alias C = {{C}};

struct Params {
  total: u32,
  // Spatial sizes and window geometry, components (d, h, w, unused).
  in_size: vec4<i32>,
  out_size: vec4<u32>,
  kernel: vec4<u32>,
  stride: vec4<i32>,
  pad_begin: vec4<i32>,
  pad_end: vec4<i32>,
  dilation: vec4<i32>,
}

//#tensor x 0 read {{T}}
//#tensor y 1 read_write {{T}}
@group(0) @binding(2) var<uniform> params: Params;
#if INDICES
@group(0) @binding(3) var<storage, read_write> ind: array<i32>;
#endif

#if COUNT_INCLUDE_PAD
// Taps of one axis' window that fall inside the padded input [-pad_begin, size + pad_end).
fn padded_taps(start: i32, size: i32, pad_end: i32, dil: i32, k: u32) -> u32 {
  return min(k, u32((size + pad_end - 1 - start) / dil) + 1u);
}
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let ow = i % params.out_size.z;
  var t = i / params.out_size.z;
  let oh = t % params.out_size.y;
  t = t / params.out_size.y;
  let od = t % params.out_size.x;
  let plane = t / params.out_size.x;
  let size = params.in_size;
  let start = vec3<i32>(i32(od), i32(oh), i32(ow)) * params.stride.xyz - params.pad_begin.xyz;
  let plane_size = u32(size.x * size.y * size.z);
  let base = plane * plane_size;
#if MAX
  var acc = C({{LOWEST}});
  // The winning tap's spatial offset; -1 until a tap inside the input is seen.
  var best = -1;
#else
  var acc = C(0);
  var count = 0u;
#endif
  for (var kd = 0u; kd < params.kernel.x; kd++) {
    let id = start.x + i32(kd) * params.dilation.x;
    if (id < 0 || id >= size.x) { continue; }
    for (var kh = 0u; kh < params.kernel.y; kh++) {
      let ih = start.y + i32(kh) * params.dilation.y;
      if (ih < 0 || ih >= size.y) { continue; }
      for (var kw = 0u; kw < params.kernel.z; kw++) {
        let iw = start.z + i32(kw) * params.dilation.z;
        if (iw < 0 || iw >= size.z) { continue; }
        let at = (id * size.y + ih) * size.z + iw;
        let v = x_get(base + u32(at));
#if MAX
        if (best < 0 || v > acc) {
          acc = v;
#if COL_MAJOR
          best = id + size.x * (ih + size.y * iw);
#else
          best = at;
#endif
        }
#else
        acc += v;
        count += 1u;
#endif
      }
    }
  }
#if MAX
  y_set(i, acc);
#if INDICES
  ind[i] = select(-1, i32(base) + best, best >= 0);
#endif
#else
#if COUNT_INCLUDE_PAD
  let nd = padded_taps(start.x, size.x, params.pad_end.x, params.dilation.x, params.kernel.x);
  let nh = padded_taps(start.y, size.y, params.pad_end.y, params.dilation.y, params.kernel.y);
  let nw = padded_taps(start.z, size.z, params.pad_end.z, params.dilation.z, params.kernel.z);
  y_set(i, acc / f32(nd * nh * nw));
#else
  y_set(i, acc / f32(max(count, 1u)));
#endif
#endif
}
