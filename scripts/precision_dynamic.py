"""Dynamic int8 quantization, the form onnxruntime.quantization.quantize_dynamic emits: weights are
quantized offline, activations at run time by DynamicQuantizeLinear (ONNX opset 11: uint8, the
scale and zero point computed from each tensor's own min/max including 0).

  Conv(x, W, B)    -> DynamicQuantizeLinear(x) -> x_q, x_scale, x_zp
                      ConvInteger(x_q, W_q, x_zp, W_zp) -> int32 -> Cast(to=FLOAT)
                      -> Mul(x_scale * W_scale) -> Add(B reshaped to [M, 1, 1])
  MatMul(x, W)     -> MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast -> Mul, likewise
  Gemm(x, W, C)    -> the MatMul form on W (transposed when transB=1), alpha folded into the
                      scale product, then Add(beta * C)

onnxruntime quantizes Conv and MatMul this way (Gemm it leaves float; here it becomes the MatMul
form because a Gemm with a constant W is a MatMul plus a bias). One DynamicQuantizeLinear per
activation tensor, shared by all its quantized consumers. Weight scales are per tensor, or per
output channel with per_channel=True (ConvInteger's w_zero_point and MatMulInteger's
b_zero_point may be 1-D, one per output channel/column, but onnxruntime's ConvInteger takes only a
scalar one: per-channel Conv weights are therefore symmetric int8, whose zero points are all 0).
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from precision_graph import FLOAT, Namer, finalize, initializer_map, upgrade_opset
from precision_qparams import INT8, UINT8, quantize_weight

CONV_ATTRS = ("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides")


def quantize_dynamic(model: onnx.ModelProto, weight_type: int = INT8, per_channel: bool = False, ranks=None) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    m = upgrade_opset(m, 11, ranks or {})  # DynamicQuantizeLinear is opset 11
    g = m.graph
    inits = initializer_map(g)
    name = Namer(g)
    quantized = {}  # activation -> (x_q, x_scale, x_zp)
    new_inits, out_nodes = [], []

    def const(base: str, value) -> str:
        t = numpy_helper.from_array(np.asarray(value), name(base))
        new_inits.append(t)
        return t.name

    def dyn_quant(x: str, nodes: list):
        if x not in quantized:
            outs = [name(f"{x}_quantized"), name(f"{x}_scale"), name(f"{x}_zero_point")]
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], outs, name=name(f"{x}_DynamicQuantizeLinear")))
            quantized[x] = outs
        return quantized[x]

    def dequant(n, acc: str, x_scale: str, w_scale, scale_shape, bias, bias_shape, nodes: list, alpha: float = 1.0) -> None:
        """int32 accumulator -> float: Cast, Mul by x_scale * w_scale (* alpha), Add bias."""
        f = name(f"{n.output[0]}_output_float")
        nodes.append(helper.make_node("Cast", [acc], [f], name=name(f"{n.name}_cast"), to=FLOAT))
        s = const(f"{n.name}_weight_scale", (np.asarray(w_scale, np.float32) * np.float32(alpha)).reshape(scale_shape if np.ndim(w_scale) else ()))
        prod = name(f"{n.name}_scales_mul")
        nodes.append(helper.make_node("Mul", [x_scale, s], [prod], name=name(f"{n.name}_scales_mul_node")))
        y = n.output[0] if bias is None else name(f"{n.output[0]}_without_bias")
        nodes.append(helper.make_node("Mul", [f, prod], [y], name=name(f"{n.name}_output_scale_mul")))
        if bias is not None:
            b = const(f"{n.name}_bias_reshaped", np.asarray(bias, np.float32).reshape(bias_shape))
            nodes.append(helper.make_node("Add", [y, b], [n.output[0]], name=name(f"{n.name}_bias_add")))

    done = []
    for n in g.node:
        w = inits.get(n.input[1]) if len(n.input) > 1 else None
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        nodes = []
        if n.op_type == "Conv" and w is not None and w.data_type == FLOAT:
            W = numpy_helper.to_array(w)
            q, s, zp = quantize_weight(W, weight_type, 0 if per_channel else None)
            if per_channel and weight_type == UINT8:
                raise ValueError("per-channel ConvInteger needs symmetric int8 weights: onnxruntime's ConvInteger takes one weight zero point")
            zp = zp.reshape(-1)[:1].reshape(())  # symmetric int8: all zero, and ORT's ConvInteger wants a scalar
            xq, xs, xzp = dyn_quant(n.input[0], nodes)
            acc = name(f"{n.output[0]}_output_quantized")
            kw = {k: v for k, v in attrs.items() if k in CONV_ATTRS}
            nodes.append(helper.make_node("ConvInteger", [xq, const(f"{w.name}_quantized", q), xzp, const(f"{w.name}_zero_point", zp)],
                                          [acc], name=name(f"{n.name}_quant"), **kw))
            bias = numpy_helper.to_array(inits[n.input[2]]) if len(n.input) > 2 and n.input[2] in inits else None
            if len(n.input) > 2 and n.input[2] and bias is None:
                done.append(n)  # a computed bias: leave this Conv float
                continue
            dequant(n, acc, xs, s, (-1,) + (1,) * (W.ndim - 2), bias, (-1,) + (1,) * (W.ndim - 2), nodes)
        elif n.op_type in ("MatMul", "Gemm") and w is not None and w.data_type == FLOAT and numpy_helper.to_array(w).ndim == 2 \
                and not attrs.get("transA", 0):
            W = numpy_helper.to_array(w)
            if attrs.get("transB", 0):
                W = W.T  # MatMulInteger computes A x B with B [K, N]
            q, s, zp = quantize_weight(W, weight_type, 1 if per_channel else None)
            xq, xs, xzp = dyn_quant(n.input[0], nodes)
            acc = name(f"{n.output[0]}_output_quantized")
            nodes.append(helper.make_node("MatMulInteger", [xq, const(f"{w.name}_quantized", q), xzp, const(f"{w.name}_zero_point", zp)],
                                          [acc], name=name(f"{n.name}_quant")))
            bias = None
            if n.op_type == "Gemm" and len(n.input) > 2 and n.input[2]:
                if n.input[2] not in inits:
                    done.append(n)
                    continue
                bias = numpy_helper.to_array(inits[n.input[2]]) * np.float32(attrs.get("beta", 1.0))
            dequant(n, acc, xs, s, (-1,), bias, (-1,) if bias is None or bias.ndim < 2 else bias.shape, nodes, attrs.get("alpha", 1.0))
        else:
            done.append(n)
            continue
        out_nodes.extend(nodes)
    del g.node[:]
    g.node.extend(done + out_nodes)
    g.initializer.extend(new_inits)
    # Drop the float weights nothing reads any more.
    used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    kind = {INT8: "int8", UINT8: "uint8"}[weight_type]
    return finalize(m, f"fovea convert-precision: dynamic int8 (weights {kind}, {'per-channel' if per_channel else 'per-tensor'})")
