// The module-scope half of the 8x8-register-tile GEMM shared by shaders/conv2d.wgsl and
// conv-gemm.wgsl (the statement fragments are conv-tile-registers/-accumulate/-store): the
// {{TM}}x{{TN}} workgroup tile, K chunks of {{TK}}, 64 threads, and the staged A and B chunks
// (vec4s along m and along n) in workgroup memory.
const TM: u32 = {{TM}}u;
const TN: u32 = {{TN}}u;
const TK: u32 = {{TK}}u;
const TM4: u32 = TM / 4u;
const TN4: u32 = TN / 4u;
const TM8: u32 = TM / 8u;
const TN8: u32 = TN / 8u;
const THREADS: u32 = 64u;

var<workgroup> As: array<vec4<f32>, TK * TM4>;
var<workgroup> Bs: array<vec4<f32>, TK * TN4>;
