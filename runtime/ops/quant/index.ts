// Quantized (int8/uint8) ops. One op per file. Every element is 4 bytes on the GPU (8-bit
// values live in i32, like every integer type), accumulations are i32.
import type { OpDef } from '../types.js';
import { ConvInteger } from './conv-integer.js';
import { DequantizeLinear } from './dequantize-linear.js';
import { DynamicQuantizeLinear } from './dynamic-quantize-linear.js';
import { MatMulInteger } from './mat-mul-integer.js';
import { QGemm } from './q-gemm.js';
import { QLinearAdd } from './q-linear-add.js';
import { QLinearAveragePool } from './q-linear-average-pool.js';
import { QLinearConcat } from './q-linear-concat.js';
import { QLinearGlobalAveragePool } from './q-linear-global-average-pool.js';
import { QLinearConv } from './q-linear-conv.js';
import { QLinearLeakyRelu } from './q-linear-leaky-relu.js';
import { QLinearMul } from './q-linear-mul.js';
import { QLinearSigmoid } from './q-linear-sigmoid.js';
import { QLinearMatMul } from './q-linear-mat-mul.js';
import { QuantizeLinear } from './quantize-linear.js';

export const quantOps: OpDef[] = [ConvInteger, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QGemm, QLinearAdd, QLinearAveragePool, QLinearConcat, QLinearConv, QLinearGlobalAveragePool, QLinearLeakyRelu, QLinearMatMul, QLinearMul, QLinearSigmoid, QuantizeLinear];
