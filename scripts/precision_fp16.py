"""The float16 forms, modelled on what onnxconverter-common's float16.convert_float_to_float16 emits
(and, for weight-only, on float16 weight storage with float32 compute):

- full:     every float32 tensor, initializer and graph input/output becomes float16;
- keep-io:  graph inputs/outputs stay float32 (keep_io_types=True): a Cast(to=FLOAT16) after each
            input, a Cast(to=FLOAT) producing each output under its original name;
- mixed:    nodes of a block list (op types, node names) compute in float32, with Casts at the
            float16/float32 borders (op_block_list / node_block_list);
- weights:  float16 initializers, each followed by Cast(to=FLOAT): float32 compute.

Values are clamped as onnxconverter-common does: a nonzero |x| below min_positive becomes
+-min_positive (1e-7: float16 would flush it to zero) and a finite |x| above max_finite becomes
+-max_finite (1e4); infinities stay infinities.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from precision_graph import FLOAT, Namer, consumers, elem_types, finalize

FLOAT16 = TensorProto.FLOAT16

# onnxconverter-common's DEFAULT_OP_BLOCK_LIST, restricted to ops of the default domain: ops with
# no float16 form in the ONNX spec or in common runtimes (Resize's `scales` input must be float32,
# Range/TopK/NonMaxSuppression/RoiAlign/CumSum/Min/Max lack float16 kernels). They stay float32.
DEFAULT_OP_BLOCK_LIST = {"Resize", "Upsample", "Range", "TopK", "NonMaxSuppression", "RoiAlign", "CumSum", "Min", "Max"}


def to_float16(values: np.ndarray, min_positive: float = 1e-7, max_finite: float = 1e4) -> np.ndarray:
    v = np.asarray(values, np.float32)
    mag = np.abs(v)
    v = np.where((mag > 0) & (mag < min_positive), np.sign(v) * min_positive, v)
    v = np.where(np.isfinite(v) & (mag > max_finite), np.sign(v) * max_finite, v)
    return v.astype(np.float16)


def overflows(init: onnx.TensorProto, max_finite: float) -> bool:
    v = numpy_helper.to_array(init)
    return bool(v.size) and bool(np.any(np.isfinite(v) & (np.abs(v) > max_finite)))


def convert_float16(model: onnx.ModelProto, keep_io_types: bool = False, op_block_list=(), node_block_list=(),
                    min_positive: float = 1e-7, max_finite: float = 1e4) -> onnx.ModelProto:
    """Returns the float16 form of `model` (not modified). Forms full, keep-io and mixed."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    types = elem_types(m)
    blocked_ops = set(op_block_list) | DEFAULT_OP_BLOCK_LIST
    uses = consumers(g)
    # A node reading a weight that float16 cannot hold (PP-OCR's detector has a BatchNormalization
    # variance of ~1e8; clamping it to max_finite would change the result, not round it) stays
    # float32: the per-node block list one passes onnxconverter-common for exactly this.
    too_big = {c.name for i in g.initializer if i.data_type == FLOAT and overflows(i, max_finite) for c in uses.get(i.name, [])}
    node_block_list = set(node_block_list) | too_big
    blocked = lambda n: n.op_type in blocked_ops or n.name in node_block_list  # noqa: E731
    name = Namer(g)

    # Which float32 tensors become float16: outputs of computing (not blocked) nodes, initializers
    # that a computing node reads, and the graph inputs unless keep_io_types.
    half = set()
    for n in g.node:
        if not blocked(n):
            half.update(o for o in n.output if types.get(o) == FLOAT)
    for init in g.initializer:
        if init.data_type == FLOAT and any(not blocked(c) for c in uses.get(init.name, [])):
            half.add(init.name)
    inputs = [i for i in g.input if i.name not in {x.name for x in g.initializer}]
    for i in inputs:
        if i.type.tensor_type.elem_type == FLOAT and not keep_io_types:
            half.add(i.name)
            i.type.tensor_type.elem_type = FLOAT16

    for init in g.initializer:
        if init.name in half:
            init.CopyFrom(numpy_helper.from_array(to_float16(numpy_helper.to_array(init), min_positive, max_finite), init.name))
    for n in g.node:
        if blocked(n):
            continue
        if n.op_type == "Cast" and helper.get_attribute_value(n.attribute[0]) == FLOAT:
            n.attribute[0].i = FLOAT16  # a Cast to float32 inside the float16 region now casts to float16
        if n.op_type == "ConstantOfShape" and n.output[0] in half:
            for a in n.attribute:
                if a.name == "value":
                    a.t.CopyFrom(numpy_helper.from_array(to_float16(numpy_helper.to_array(a.t)), a.t.name))

    # Casts at the borders, one per tensor and direction, shared by all the consumers on that side.
    casts, new_nodes = {}, []

    def cast(tensor: str, to: int) -> str:
        if (tensor, to) not in casts:
            out = name(f"{tensor}_{'fp16' if to == FLOAT16 else 'fp32'}")
            new_nodes.append(helper.make_node("Cast", [tensor], [out], name=name(f"{out}_cast"), to=to))
            casts[(tensor, to)] = out
        return casts[(tensor, to)]

    for n in g.node:
        for k, i in enumerate(n.input):
            if types.get(i) != FLOAT:
                continue
            if blocked(n) and i in half:
                n.input[k] = cast(i, FLOAT)
            elif not blocked(n) and i not in half:
                n.input[k] = cast(i, FLOAT16)

    # Graph outputs: float32 (keep_io_types) or float16, whichever side computed them. The output
    # keeps its name, which then names the Cast's result (onnxconverter-common: graph_output_cast).
    for o in g.output:
        if o.type.tensor_type.elem_type != FLOAT:
            continue
        want = FLOAT if keep_io_types else FLOAT16
        have = FLOAT16 if o.name in half else FLOAT
        o.type.tensor_type.elem_type = want
        if want != have:
            inner = name(f"{o.name}_{'fp16' if have == FLOAT16 else 'fp32'}")
            for n in list(g.node) + new_nodes:
                n.output[:] = [inner if x == o.name else x for x in n.output]
                n.input[:] = [inner if x == o.name else x for x in n.input]
            new_nodes.append(helper.make_node("Cast", [inner], [o.name], name=name(f"{o.name}_graph_output_cast"), to=want))
    g.node.extend(new_nodes)
    form = "mixed" if (set(op_block_list) or set(node_block_list) - too_big) else ("keep-io" if keep_io_types else "full")
    doc = f"fovea convert-precision: float16 ({form}; blocked: {sorted(blocked_ops)} nodes {sorted(node_block_list)})"
    return finalize(m, doc)


def convert_float16_weights(model: onnx.ModelProto, min_positive: float = 1e-7, max_finite: float = 1e4) -> onnx.ModelProto:
    """Weight-only float16: each float32 initializer is stored as float16 and followed by a
    Cast(to=FLOAT) producing its original name, so every op computes in float32 (half the weight
    bytes, float32 numerics apart from the weights' rounding)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    name = Namer(g)
    overridable = {i.name for i in g.input}  # initializers that are also graph inputs may be fed
    casts = []
    for init in g.initializer:
        if init.data_type != FLOAT or init.name in overridable or overflows(init, max_finite):  # see convert_float16
            continue
        orig = init.name
        init.CopyFrom(numpy_helper.from_array(to_float16(numpy_helper.to_array(init), min_positive, max_finite), name(f"{orig}_fp16")))
        casts.append(helper.make_node("Cast", [init.name], [orig], name=name(f"{orig}_cast"), to=FLOAT))
    rest = list(g.node)
    del g.node[:]
    g.node.extend(casts + rest)  # ahead of every consumer: already in topological order
    return finalize(m, "fovea convert-precision: float16 weights (Cast to float32 after each initializer)")


def mixed_block_lists(model: onnx.ModelProto):
    """The default block lists of the mixed form: pooling/softmax heads, whose sums and exponentials
    are where float16 loses most, and the last Gemm/MatMul (the logits) stay float32."""
    ops = {"GlobalAveragePool", "Softmax"}
    last = [n.name for n in model.graph.node if n.op_type in ("Gemm", "MatMul")][-1:]
    return ops, set(last)
