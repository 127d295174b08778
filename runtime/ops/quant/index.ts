// Quantized (int8/uint8) ops. One op per file. Every element is 4 bytes on the GPU (8-bit
// values live in i32, like every integer type), accumulations are i32.
import type { OpDef } from '../types.js';
import { DequantizeLinear } from './dequantize-linear.js';
import { DynamicQuantizeLinear } from './dynamic-quantize-linear.js';
import { QuantizeLinear } from './quantize-linear.js';

export const quantOps: OpDef[] = [DequantizeLinear, DynamicQuantizeLinear, QuantizeLinear];
