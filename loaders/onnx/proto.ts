// onnx-proto is a CommonJS module: take the `onnx` namespace from its default export so that
// Node's ESM loader and bundlers agree.
import onnxProto from 'onnx-proto';

export const onnx = (onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx }).onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';
