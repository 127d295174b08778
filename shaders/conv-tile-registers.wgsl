// Statement fragments of the 8x8-register-tile GEMM shared by shaders/conv2d.wgsl and
// conv-gemm.wgsl (included inside their main, which names TM/TN/TK, TM4/TN4/TM8/TN8, the staged
// chunks As/Bs, tm/tn, m_base/n_base, g and params): see those files' headers for the tiling.
// The thread's 8x8 accumulators: rows tm*4..+3 (accX0/accX1 for X = 0..3) and TM/2 + tm*4..+3
// (X = 4..7), columns tn*4..+3 (accX0) and TN/2 + tn*4..+3 (accX1).
  var acc00 = vec4<f32>(0.0);
  var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
