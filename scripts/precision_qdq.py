"""Static int8 in the QDQ format (onnxruntime.quantization.quantize_static, QuantFormat.QDQ): the
float ops stay, and every quantized tensor passes through a QuantizeLinear -> DequantizeLinear
pair, which a runtime may fuse with the op into an integer kernel:

  x -> Q(uint8, asymmetric) -> DQ -> Conv <- DQ(axis=0) <- W int8 (symmetric, per output channel)
                                          <- DQ(axis=0) <- B int32 (scale x_scale * W_scale)
       Conv -> y -> Q -> DQ -> consumers (Relu/Clip folded: precision_static.py)

One Q/DQ pair per activation tensor, shared by all its consumers; initializer operands of
Add/Mul/Concat are int8 symmetric per-tensor with a DQ (as onnxruntime quantizes initializers
with the weight type). Gemm/MatMul weights are per tensor, with the Gemm bias in int32.
Direct ops (MaxPool, Reshape, ...) get Q/DQ on their output with their input's scale and zero
point (onnxruntime's QDQDirect8BitOp). A graph output produced by a quantized node comes out of
its DQ under its original name.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from precision_graph import Namer, finalize
from precision_qparams import quantize_bias, quantize_weight
from precision_static import Plan, prepare_static


def quantize_qdq(model: onnx.ModelProto, ranges: dict, per_channel: bool = True) -> onnx.ModelProto:
    m = prepare_static(model, ranges)
    g = m.graph
    plan = Plan(m, ranges, weighted_ops={"Conv", "Gemm", "MatMul", "ConvTranspose"})
    name = Namer(g)
    new_inits, pairs = [], {}
    graph_outputs = {o.name for o in g.output}

    def const(base: str, value) -> str:
        t = numpy_helper.from_array(np.asarray(value), name(base))
        new_inits.append(t)
        return t.name

    def dq_weight(base: str, q, scale, zp, axis=None) -> str:
        out = name(f"{base}_DequantizeLinear_Output")
        kw = {"axis": axis} if axis is not None and np.ndim(scale) else {}
        nodes.append(helper.make_node("DequantizeLinear", [const(f"{base}_quantized", q), const(f"{base}_scale", scale),
                                                           const(f"{base}_zero_point", zp)], [out], name=name(f"{base}_DequantizeLinear"), **kw))
        return out

    def qdq(t: str) -> str:
        """The DQ output standing for activation t (one Q/DQ pair per tensor)."""
        if t not in pairs:
            s, zp = plan.qparams(t)
            sn, zn = const(f"{t}_scale", s), const(f"{t}_zero_point", zp)
            q = name(f"{t}_QuantizeLinear_Output")
            dq = name(f"{t}_DequantizeLinear_Output")
            nodes.append(helper.make_node("QuantizeLinear", [t, sn, zn], [q], name=name(f"{t}_QuantizeLinear")))
            nodes.append(helper.make_node("DequantizeLinear", [q, sn, zn], [dq], name=name(f"{t}_DequantizeLinear")))
            pairs[t] = dq
        return pairs[t]

    nodes = []
    quantized_outputs = []
    for n in g.node:
        if n.name not in plan.nodes:
            continue
        if n.op_type in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            W = numpy_helper.to_array(plan.inits[n.input[1]])
            # Conv weights [M, C/g, k...]: per output channel along axis 0. ConvTranspose ([C, M/g, k...])
            # and Gemm/MatMul stay per tensor.
            axis = 0 if per_channel and n.op_type == "Conv" else None
            q, ws, wzp = quantize_weight(W, axis=axis)
            x = n.input[0]
            n.input[0] = qdq(x)
            n.input[1] = dq_weight(n.input[1], q, ws, wzp, axis)
            if len(n.input) > 2 and n.input[2]:
                xs, _ = plan.qparams(x)
                bs = (xs * ws).astype(np.float32)
                B = numpy_helper.to_array(plan.inits[n.input[2]])
                n.input[2] = dq_weight(n.input[2], quantize_bias(B, bs), bs, np.zeros(bs.shape, np.int32), 0 if bs.ndim else None)
        else:
            for k, i in enumerate(n.input):
                if n.op_type in ("Resize", "Reshape", "Squeeze", "Unsqueeze") and k > 0:
                    continue  # shape/scale operands stay as they are
                if i in plan.inits:
                    if plan.inits[i].data_type == onnx.TensorProto.FLOAT:
                        q, s, zp = quantize_weight(numpy_helper.to_array(plan.inits[i]))
                        n.input[k] = dq_weight(i, q, s, zp)
                elif i:
                    n.input[k] = qdq(i)
        quantized_outputs.append(n.output[0])

    # Outputs: a Q/DQ pair after each quantized node; every consumer reads the DQ output.
    for t in quantized_outputs:
        if t in graph_outputs:
            inner = name(f"{t}_float")
            for n in g.node:
                n.output[:] = [inner if o == t else o for o in n.output]
                n.input[:] = [inner if i == t else i for i in n.input]
            ranges_alias(plan, t, inner)
            dq = qdq(inner)
            nodes[-1].output[0] = t  # the DQ just made writes the graph output
            pairs[inner] = t
        else:
            dq = qdq(t)
            for n in g.node:
                n.input[:] = [dq if i == t else i for i in n.input]
    g.node.extend(nodes)
    g.initializer.extend(new_inits)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    return finalize(m, f"fovea convert-precision: int8 QDQ (static, uint8 activations, int8 weights {'per-channel' if per_channel else 'per-tensor'})")


def ranges_alias(plan: Plan, t: str, inner: str) -> None:
    """The renamed float tensor keeps t's calibrated range (and its producer entry)."""
    if t in plan.direct:
        plan.direct[inner] = plan.direct[t]
    else:
        plan.ranges[inner] = plan.ranges[t]
