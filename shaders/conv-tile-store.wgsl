// Statement fragments of the 8x8-register-tile GEMM shared by shaders/conv2d.wgsl and
// conv-gemm.wgsl (included inside their main, which names TM/TN/TK, TM4/TN4/TM8/TN8, the staged
// chunks As/Bs, tm/tn, m_base/n_base, g and params): see those files' headers for the tiling.
// The epilogue stores (store4 of shaders/conv-gemm-epilogue.wgsl) of the 8x8 tile.
  // Output offsets (batch*M*OSP + p) of this thread's two column quads.
  let nc0 = vec4<u32>(n_base + tn * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
  let nc1 = nc0 + vec4<u32>(TN / 2u);
  let MOSP = params.M * params.OSP;
  let cols0 = (nc0 / params.OSP) * MOSP + nc0 % params.OSP;
  let cols1 = (nc1 / params.OSP) * MOSP + nc1 % params.OSP;
  let ok0 = nc0 < vec4<u32>(params.ncols);
  let ok1 = nc1 < vec4<u32>(params.ncols);
  let r0 = m_base + tm * 4u;
  let r1 = m_base + TM / 2u + tm * 4u;
  store4(r0, g, cols0, ok0, acc00);
  store4(r0, g, cols1, ok1, acc01);
  store4(r0 + 1u, g, cols0, ok0, acc10);
  store4(r0 + 1u, g, cols1, ok1, acc11);
  store4(r0 + 2u, g, cols0, ok0, acc20);
  store4(r0 + 2u, g, cols1, ok1, acc21);
  store4(r0 + 3u, g, cols0, ok0, acc30);
  store4(r0 + 3u, g, cols1, ok1, acc31);
  store4(r1, g, cols0, ok0, acc40);
  store4(r1, g, cols1, ok1, acc41);
  store4(r1 + 1u, g, cols0, ok0, acc50);
  store4(r1 + 1u, g, cols1, ok1, acc51);
  store4(r1 + 2u, g, cols0, ok0, acc60);
  store4(r1 + 2u, g, cols1, ok1, acc61);
  store4(r1 + 3u, g, cols0, ok0, acc70);
  store4(r1 + 3u, g, cols1, ok1, acc71);
