/**
 * An ONNX Loop that runs `trip` times doing nothing but carrying `v0` ([1] float) to its output:
 * the hostile fixtures' way to keep ORT busy for as long as they like (a huge trip count never
 * returns). Its start value should depend on the model's input, so no optimiser can fold it away.
 */
import { node, valueInfo } from '../src/models/onnx/onnxBuilder';
import { AttributeType, DataType, type OnnxGraph, type OnnxNode } from '../src/models/onnx/onnxProto';

export function spinLoop(trip: string, keep: string, v0: string, out: string): OnnxNode {
  const body: OnnxGraph = {
    name: 'spin',
    input: [
      valueInfo('i', DataType.INT64, []),
      valueInfo('cond_in', DataType.BOOL, []),
      valueInfo('v_in', DataType.FLOAT, [1]),
    ],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('v_out', DataType.FLOAT, [1])],
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Identity', ['v_in'], ['v_out'])],
  };
  const loop = node('Loop', [trip, keep, v0], [out]);
  loop.attribute = [{ name: 'body', type: AttributeType.GRAPH, g: body }];
  return loop;
}
