// Fovea's public API (browser-safe: no Node imports).
export { InferenceSession } from './session.js';
export type { RunOptions, RunResult, RunProfile, NodeProfile, SessionOptions, SessionStats, ValueMetadata, ProgressStage } from './session.js';
export type { GraphOptimizationLevel } from './passes/index.js';
export { Tensor } from './tensor.js';
export type { TensorType, TensorData } from './tensor.js';
export * from './errors.js';
export { registeredOps } from './ops/registry.js';
export { acquireDevice } from './gpu/device.js';
