/**
 * Graph helpers for splitting ONNX models: payload sizes, element types of node outputs, topological
 * order, value infos. Pure TypeScript, shared by the families that rewrite graphs at load.
 */
import { ModelGraphUnsupportedError } from '../../errors';
import {
  AttributeType,
  DataType,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
  type OnnxType,
  type OnnxValueInfo,
} from './onnxProto';

/** A model the split at load cannot partition. */
export class SplitError extends ModelGraphUnsupportedError {
  override name = 'SplitError';
}

/** Bytes a tensor's payload takes, whatever field holds it. */
export function tensorBytes(t: OnnxTensor): number {
  if (t.raw_data?.byteLength) return t.raw_data.byteLength;
  let n = 0;
  n += (t.float_data?.length ?? 0) * 4 + (t.int32_data?.length ?? 0) * 4;
  n += (t.int64_data?.length ?? 0) * 8 + (t.double_data?.length ?? 0) * 8 + (t.uint64_data?.length ?? 0) * 8;
  for (const s of t.string_data ?? []) n += s.byteLength;
  return n;
}

export const attr = (n: OnnxNode, name: string): OnnxAttribute | undefined =>
  n.attribute?.find((a) => a.name === name);

export function rejectSubgraphs(nodes: OnnxNode[]): void {
  for (const n of nodes)
    for (const a of n.attribute ?? [])
      if (
        a.type === AttributeType.GRAPH ||
        a.type === AttributeType.GRAPHS ||
        a.g !== undefined ||
        (a.graphs?.length ?? 0) > 0
      )
        throw new SplitError(
          `Cannot split this model: node "${n.name ?? n.op_type}" (${n.op_type}) has a subgraph ` +
            `attribute "${a.name}"; If/Loop/Scan graphs are not supported by the dense-model split.`,
        );
}

/**
 * Element type of each node output, for the ops that a CLIPSeg export (fp32, fp16, dynamic int8)
 * contains and the common rest. Unlisted ops take their first input's type (elementwise, shape
 * movers, MatMul, Gemm, Softmax, ...). Returns undefined where it cannot tell.
 */
export function outputElemTypes(
  n: OnnxNode,
  typeOf: (t: string) => number | undefined,
): (number | undefined)[] {
  const ins = n.input ?? [];
  const first = ins[0] ? typeOf(ins[0]) : undefined;
  const outs = n.output ?? [];
  const all = (t: number | undefined) => outs.map(() => t);
  const domain = n.domain ?? '';
  if (domain !== '' && domain !== 'ai.onnx') {
    if (n.op_type === 'MatMulIntegerToFloat' || n.op_type === 'DynamicQuantizeMatMul')
      return all(DataType.FLOAT);
    return all(undefined);
  }
  switch (n.op_type) {
    case 'Shape':
    case 'Size':
    case 'ArgMax':
    case 'ArgMin':
    case 'NonZero':
      return all(DataType.INT64);
    case 'Cast':
      return all(attr(n, 'to')?.i);
    case 'CastLike':
      return all(ins[1] ? typeOf(ins[1]) : undefined);
    case 'Constant': {
      const a = n.attribute?.[0];
      if (!a) return all(undefined);
      if (a.name === 'value') return all(a.t?.data_type);
      if (a.name === 'sparse_value') return all(a.sparse_tensor?.values?.data_type);
      if (a.name === 'value_float' || a.name === 'value_floats') return all(DataType.FLOAT);
      if (a.name === 'value_int' || a.name === 'value_ints') return all(DataType.INT64);
      if (a.name === 'value_string' || a.name === 'value_strings') return all(DataType.STRING);
      return all(undefined);
    }
    case 'ConstantOfShape':
      return all(attr(n, 'value')?.t?.data_type ?? DataType.FLOAT);
    case 'EyeLike':
      return all(attr(n, 'dtype')?.i ?? first);
    case 'Equal':
    case 'Less':
    case 'Greater':
    case 'LessOrEqual':
    case 'GreaterOrEqual':
    case 'And':
    case 'Or':
    case 'Xor':
    case 'Not':
    case 'IsNaN':
    case 'IsInf':
      return all(DataType.BOOL);
    case 'Where':
      return all(ins[1] ? typeOf(ins[1]) : undefined);
    case 'DynamicQuantizeLinear':
      return [DataType.UINT8, DataType.FLOAT, DataType.UINT8];
    case 'QuantizeLinear':
      return all(attr(n, 'output_dtype')?.i || (ins[2] ? typeOf(ins[2]) : DataType.UINT8));
    case 'DequantizeLinear':
      return all(ins[1] ? typeOf(ins[1]) : DataType.FLOAT);
    case 'MatMulInteger':
    case 'ConvInteger':
      return all(DataType.INT32);
    case 'TopK':
      return [first, DataType.INT64];
    case 'Dropout':
      return [first, DataType.BOOL];
    case 'MaxPool':
      return [first, DataType.INT64];
    case 'LayerNormalization':
      return [first, DataType.FLOAT, DataType.FLOAT];
    case 'Unique':
      return [first, DataType.INT64, DataType.INT64, DataType.INT64];
    default:
      return all(first);
  }
}

/** Topological order of node indices (ONNX files are sorted already; this checks and repairs). */
export function topoOrder(nodes: OnnxNode[], available: Set<string>): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const order: number[] = [];
  const state = new Uint8Array(nodes.length); // 0 new, 1 visiting, 2 done
  const visit = (root: number): void => {
    // Iterative DFS: graphs can be thousands of nodes deep.
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [i, k] = top;
      const ins = nodes[i]!.input ?? [];
      if (k < ins.length) {
        top[1]++;
        const t = ins[k]!;
        if (!t || available.has(t)) continue;
        const p = producer.get(t);
        if (p === undefined)
          throw new SplitError(
            `Invalid model: tensor "${t}" (read by ${nodes[i]!.op_type}) is never produced`,
          );
        if (state[p] === 1) throw new SplitError('Invalid model: the graph has a cycle');
        if (state[p] === 0) {
          state[p] = 1;
          stack.push([p, 0]);
        }
      } else {
        state[i] = 2;
        order.push(i);
        stack.pop();
      }
    }
  };
  for (let i = 0; i < nodes.length; i++) if (state[i] === 0) visit(i);
  return order;
}

export function valueInfoFor(name: string, elemType: number, src: OnnxValueInfo | undefined): OnnxValueInfo {
  const shape = src?.type?.tensor_type?.shape;
  const type: OnnxType = { tensor_type: { elem_type: elemType } };
  if (shape?.dim) {
    // Keep fixed sizes and named dims; give unnamed dynamic dims a name of their own.
    const dim = shape.dim.map((d, i) =>
      d.dim_value !== undefined && d.dim_value !== null
        ? { dim_value: d.dim_value }
        : { dim_param: d.dim_param || `${name}_dim${i}` },
    );
    type.tensor_type!.shape = { dim };
  }
  return { name, type };
}

export const dimsOf = (vi: OnnxValueInfo): (number | string)[] | null =>
  vi.type?.tensor_type?.shape?.dim?.map((d) => d.dim_value ?? d.dim_param ?? '?') ?? null;
