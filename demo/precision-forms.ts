// The precision forms the demo compares (scripts/convert-precision.py --help describes each), in
// table order, and where each file lies under demo/public/models/. Plain data: e2e/precision.test.ts
// imports it too.

export interface Form {
  /** The form's name, as in the file name (fp32: the bundled model itself). */
  id: string;
  precision: 'float32' | 'float16' | 'int8';
  /** How the file stores the model, for the table. */
  what: string;
}

export const FORMS: readonly Form[] = [
  { id: 'fp32', precision: 'float32', what: 'float32 original' },
  { id: 'fp16', precision: 'float16', what: 'float16 throughout' },
  { id: 'fp16-keep-io', precision: 'float16', what: 'float16, float32 I/O' },
  { id: 'fp16-mixed', precision: 'float16', what: 'float16, head in float32' },
  { id: 'fp16-weights', precision: 'float16', what: 'float16 weights, float32 compute' },
  { id: 'int8-dynamic', precision: 'int8', what: 'dynamic int8 (ConvInteger)' },
  { id: 'int8-dynamic-pc', precision: 'int8', what: 'dynamic int8, per-channel' },
  { id: 'int8-dynamic-u8', precision: 'int8', what: 'dynamic, uint8 weights' },
  { id: 'int8-qdq', precision: 'int8', what: 'static int8, Q/DQ pairs' },
  { id: 'int8-qoperator', precision: 'int8', what: 'static int8, QLinearConv' },
];

/** The form's file, relative to the demo page. */
export function formUrl(model: string, form: string): string {
  return form === 'fp32' ? `models/${model}.onnx` : `models/precision/${model}.${form}.onnx`;
}
