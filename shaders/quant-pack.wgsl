// Packs integer weights that are not constant (a graph input) into the layout of
// shaders/quant-conv.wgsl: word (oc*KT + tap)*CP4 + c4 holds the int8 bytes (w - WSHIFT) of input
// channels 4*c4..4*c4+3 at kernel tap `tap`, 0 past Cg; wsum[oc] is their sum. Constant weights
// are packed the same way on the host at create (runtime/ops/quant/int-pack.ts).
// Layout: w is a flat array of {{TW}} (i32, or 8-bit integers packed four per word: i8, u8), element (oc, c, tap) of matrix b at b*w_b + oc*w_o + c*w_c + tap*w_t;
// matrix b's words and sums follow matrix b-1's (invocation ob = b*OC + oc).
// Tiling: one output channel of one matrix per invocation ({{WG}} per workgroup), looping over its KT*CP4 words.
//#include prelude

struct Params {
  OC: i32, Cg: i32, CP4: i32, KT: i32,
  w_o: i32, w_c: i32, w_t: i32,
  /** Matrices (a batched MatMul's B; 1 otherwise) and the element stride between them. */
  batches: i32, w_b: i32,
}

//#tensor w 0 read {{TW}}
@group(0) @binding(1) var<storage, read_write> packed: array<u32>;
@group(0) @binding(2) var<storage, read_write> wsum: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ob = i32(gid.x);
  if (ob >= params.OC * params.batches) { return; }
  let oc = ob % params.OC;
  let wb = (ob / params.OC) * params.w_b;
  var s = 0;
  for (var t = 0; t < params.KT; t++) {
    for (var c4 = 0; c4 < params.CP4; c4++) {
      var word = 0u;
      for (var j = 0; j < 4; j++) {
        let c = c4 * 4 + j;
        if (c < params.Cg) {
          let v = w_get(u32(wb + oc * params.w_o + c * params.w_c + t * params.w_t)) - {{WSHIFT}};
          s += v;
          word |= (bitcast<u32>(v) & 0xffu) << (8u * u32(j));
        }
      }
      packed[(ob * params.KT + t) * params.CP4 + c4] = word;
    }
  }
  wsum[ob] = s;
}
