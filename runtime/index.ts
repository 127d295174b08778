// Fovea's public API (browser-safe: no Node imports).
export { InferenceSession } from './session.js';
export type { RunOptions, RunResult, RunProfile, NodeProfile, SessionOptions, SessionStats, ValueMetadata, ProgressStage } from './session.js';
export type { GraphOptimizationLevel } from './passes/index.js';
export type { Precision } from './passes/convert-precision.js';
export type { GemmKernel } from './ops/types.js';
export { Tensor, floatValues } from './tensor.js';
export type { TensorType, TensorData, TensorLocation, GpuBufferTensorOptions } from './tensor.js';
export * from './errors.js';
export { registeredOps } from './ops/registry.js';
export { acquireDevice } from './gpu/device.js';
export { tensorFromImage, tensorFromPixels, resizePixels, readPixels, IMAGENET_MEAN, IMAGENET_STD } from './app/image.js';
export type { ImageLike, PixelData, ImageTensorOptions } from './app/image.js';
export { Classifier, classify, loadLabels, parseLabels, probabilities, topK, describeInput } from './app/classifier.js';
export type { ClassifierOptions, ClassifierInput, Prediction, LabelsFile } from './app/classifier.js';
export { defineClassifierElement } from './app/classifier-element.js';
export type { FoveaClassifierElement, ClassifierElementState } from './app/classifier-element.js';
export { IMAGENET_LABELS } from './app/imagenet-labels.js';
