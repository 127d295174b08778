// Fovea's own node attributes: set by the fusion passes (never meaningful in a model file, and
// validated like any attribute when a file sets them), read by the ops that run the fused
// epilogue. They live here, below the ops and the passes, so that neither imports the other for
// a name.

/** The fused activation: an ONNX activation op name (or 'Silu'), see runtime/ops/activation/epilogue.ts. */
export const ACTIVATION_ATTR = 'fovea.activation';
/** The fused activation's parameters (floats, in the order of its op's alpha/beta/gamma). */
export const ACTIVATION_PARAMS_ATTR = 'fovea.activation_params';
/** 1: the node adds its residual input (input 3 of Conv) in the epilogue. */
export const RESIDUAL_ATTR = 'fovea.residual';

/** Each internal attribute and the ops that read it (the verifier checks this after every pass). */
export const FOVEA_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  [ACTIVATION_ATTR]: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'],
  [ACTIVATION_PARAMS_ATTR]: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'],
  [RESIDUAL_ATTR]: ['Conv', 'Gemm', 'MatMul'],
};
