"""Dynamic int8 quantisation of MatMul weights, in the pattern of onnxruntime's
quantize_dynamic(model, weight_type=QuantType.QUInt8, per_channel=False, reduce_range=False,
op_types_to_quantize=["MatMul"], extra_options={"MatMulConstBOnly": True}) (the hub's
`*_quantized.onnx` files), written with onnx 1.12's helper API.

Every MatMul whose B input is a float initializer becomes

    DynamicQuantizeLinear(A)          -> A_quantized (uint8), A_scale, A_zero_point
    MatMulInteger(A_quantized, B_quantized, A_zero_point, B_zero_point) -> int32
    Cast(to=float)
    Mul(A_scale, B_scale)             (the two scales)
    Mul(cast, scales)                 -> the MatMul's original output name

with onnxruntime's names: node `{A}_QuantizeLinear` (one per distinct A, shared by the MatMuls that
read it), `{B}_quantized` / `{B}_scale` / `{B}_zero_point` initializers (uint8 weight, float32 scalar
scale, uint8 scalar zero point), `{matmul}_quant`, `{out}_output_quantized`,
`{out}_output_quantized_cast` -> `{out}_output_quantized_cast_output`, `{matmul}_quant_scales_mul`
-> `{matmul}_quant_scales_mul:0`, `{matmul}_quant_output_scale_mul`. Weights are quantised per
tensor, asymmetric uint8 (onnxruntime's quantize_data / compute_scale_zp): the range is widened to
include 0, scale = (rmax - rmin) / 255 (computed in float64, stored as float32), zero point =
round(0 - rmin / scale), q = clip(round(w / scale) + zero point, 0, 255) with w / scale in float32
and round-half-to-even. Float weights no longer read are dropped; the node list is re-sorted.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from fp16_convert import topological_sort


def quantize_weight_uint8(w: np.ndarray):
    """onnxruntime quantize_data(w.flatten(), UINT8, symmetric=False, reduce_range=False)."""
    w = w.astype(np.float32)
    rmin = np.minimum(w.min(), np.float32(0)) if w.size else np.float32(0)
    rmax = np.maximum(w.max(), np.float32(0)) if w.size else np.float32(0)
    qmin, qmax = np.uint8(0), np.uint8(255)
    scale = np.array(np.float64(rmax - rmin) / (np.float64(qmax) - np.float64(qmin)))
    if scale < np.finfo(np.float32).tiny:
        scale, zero_point = np.array(1.0, np.float32), np.array(0, np.uint8)
    else:
        zero_point = np.array(np.round(qmin - rmin / scale), dtype=np.uint8)
        scale = scale.astype(np.float32)
    q = np.asarray((w / scale).round() + zero_point)
    q = np.clip(q, 0, 255).astype(np.uint8)
    return q, scale, zero_point


def quantize_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    new_nodes, new_inits = [], []
    quantized_acts = {}  # A -> (A_quantized, A_scale, A_zero_point)
    quantized_weights = {}
    for n in g.node:
        b = n.input[1] if n.op_type == "MatMul" else None
        if b is None or b not in inits or inits[b].data_type != TensorProto.FLOAT:
            new_nodes.append(n)
            continue
        a, out = n.input[0], n.output[0]
        if a not in quantized_acts:
            quantized_acts[a] = (a + "_quantized", a + "_scale", a + "_zero_point")
            new_nodes.append(helper.make_node("DynamicQuantizeLinear", [a], list(quantized_acts[a]),
                                              name=a + "_QuantizeLinear"))
        if b not in quantized_weights:
            w = numpy_helper.to_array(inits[b])
            q, scale, zp = quantize_weight_uint8(w)
            quantized_weights[b] = (b + "_quantized", b + "_scale", b + "_zero_point")
            new_inits += [numpy_helper.from_array(q.reshape(w.shape), b + "_quantized"),
                          helper.make_tensor(b + "_scale", TensorProto.FLOAT, [], [float(scale)]),
                          helper.make_tensor(b + "_zero_point", TensorProto.UINT8, [], [int(zp)])]
        aq, ascale, azp = quantized_acts[a]
        bq, bscale, bzp = quantized_weights[b]
        name = n.name + "_quant"
        mm_out = out + "_output_quantized"
        new_nodes += [
            helper.make_node("MatMulInteger", [aq, bq, azp, bzp], [mm_out], name=name),
            helper.make_node("Cast", [mm_out], [mm_out + "_cast_output"], name=mm_out + "_cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [ascale, bscale], [name + "_scales_mul:0"], name=name + "_scales_mul"),
            helper.make_node("Mul", [mm_out + "_cast_output", name + "_scales_mul:0"], [out],
                             name=name + "_output_scale_mul"),
        ]
    del g.node[:]
    g.node.extend(new_nodes)
    g.initializer.extend(new_inits)
    used = {x for nd in g.node for x in nd.input} | {o.name for o in g.output}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    topological_sort(g)
    # value_info of the float weights that were dropped, if any, would now dangle
    names = {t.name for t in g.initializer} | {x for nd in g.node for x in nd.output} | {i.name for i in g.input}
    vis = [v for v in g.value_info if v.name in names]
    del g.value_info[:]
    g.value_info.extend(vis)
    if not any(o.domain in ("", "ai.onnx") and o.version >= 10 for o in model.opset_import):
        raise ValueError("MatMulInteger needs opset >= 10")
    return model
