"""An ONNX model that uses the parts of onnx.proto a partial schema is likely to miss: a model-local
function (FunctionProto) called by the graph, training_info (initialization and algorithm graphs with
bindings), quantization_annotation on a graph tensor, a sparse initializer, metadata, an attribute
holding a subgraph, and an ai.onnx.ml Opaque type. Written by the Python `onnx` package (its own
serialiser), so a codec that decodes and re-encodes it byte for byte keeps every field.
Usage: python3 tools/gen-onnx-fields-fixture.py OUT.onnx   (onnx 1.12 used)"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
f_one = helper.make_function(
    'local.fn', 'AddOne', ['x'], ['y'],
    [helper.make_node('Constant', [], ['one'], value=numpy_helper.from_array(np.ones([1], np.float32), 'one_t')),
     helper.make_node('Add', ['x', 'one'], ['y'])],
    [helper.make_opsetid('', 17)], doc_string='adds one')
then_g = helper.make_graph([helper.make_node('Identity', ['y'], ['t_out'])], 'then',
                           [], [helper.make_tensor_value_info('t_out', TensorProto.FLOAT, None)])
else_g = helper.make_graph([helper.make_node('Neg', ['y'], ['e_out'])], 'else',
                           [], [helper.make_tensor_value_info('e_out', TensorProto.FLOAT, None)])
graph = helper.make_graph(
    [helper.make_node('AddOne', ['x'], ['y'], domain='local.fn', name='call_fn'),
     helper.make_node('ReduceSum', ['y'], ['s'], keepdims=0),
     helper.make_node('Greater', ['s', 'zero'], ['c']),
     helper.make_node('If', ['c'], ['z'], then_branch=then_g, else_branch=else_g),
     helper.make_node('Mul', ['z', 'w'], ['out'])],
    'fields', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 3])],
    [helper.make_tensor_value_info('out', TensorProto.FLOAT, ['batch', 3])],
    initializer=[numpy_helper.from_array(np.array([0.5, -2.0, 3.25], np.float32), 'w'),
                 numpy_helper.from_array(np.zeros([], np.float32), 'zero')],
    sparse_initializer=[helper.make_sparse_tensor(
        numpy_helper.from_array(np.array([7.0], np.float32), 'sparse'),
        numpy_helper.from_array(np.array([2], np.int64), 'sparse_idx'), [4])],
    value_info=[helper.make_value_info('opaque', onnx.TypeProto(opaque_type=onnx.TypeProto.Opaque(domain='ai.onnx.ml', name='thing')))],
    doc_string='graph doc')
ann = graph.quantization_annotation.add()
ann.tensor_name = 'w'
ann.quant_parameter_tensor_names.add(key='SCALE_TENSOR', value='w_scale')
ann.quant_parameter_tensor_names.add(key='ZERO_POINT_TENSOR', value='w_zero_point')
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('local.fn', 1)],
                          functions=[f_one], producer_name='gen-onnx-fields-fixture', doc_string='model doc')
model.ir_version = 8
helper.set_model_props(model, {'purpose': 'codec round trip'})
model.metadata_props.add(key='second', value='entry')
train = model.training_info.add()
train.initialization.CopyFrom(helper.make_graph(
    [helper.make_node('Constant', [], ['w_init'], value=numpy_helper.from_array(np.ones([3], np.float32), 'w_init_t'))],
    'init', [], [helper.make_tensor_value_info('w_init', TensorProto.FLOAT, [3])]))
train.initialization_binding.add(key='w', value='w_init')
train.algorithm.CopyFrom(helper.make_graph(
    [helper.make_node('Mul', ['w', 'lr'], ['w_new'])], 'step', [],
    [helper.make_tensor_value_info('w_new', TensorProto.FLOAT, [3])],
    initializer=[numpy_helper.from_array(np.array([0.9], np.float32), 'lr')]))
train.update_binding.add(key='w', value='w_new')
onnx.checker.check_model(model)
onnx.save(model, out)
print(out, len(model.SerializeToString()), 'bytes')
