/**
 * Rewrites every `LayerNormalization` node of a model into the primitive ops that opset < 17 exports
 * contain (ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add beta), as PyTorch's
 * exporter writes them, and can declare a lower opset. Used to check that the dense-CLIP surgery
 * understands such exports, from the same weights.
 */
import { floatToHalf } from '../onnx/half';
import { attr } from '../onnx/graphTools';
import { floatTensor, node } from '../onnx/onnxBuilder';
import { DataType, decodeModel, encodeModel, type OnnxNode, type OnnxTensor } from '../onnx/onnxProto';

function scalarLike(name: string, value: number, type: number): OnnxTensor {
  if (type === DataType.FLOAT16) {
    const h = floatToHalf([value]);
    return { name, dims: [], data_type: DataType.FLOAT16, raw_data: new Uint8Array(h.buffer) };
  }
  return floatTensor(name, [], [value]);
}

/** Returns the model with its LayerNormalization nodes decomposed; `opset` replaces the default domain's. */
export function decomposeLayerNorms(bytes: Uint8Array, opset?: number): Uint8Array {
  const model = decodeModel(bytes);
  const g = model.graph!;
  const types = new Map<string, number>();
  for (const t of g.initializer ?? []) if (t.name) types.set(t.name, t.data_type ?? DataType.FLOAT);
  // Weights reached through Identity nodes keep their source's type.
  for (const n of g.node ?? [])
    if (n.op_type === 'Identity' && types.has(n.input![0]!))
      types.set(n.output![0]!, types.get(n.input![0]!)!);
  const out: OnnxNode[] = [];
  let k = 0;
  for (const n of g.node ?? []) {
    if (n.op_type !== 'LayerNormalization') {
      out.push(n);
      continue;
    }
    const [x, gamma, beta] = n.input as [string, string, string | undefined];
    const y = n.output![0]!;
    const type = types.get(gamma) ?? DataType.FLOAT;
    const p = `ln_decomposed_${k++}/`;
    g.initializer!.push(
      scalarLike(`${p}two`, 2, type),
      scalarLike(`${p}eps`, attr(n, 'epsilon')?.f ?? 1e-5, type),
    );
    const axes = [attr(n, 'axis')?.i ?? -1];
    out.push(
      node('ReduceMean', [x], [`${p}mean`], { axes, keepdims: 1 }),
      node('Sub', [x, `${p}mean`], [`${p}centred`]),
      node('Pow', [`${p}centred`, `${p}two`], [`${p}squared`]),
      node('ReduceMean', [`${p}squared`], [`${p}var`], { axes, keepdims: 1 }),
      node('Add', [`${p}var`, `${p}eps`], [`${p}var_eps`]),
      node('Sqrt', [`${p}var_eps`], [`${p}std`]),
      node('Div', [`${p}centred`, `${p}std`], [`${p}normed`]),
      node('Mul', [`${p}normed`, gamma], [beta ? `${p}scaled` : y]),
      ...(beta ? [node('Add', [`${p}scaled`, beta], [y])] : []),
    );
  }
  g.node = out;
  if (opset !== undefined)
    for (const o of model.opset_import ?? []) if (!o.domain || o.domain === 'ai.onnx') o.version = opset;
  return encodeModel(model);
}
