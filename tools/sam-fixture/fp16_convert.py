"""float32 -> float16 ONNX conversion with float32 graph inputs and outputs, in the manner of
onnxconverter-common's float16.convert_float_to_float16(model, keep_io_types=True) (which the hub's
`*_fp16.onnx` files come from), written with onnx 1.12's helper API:

* every float initializer, float Constant / tensor attribute becomes float16, values clamped as the
  converter does: 0 < |v| < 1e-7 -> +-1e-7, |v| > 1e4 -> +-1e4;
* `Cast(to=float)` becomes `Cast(to=float16)`; float value_info entries become float16;
* each float graph input gets `Cast(to=float16)` (node `graph_input_cast{i}`, output
  `graph_input_cast_{i}`), each float graph output is produced by `Cast(to=float)` (node
  `graph_output_cast{i}` from `graph_output_cast_{i}`);
* nodes of the converter's default block list (ops that need float32) keep float32: their float16
  inputs get `Cast(to=float)` (`{node}_input_cast{i}`), their outputs `Cast(to=float16)`.
The node list is then sorted topologically (stable), as newer converter versions do.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

# onnxconverter-common's DEFAULT_OP_BLOCK_LIST
OP_BLOCK_LIST = {
    "ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer", "FeatureVectorizer",
    "Imputer", "LabelEncoder", "LinearClassifier", "LinearRegressor", "Normalizer", "OneHotEncoder",
    "RandomUniformLike", "SVMClassifier", "SVMRegressor", "Scaler", "TreeEnsembleClassifier",
    "TreeEnsembleRegressor", "ZipMap", "NonMaxSuppression", "TopK", "RoiAlign", "Resize", "Range", "CumSum",
    "Min", "Max", "Upsample",
}
MIN_POSITIVE, MAX_FINITE = 1e-7, 1e4


def to_float16(a: np.ndarray) -> np.ndarray:
    """convert_np_to_float16: clamp tiny and huge magnitudes, then round to float16."""
    a = np.where((0 < a) & (a < MIN_POSITIVE), MIN_POSITIVE, a)
    a = np.where((-MIN_POSITIVE < a) & (a < 0), -MIN_POSITIVE, a)
    a = np.where((MAX_FINITE < a) & (a < np.inf), MAX_FINITE, a)
    a = np.where((-np.inf < a) & (a < -MAX_FINITE), -MAX_FINITE, a)
    return np.float16(a)


def convert_tensor(t: onnx.TensorProto) -> None:
    """In place: a float TensorProto becomes float16 (same name and dims)."""
    if t.data_type != TensorProto.FLOAT:
        return
    h = to_float16(numpy_helper.to_array(t).astype(np.float32))
    t.CopyFrom(numpy_helper.from_array(h.reshape(tuple(t.dims)), t.name))


def topological_sort(graph: onnx.GraphProto) -> None:
    """Stable Kahn sort of graph.node (a node keeps its place unless an input comes later)."""
    ready = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    nodes, out = list(graph.node), []
    pending = nodes
    while pending:
        rest = []
        for n in pending:
            if all(i in ready for i in n.input):
                out.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError("graph has a cycle or a missing input")
        pending = rest
    del graph.node[:]
    graph.node.extend(out)


def convert_float_to_float16(model: onnx.ModelProto) -> onnx.ModelProto:
    model = shape_inference.infer_shapes(model)
    g = model.graph
    rename, skip, casts = {}, set(), []
    for i, v in enumerate(g.input):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            rename[v.name] = f"graph_input_cast_{i}"
            skip.add(v.name)
            vi = g.value_info.add()
            vi.CopyFrom(v)
            vi.name = rename[v.name]
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
            casts.append(helper.make_node("Cast", [v.name], [rename[v.name]], name=f"graph_input_cast{i}",
                                          to=TensorProto.FLOAT16))
    for i, v in enumerate(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            rename[v.name] = f"graph_output_cast_{i}"
            skip.add(v.name)
            vi = g.value_info.add()
            vi.CopyFrom(v)
            vi.name = rename[v.name]
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
            casts.append(helper.make_node("Cast", [rename[v.name]], [v.name], name=f"graph_output_cast{i}",
                                          to=TensorProto.FLOAT))
    blocked = []
    for n in g.node:
        n.input[:] = [rename.get(x, x) for x in n.input]
        n.output[:] = [rename.get(x, x) for x in n.output]
        if n.op_type in OP_BLOCK_LIST:
            blocked.append(n)
            continue
        for a in n.attribute:
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            if a.type == onnx.AttributeProto.TENSOR:
                convert_tensor(a.t)
            for t in a.tensors:
                convert_tensor(t)
            if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise NotImplementedError("subgraphs are not handled (none in these exports)")
    float16_names = set()
    for t in g.initializer:
        if t.data_type == TensorProto.FLOAT:
            convert_tensor(t)
            float16_names.add(t.name)
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT and v.name not in skip:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
        if v.type.tensor_type.elem_type == TensorProto.FLOAT16:
            float16_names.add(v.name)
    # nodes that keep float32: Cast their float16 inputs up and their outputs back down
    for n in blocked:
        for i, x in enumerate(n.input):
            if x in float16_names:
                y = f"{n.name}_input_cast_{i}"
                casts.append(helper.make_node("Cast", [x], [y], name=f"{n.name}_input_cast{i}", to=TensorProto.FLOAT))
                n.input[i] = y
        for i, x in enumerate(n.output):
            if x in float16_names:
                y = f"{n.name}_output_cast_{i}"
                casts.append(helper.make_node("Cast", [y], [x], name=f"{n.name}_output_cast{i}", to=TensorProto.FLOAT16))
                n.output[i] = y
    g.node.extend(casts)
    topological_sort(g)
    return model
