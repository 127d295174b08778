"""Graph helpers shared by the precision converters (scripts/convert-precision.py and the
precision_*.py form modules): preprocessing, naming, topological order, final checks, and the
calibration run on onnxruntime-node (scripts/calibrate.mjs).

(A Python module: imported by name, hence the underscore.)
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference, version_converter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOAT = TensorProto.FLOAT


def nodes_to_initializers(model: onnx.ModelProto, as_initializer) -> int:
    """Replaces each node for which as_initializer(node, initializers by name) gives a TensorProto
    by that initializer (named as the node's output). Returns the number replaced."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    keep, moved = [], 0
    for n in g.node:
        t = as_initializer(n, inits) if n.domain in ("", "ai.onnx") else None
        if t is None:
            keep.append(n)
            continue
        g.initializer.append(t)
        inits[t.name] = t
        moved += 1
    del g.node[:]
    g.node.extend(keep)
    return moved


def constants_to_initializers(model: onnx.ModelProto) -> int:
    """Constant nodes become initializers. paddle2onnx (the PP-OCR models) stores every weight as a
    Constant node; the quantizers, like onnxruntime.quantization, only quantize weights that are
    initializers, and the fp16 converters convert initializers and Constants alike. Same values,
    same names, so the graph's meaning is unchanged. Returns the number moved."""
    def constant(n, _inits):
        if n.op_type != "Constant" or len(n.attribute) != 1:
            return None
        a = n.attribute[0]
        if a.name == "value":
            value = numpy_helper.to_array(a.t)
        elif a.name in ("value_float", "value_int"):
            value = np.array(a.f if a.name == "value_float" else a.i, np.float32 if a.name == "value_float" else np.int64)
        elif a.name in ("value_floats", "value_ints"):
            value = np.array(list(a.floats) if a.name == "value_floats" else list(a.ints), np.float32 if a.name == "value_floats" else np.int64)
        else:
            return None
        return numpy_helper.from_array(value, n.output[0])
    return nodes_to_initializers(model, constant)


def identities_to_initializers(model: onnx.ModelProto) -> int:
    """Identity nodes of an initializer become initializers. PyTorch's exporter shares equal
    weights (the zero biases and unit scales of seeded BatchNorm-folded nets) through Identity
    nodes; the quantizers only quantize weights that are initializers (onnxruntime's
    quant_pre_process removes such Identities with the onnx optimizer). Returns the number moved."""
    outputs = {o.name for o in model.graph.output}

    def identity(n, inits):
        if n.op_type != "Identity" or n.input[0] not in inits or n.output[0] in outputs:
            return None
        t = TensorProto()
        t.CopyFrom(inits[n.input[0]])
        t.name = n.output[0]
        return t
    return nodes_to_initializers(model, identity)


def prepare(model: onnx.ModelProto) -> onnx.ModelProto:
    """The preprocessing every form starts from (cf. onnxruntime.quantization's quant_pre_process):
    Constant nodes and Identities of initializers as initializers, a unique name on every node
    (block lists and the quantizers refer to nodes by name), and value_info dropped (each form
    re-derives it)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    constants_to_initializers(m)
    identities_to_initializers(m)
    name = Namer(m.graph)
    for k, n in enumerate(m.graph.node):
        if not n.name:
            n.name = name(f"{n.op_type}_{k}")
    del m.graph.value_info[:]
    return m


def fuse_conv_batchnorm(model: onnx.ModelProto) -> int:
    """Folds each BatchNormalization that is the only consumer of a Conv with constant weights into
    the Conv (W' = W * g / sqrt(var + eps) per output channel, b' = (b - mean) * g / sqrt(var + eps)
    + beta), as onnxruntime's ConvBNFusion does in the graph optimization that
    onnxruntime.quantization.quant_pre_process runs before quantizing: the quantizers then see
    one weight tensor and one activation range instead of a Conv output whose range only the
    BatchNormalization brings back (PP-OCR's detector has a BN variance of ~1e8). In place;
    returns the number fused."""
    g = model.graph
    inits, uses, made = initializer_map(g), consumers(g), producers(g)
    outputs = {o.name for o in g.output}
    drop = set()
    for bn in g.node:
        conv = made.get(bn.input[0])
        if bn.op_type != "BatchNormalization" or conv is None or conv.op_type != "Conv" or len(bn.output) != 1 \
                or len(uses.get(bn.input[0], [])) != 1 or bn.input[0] in outputs \
                or not all(i in inits for i in list(bn.input[1:]) + list(conv.input[1:])):
            continue
        eps = next((a.f for a in bn.attribute if a.name == "epsilon"), 1e-5)
        gamma, beta, mean, var = (numpy_helper.to_array(inits[i]).astype(np.float64) for i in bn.input[1:5])
        w = numpy_helper.to_array(inits[conv.input[1]]).astype(np.float64)
        b = numpy_helper.to_array(inits[conv.input[2]]).astype(np.float64) if len(conv.input) > 2 else np.zeros(w.shape[0])
        k = gamma / np.sqrt(var + eps)
        wname, bname = f"{conv.input[1]}_bn_fused", f"{bn.input[2]}_bn_fused"
        g.initializer.extend([numpy_helper.from_array((w * k.reshape(-1, *[1] * (w.ndim - 1))).astype(np.float32), wname),
                              numpy_helper.from_array(((b - mean) * k + beta).astype(np.float32), bname)])
        conv.input[:] = [conv.input[0], wname, bname]
        conv.output[0] = bn.output[0]
        drop.add(bn.name)
    keep = [n for n in g.node if n.name not in drop]
    del g.node[:]
    g.node.extend(keep)
    used = {i for n in g.node for i in n.input}
    live = [i for i in g.initializer if i.name in used or i.name in {x.name for x in g.input}]
    del g.initializer[:]
    g.initializer.extend(live)
    return len(drop)


def opset(model: onnx.ModelProto) -> int:
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def upgrade_opset(model: onnx.ModelProto, target: int, ranks: dict) -> onnx.ModelProto:
    """Converts the default-domain opset to `target` with onnx.version_converter (QuantizeLinear and
    DequantizeLinear need opset 10, DynamicQuantizeLinear 11, their per-channel `axis` 13).
    The Softmax 12->13 adapter needs its input's rank, which shape inference cannot find after a
    Reshape to a computed shape (PP-OCR's classifier): `ranks` (tensor -> rank, from a run on
    onnxruntime-node) fills those in with symbolic dims, and all value_info is dropped afterwards."""
    if opset(model) >= target:
        return model
    model = shape_inference.infer_shapes(model)
    known = {v.name for v in model.graph.value_info if v.type.tensor_type.HasField("shape")}
    for n in model.graph.node:
        if n.op_type in ("Softmax", "LogSoftmax", "Hardmax") and n.input[0] not in known and n.input[0] in ranks:
            dims = [f"{n.input[0]}_d{i}" for i in range(ranks[n.input[0]])]
            model.graph.value_info.append(helper.make_tensor_value_info(n.input[0], FLOAT, dims))
    out = version_converter.convert_version(model, target)
    del out.graph.value_info[:]
    return out


class Namer:
    """Fresh tensor/node names that do not collide with any name in the graph."""

    def __init__(self, graph: onnx.GraphProto):
        self.used = {i.name for i in graph.initializer} | {i.name for i in graph.input} | {n.name for n in graph.node}
        for n in graph.node:
            self.used.update(n.input)
            self.used.update(n.output)

    def __call__(self, base: str) -> str:
        name, k = base, 1
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


def consumers(graph: onnx.GraphProto) -> dict:
    out = {}
    for n in graph.node:
        for i in n.input:
            out.setdefault(i, []).append(n)
    return out


def producers(graph: onnx.GraphProto) -> dict:
    return {o: n for n in graph.node for o in n.output}


def elem_types(model: onnx.ModelProto) -> dict:
    """Tensor name -> TensorProto element type, from shape inference, I/O and initializers."""
    inferred = shape_inference.infer_shapes(model)
    g = inferred.graph
    types = {v.name: v.type.tensor_type.elem_type for v in list(g.value_info) + list(g.input) + list(g.output)}
    types.update({i.name: i.data_type for i in g.initializer})
    return types


def toposort(graph: onnx.GraphProto) -> None:
    """Reorders graph.node topologically (onnx.checker requires it), keeping the original order
    where it already is one, so inserted nodes land next to their producers."""
    ready = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending, order = list(graph.node), []
    while pending:
        rest = []
        for n in pending:
            if all(i in ready for i in n.input):
                order.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError(f"graph has a cycle or an undefined input at node {rest[0].name} ({rest[0].op_type}): {list(rest[0].input)}")
        pending = rest
    del graph.node[:]
    graph.node.extend(order)


def finalize(model: onnx.ModelProto, doc: str) -> onnx.ModelProto:
    """Topological order, value_info re-derived by shape inference from the converted types (stale
    float32 entries would contradict a float16 or uint8 tensor), and onnx.checker."""
    toposort(model.graph)
    del model.graph.value_info[:]
    model.doc_string = (model.doc_string + "\n" if model.doc_string else "") + doc
    model = shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    return model


def initializer_map(graph: onnx.GraphProto) -> dict:
    return {i.name: i for i in graph.initializer}


def graph_inputs(model: onnx.ModelProto) -> list:
    inits = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def calibrate(model: onnx.ModelProto, samples: dict, tensors=None) -> dict:
    """Runs `model` on onnxruntime-node over the samples (input name -> array [count, *dims]) with
    every float tensor (or those in `tensors`) added as a graph output, as the MinMax calibrator
    of onnxruntime.quantization does. Returns name -> {min, max, dims}."""
    aug = onnx.ModelProto()
    aug.CopyFrom(model)
    types = elem_types(aug)
    have = {o.name for o in aug.graph.output}
    for n in aug.graph.node:
        for o in n.output:
            if o and o not in have and types.get(o) == FLOAT and (tensors is None or o in tensors):
                aug.graph.output.append(helper.make_tensor_value_info(o, FLOAT, None))
                have.add(o)
    with tempfile.TemporaryDirectory(prefix="fovea-calib-") as tmp:
        onnx.save(aug, os.path.join(tmp, "model.onnx"))
        spec = {"model": os.path.join(tmp, "model.onnx"), "inputs": []}
        for name, arr in samples.items():
            arr = np.ascontiguousarray(arr, np.float32)
            spec["count"] = arr.shape[0]
            file = os.path.join(tmp, f"in{len(spec['inputs'])}.f32")
            arr.astype("<f4").tofile(file)
            spec["inputs"].append({"name": name, "dims": list(arr.shape[1:]), "file": file})
        with open(os.path.join(tmp, "spec.json"), "w") as f:
            json.dump(spec, f)
        r = subprocess.run(["node", os.path.join(ROOT, "scripts", "calibrate.mjs"), os.path.join(tmp, "spec.json")],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"scripts/calibrate.mjs failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
        ranges = json.loads(r.stdout)
    for name, arr in samples.items():  # graph inputs: straight from the samples
        ranges[name] = {"min": float(np.min(arr)), "max": float(np.max(arr)), "dims": list(np.shape(arr)[1:])}
    return ranges
