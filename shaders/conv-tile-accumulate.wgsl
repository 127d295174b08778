// Statement fragments of the 8x8-register-tile GEMM shared by shaders/conv2d.wgsl and
// conv-gemm.wgsl (included inside their main, which names TM/TN/TK, TM4/TN4/TM8/TN8, the staged
// chunks As/Bs, tm/tn, m_base/n_base, g and params): see those files' headers for the tiling.
// One staged K chunk: 2 vec4s of A and 2 of B per k for 64 multiply-adds.
    for (var kk = 0u; kk < TK; kk++) {
      let a0 = As[kk * TM4 + tm];
      let a1 = As[kk * TM4 + TM8 + tm];
      let b0 = Bs[kk * TN4 + tn];
      let b1 = Bs[kk * TN4 + TN8 + tn];
      acc00 += a0.x * b0;
      acc01 += a0.x * b1;
      acc10 += a0.y * b0;
      acc11 += a0.y * b1;
      acc20 += a0.z * b0;
      acc21 += a0.z * b1;
      acc30 += a0.w * b0;
      acc31 += a0.w * b1;
      acc40 += a1.x * b0;
      acc41 += a1.x * b1;
      acc50 += a1.y * b0;
      acc51 += a1.y * b1;
      acc60 += a1.z * b0;
      acc61 += a1.z * b1;
      acc70 += a1.w * b0;
      acc71 += a1.w * b1;
    }
