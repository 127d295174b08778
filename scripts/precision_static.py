"""What the two static int8 forms (QDQ: precision_qdq.py, QOperator: precision_qop.py) share, after
onnxruntime.quantization.quantize_static: the calibrated model at opset 13, the activation
functions folded into the range of their producer, and the choice of nodes to quantize.

Activation folding (onnxruntime: QDQRemovableActivation / QLinearActivation): a Relu or Clip that
is the only consumer of a Conv/Gemm/MatMul/Add/Mul output is removed, the producer writing the
activation's output directly. That output is quantized with the activation's calibrated range,
whose lower end (0 for Relu) saturates the uint8 value at the zero point: the clamp happens in
the requantization, so Conv+Relu costs one op. (Clip's upper bound is likewise replaced by the
calibrated maximum, which is at most the bound.)
"""
import onnx

from precision_graph import consumers, opset, producers, upgrade_opset
from precision_qparams import activation_qparams

FOLD_PRODUCERS = {"Conv", "Gemm", "MatMul", "Add", "Mul"}
# Ops whose output is a rearrangement or selection of input values: the output is quantized with
# the input's scale and zero point (onnxruntime's QDQDirect8BitOp, and uint8 kernels in QOperator).
DIRECT = {"MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Resize"}
# Ops quantized on all their float inputs and outputs with their own calibrated ranges.
ELEMENTWISE = {"Add", "Mul", "Concat", "GlobalAveragePool", "AveragePool", "Sigmoid", "LeakyRelu"}
WEIGHTED = {"Conv", "Gemm", "MatMul"}


def quantizable_weights(n: onnx.NodeProto, inits: dict) -> bool:
    """A weighted op's weight (and bias) are float initializers, as the quantizers need."""
    return n.input[1] in inits and inits[n.input[1]].data_type == onnx.TensorProto.FLOAT \
        and (len(n.input) < 3 or not n.input[2] or n.input[2] in inits)


def fold_activations(model: onnx.ModelProto) -> int:
    """Removes the Relu/Clip nodes described above; returns how many. Only where the producer can
    be quantized: the clamp lives in the requantization, so a producer left in float keeps its
    activation (its output then has no Q to clamp it)."""
    g = model.graph
    uses, made = consumers(g), producers(g)
    inits = {i.name: i for i in g.initializer}
    outputs = {o.name for o in g.output}
    drop = set()
    for n in g.node:
        if n.op_type not in ("Relu", "Clip"):
            continue
        src = made.get(n.input[0])
        if src is None or src.op_type not in FOLD_PRODUCERS or len(uses.get(n.input[0], [])) != 1 or n.input[0] in outputs:
            continue
        if src.op_type in WEIGHTED and not quantizable_weights(src, inits):
            continue
        src.output[0] = n.output[0]
        made[n.output[0]] = src  # Relu -> Clip (ReLU6 written as both) folds into the same producer
        uses[n.output[0]] = uses.get(n.output[0], [])
        drop.add(n.name)
    keep = [n for n in g.node if n.name not in drop]
    del g.node[:]
    g.node.extend(keep)
    return len(drop)


def prepare_static(model: onnx.ModelProto, ranges: dict) -> onnx.ModelProto:
    """A copy at opset >= 13 (QuantizeLinear/DequantizeLinear's per-channel `axis`; uint8 MaxPool
    is opset 12) with the activations folded."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    ranks = {k: len(v["dims"]) for k, v in ranges.items()}
    if opset(m) < 13:
        m = upgrade_opset(m, 13, ranks)
    fold_activations(m)
    return m


class Plan:
    """Which nodes get quantized, and each quantized tensor's (scale, zero point)."""

    def __init__(self, model: onnx.ModelProto, ranges: dict, weighted_ops=WEIGHTED, direct_ops=DIRECT, elementwise_ops=ELEMENTWISE):
        g = model.graph
        self.inits = {i.name: i for i in g.initializer}
        self.ranges = ranges
        self.nodes = set()
        self.direct = {}
        for n in g.node:  # graph order = topological: a direct op sees whether its input is quantized
            if n.op_type in weighted_ops:
                ok = quantizable_weights(n, self.inits) and self.has_range(n.input[0]) and self.has_range(n.output[0])
                if n.op_type in ("Gemm", "MatMul"):
                    ok = ok and len(self.inits[n.input[1]].dims) == 2 and not any(a.name == "transA" and a.i for a in n.attribute)
            elif n.op_type in elementwise_ops:
                ok = all(i in self.inits or self.has_range(i) for i in n.input) and self.has_range(n.output[0])
            elif n.op_type in direct_ops:
                ok = self.has_range(n.input[0])
            else:
                ok = False
            if ok:
                self.nodes.add(n.name)
            if ok and n.op_type in direct_ops:
                self.direct[n.output[0]] = n.input[0]  # by name: the emitters rewire node inputs

    def has_range(self, t: str) -> bool:
        return t in self.direct or (t in self.ranges and t not in self.inits)

    def qparams(self, t: str):
        """(scale, zero point) of activation t; a direct op's output shares its input's."""
        while t in self.direct:
            t = self.direct[t]
        r = self.ranges[t]
        return activation_qparams(r["min"], r["max"])
