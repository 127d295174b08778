"""Static int8 in the QOperator format (onnxruntime.quantization.quantize_static, QuantFormat.QOperator):
each quantized op is replaced by its integer form, which reads and writes uint8 tensors with their
scale and zero point as extra inputs:

  Conv              -> QLinearConv (ONNX opset 10): x, x_scale, x_zp, W int8 (per output channel),
                       W_scale, W_zp, y_scale, y_zp, B int32 (scale x_scale * W_scale)
  MatMul            -> QLinearMatMul (ONNX opset 10)
  Gemm              -> com.microsoft QGemm (what onnxruntime emits for Gemm: the same inputs as
                       QLinearMatMul plus an int32 C, scale alpha * a_scale * b_scale)
  Add, Mul          -> com.microsoft QLinearAdd, QLinearMul (A, A_scale, A_zp, B, ..., C_scale, C_zp)
  GlobalAveragePool -> com.microsoft QLinearGlobalAveragePool (channels_last = 0)
  AveragePool       -> com.microsoft QLinearAveragePool;  Concat -> com.microsoft QLinearConcat
                       (Y_scale, Y_zp, then X, X_scale, X_zp per input)
  Sigmoid, LeakyRelu-> com.microsoft QLinearSigmoid, QLinearLeakyRelu
  MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Resize: the op itself on the uint8
                       tensor (uint8 kernels; the output keeps the input's scale and zero point)
A QuantizeLinear enters each run of quantized ops, a DequantizeLinear leaves it (before any float
op and each graph output, which keeps its name). Relu/Clip after a quantized op are folded
(precision_static.py). The model imports com.microsoft version 1.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from precision_graph import Namer, consumers, finalize
from precision_qparams import activation_qparams, quantize_array, quantize_bias, quantize_weight
from precision_static import Plan, prepare_static

MS = "com.microsoft"
MS_OPS = {"Add": "QLinearAdd", "Mul": "QLinearMul", "GlobalAveragePool": "QLinearGlobalAveragePool",
          "AveragePool": "QLinearAveragePool", "Concat": "QLinearConcat", "Sigmoid": "QLinearSigmoid", "LeakyRelu": "QLinearLeakyRelu"}


def quantize_qoperator(model: onnx.ModelProto, ranges: dict, per_channel: bool = True) -> onnx.ModelProto:
    m = prepare_static(model, ranges)
    g = m.graph
    plan = Plan(m, ranges)
    # QGemm takes one alpha for the product and the int32 C in the product's scale: Gemms with
    # beta != 1 stay float.
    for n in g.node:
        if n.op_type == "Gemm" and any(a.name == "beta" and a.f != 1.0 for a in n.attribute):
            plan.nodes.discard(n.name)
    name = Namer(g)
    uses = consumers(g)
    graph_outputs = {o.name for o in g.output}
    new_inits, out = [], []
    qnames = {}  # float activation -> its uint8 tensor
    sz = {}  # float activation -> (scale, zero point) initializer names

    def const(base: str, value) -> str:
        t = numpy_helper.from_array(np.asarray(value), name(base))
        new_inits.append(t)
        return t.name

    def reads_quantized(n, k: int) -> bool:
        """Whether quantized node n reads input k as uint8 (direct ops: only the data input)."""
        return n.name in plan.nodes and (k == 0 or n.op_type in MS_OPS)

    def params(t: str):
        """The scale and zero point initializers of activation t (one pair per tensor)."""
        if t not in sz:
            s, zp = plan.qparams(t)
            sz[t] = const(f"{t}_scale", s), const(f"{t}_zero_point", zp)
        return sz[t]

    def q_input(t: str):
        """(uint8 name, scale name, zero point name) of activation t, quantizing it on entry."""
        sn, zn = params(t)
        if t not in qnames:
            qnames[t] = name(f"{t}_quantized")
            out.append(helper.make_node("QuantizeLinear", [t, sn, zn], [qnames[t]], name=name(f"{t}_QuantizeLinear")))
        return qnames[t], sn, zn

    def q_operand(n, t: str):
        """A QLinearAdd/Mul/Concat operand: an activation, or an initializer stored as uint8 with
        its own range (both operands must be the same 8-bit type)."""
        if t in plan.inits:
            v = numpy_helper.to_array(plan.inits[t])
            s, zp = activation_qparams(v.min(), v.max())
            return const(f"{t}_quantized", quantize_array(v, s, zp)), const(f"{t}_scale", s), const(f"{t}_zero_point", zp)
        return q_input(t)

    def q_output(n) -> tuple:
        """Names the quantized node's uint8 output; a DequantizeLinear gives the float tensor back
        where a float op or the graph output reads it."""
        t = n.output[0]
        sn, zn = params(t)
        qnames[t] = name(f"{t}_quantized")
        if t in graph_outputs or any(not reads_quantized(c, list(c.input).index(t)) for c in uses.get(t, [])):
            deq.append(helper.make_node("DequantizeLinear", [qnames[t], sn, zn], [t], name=name(f"{t}_DequantizeLinear")))
        return qnames[t], sn, zn

    for n in g.node:
        if n.name not in plan.nodes:
            out.append(n)
            continue
        deq = []
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type in ("Conv", "Gemm", "MatMul"):
            W = numpy_helper.to_array(plan.inits[n.input[1]])
            # Conv: per output channel (axis 0). Gemm/MatMul: per tensor (QGemm's b_scale may be
            # per column, QLinearMatMul's too from opset 10, but onnxruntime's default is per tensor).
            q, ws, wzp = quantize_weight(W, axis=0 if per_channel and n.op_type == "Conv" else None)
            x, xs, xzp = q_input(n.input[0])
            xscale, _ = plan.qparams(n.input[0])
            w = [const(f"{n.input[1]}_quantized", q), const(f"{n.input[1]}_scale", ws), const(f"{n.input[1]}_zero_point", wzp)]
            bias = ""
            if len(n.input) > 2 and n.input[2]:
                B = numpy_helper.to_array(plan.inits[n.input[2]])
                bias = const(f"{n.input[2]}_quantized", quantize_bias(B, xscale * ws * np.float32(attrs.get("alpha", 1.0))))
            y, ys, yzp = q_output(n)
            if n.op_type == "Conv":
                node = helper.make_node("QLinearConv", [x, xs, xzp, *w, ys, yzp] + ([bias] if bias else []), [y], name=name(f"{n.name}_quant"), **attrs)
            elif n.op_type == "MatMul":
                node = helper.make_node("QLinearMatMul", [x, xs, xzp, *w, ys, yzp], [y], name=name(f"{n.name}_quant"))
            else:
                attrs.pop("beta", None)  # 1 (checked above): QGemm adds C as is
                node = helper.make_node("QGemm", [x, xs, xzp, *w, bias, ys, yzp], [y], name=name(f"{n.name}_quant"), domain=MS, **attrs)
        elif n.op_type in MS_OPS:
            ins = [q_operand(n, i) for i in n.input]
            y, ys, yzp = q_output(n)
            if n.op_type == "Concat":
                flat = [ys, yzp] + [v for trip in ins for v in trip]
            else:
                flat = [v for trip in ins for v in trip] + [ys, yzp]
            if n.op_type in ("GlobalAveragePool", "AveragePool"):
                attrs["channels_last"] = 0
            node = helper.make_node(MS_OPS[n.op_type], flat, [y], name=name(f"{n.name}_quant"), domain=MS, **attrs)
        else:  # direct: the same op on uint8
            x, _, _ = q_input(n.input[0])
            node = onnx.NodeProto()
            node.CopyFrom(n)
            node.input[0] = x
            node.output[0] = q_output(n)[0]
        out.append(node)
        out.extend(deq)

    del g.node[:]
    g.node.extend(out)
    g.initializer.extend(new_inits)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if not any(o.domain == MS for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid(MS, 1))
    return finalize(m, f"fovea convert-precision: int8 QOperator (static, uint8 activations, int8 weights {'per-channel' if per_channel else 'per-tensor'})")
