/**
 * Dynamic int8 quantisation in the pattern of onnxruntime's quantize_dynamic (weight_type QUInt8,
 * per tensor, constant weights only: the hub's `*_quantized.onnx` files), in TypeScript on the
 * project's ONNX codec. By default MatMul only, as tools/sam-fixture/quantize_dynamic.py (the SAM
 * fixture); `HUB_OPS` adds what onnxruntime's default op list does to a CLIP/CLIPSeg export
 * (fixtures/clipseg-tiny/model_quantized.onnx, made by onnxruntime itself):
 *
 *   MatMul(A, W):  DynamicQuantizeLinear(A) -> A_quantized, A_scale, A_zero_point (once per A)
 *                  MatMulInteger(A_quantized, W_quantized, A_zero_point, W_zero_point) -> Cast(float)
 *                  Mul(A_scale, W_scale), then Mul(cast, scales) -> the MatMul's own output
 *   Gemm(A, W, C): first made MatMul + Add (alpha = beta = 1, no transA; transB folded into W, which
 *                  keeps its name), as onnxruntime's replace_gemm_with_matmul
 *   Conv(A, W, C): the same with ConvInteger (the Conv's attributes); a bias is added after the
 *                  scale Mul, reshaped to [1, -1, 1, 1]
 *   Gather(W, i):  Gather(W_quantized, i) -> DequantizeLinear(·, W_scale, W_zero_point)
 *
 * with onnxruntime's node and tensor names. Weights: see quantizeWeight.ts. Float weights no longer
 * read are dropped and the nodes re-sorted (a stable Kahn pass, as the Python's topological_sort).
 */
import { DataType, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../src/models/onnx/onnxProto';
import { node } from '../../src/models/onnx/onnxBuilder';
import {
  float,
  floatsOf,
  int64s,
  quantizeWeightUint8,
  stableTopological,
  transposed,
  uint8,
} from './quantizeWeight';

export { quantizeWeightUint8 };

export type QuantOp = 'MatMul' | 'Gemm' | 'Conv' | 'Gather';
/** What onnxruntime's quantize_dynamic quantises in the hub's CLIP and CLIPSeg exports. */
export const HUB_OPS: readonly QuantOp[] = ['MatMul', 'Gemm', 'Conv', 'Gather'];

type Names = [quantized: string, scale: string, zeroPoint: string];
const attr = (n: OnnxNode, name: string) => n.attribute?.find((a) => a.name === name);

class Quantizer {
  readonly nodes: OnnxNode[] = [];
  readonly added: OnnxTensor[] = [];
  private acts = new Map<string, Names>();
  private weights = new Map<string, Names>();
  constructor(readonly inits: Map<string, OnnxTensor>) {}

  isFloatWeight(name: string | undefined): name is string {
    return !!name && this.inits.get(name)?.data_type === DataType.FLOAT;
  }

  activation(a: string): Names {
    if (!this.acts.has(a)) {
      this.acts.set(a, [`${a}_quantized`, `${a}_scale`, `${a}_zero_point`]);
      this.nodes.push(node('DynamicQuantizeLinear', [a], this.acts.get(a)!, {}, `${a}_QuantizeLinear`));
    }
    return this.acts.get(a)!;
  }

  weight(b: string): Names {
    if (!this.weights.has(b)) {
      const t = this.inits.get(b)!;
      const { q, scale, zeroPoint } = quantizeWeightUint8(floatsOf(t));
      this.weights.set(b, [`${b}_quantized`, `${b}_scale`, `${b}_zero_point`]);
      this.added.push(
        uint8(`${b}_quantized`, t.dims!.map(Number), q),
        float(`${b}_scale`, scale),
        uint8(`${b}_zero_point`, [], Uint8Array.of(zeroPoint)),
      );
    }
    return this.weights.get(b)!;
  }

  /** MatMulInteger or ConvInteger, then the float output `out` (scaled). */
  integer(n: OnnxNode, op: 'MatMulInteger' | 'ConvInteger', out: string): void {
    const [aq, as, az] = this.activation(n.input![0]!);
    const [bq, bs, bz] = this.weight(n.input![1]!);
    const name = `${n.name}_quant`;
    const mm = `${n.output![0]}_output_quantized`;
    const int = node(op, [aq, bq, az, bz], [mm], {}, name);
    if (op === 'ConvInteger' && n.attribute) int.attribute = n.attribute;
    this.nodes.push(
      int,
      node('Cast', [mm], [`${mm}_cast_output`], { to: DataType.FLOAT }, `${mm}_cast`),
      node('Mul', [as, bs], [`${name}_scales_mul:0`], {}, `${name}_scales_mul`),
      node('Mul', [`${mm}_cast_output`, `${name}_scales_mul:0`], [out], {}, `${name}_output_scale_mul`),
    );
  }

  conv(n: OnnxNode): void {
    const out = n.output![0]!;
    const bias = n.input![2];
    if (!bias) return this.integer(n, 'ConvInteger', out);
    const scaled = `${out}quant_scaled_output`;
    this.integer(n, 'ConvInteger', scaled);
    const rank = this.inits.get(n.input![1]!)!.dims!.length;
    const shape = `${out}_bias_reshape_shape`;
    this.added.push(
      int64s(
        shape,
        Array.from({ length: rank }, (_, i) => (i === 1 ? -1 : 1)),
      ),
    );
    this.nodes.push(
      { op_type: 'Reshape', input: [bias, shape], output: [`${out}_bias_reshape_output`] },
      node('Add', [scaled, `${out}_bias_reshape_output`], [out], {}, `${out}_bias_add`),
    );
  }

  gather(n: OnnxNode): void {
    const [wq, ws, wz] = this.weight(n.input![0]!);
    const out = n.output![0]!;
    this.nodes.push(
      { ...n, input: [wq, ...n.input!.slice(1)], output: [`${out}_quantized`] },
      node('DequantizeLinear', [`${out}_quantized`, ws, wz], [out], {}, `${out}_DequantizeLinear`),
    );
  }
}

/** onnxruntime's replace_gemm_with_matmul for one node: MatMul (+ Add), or null when it does not apply. */
function gemmAsMatMul(n: OnnxNode, inits: Map<string, OnnxTensor>): OnnxNode[] | null {
  const f = (k: string, d: number) => attr(n, k)?.f ?? d;
  const i = (k: string) => Number(attr(n, k)?.i ?? 0);
  const b = n.input![1]!;
  if (f('alpha', 1) !== 1 || f('beta', 1) !== 1 || i('transA') !== 0 || !inits.has(b)) return null;
  if (i('transB') === 1) inits.set(b, transposed(inits.get(b)!));
  const out = n.output![0]!;
  const bias = n.input![2];
  const mm = bias ? `${out}_MatMul` : out;
  const nodes = [node('MatMul', [n.input![0]!, b], [mm], {}, `${n.name}_MatMul`)];
  if (bias) nodes.push(node('Add', [mm, bias], [out], {}, `${n.name}_Add`));
  return nodes;
}

/** The quantised model (a new object; `model` is not changed). */
export function quantizeDynamic(model: OnnxModel, ops: readonly QuantOp[] = ['MatMul']): OnnxModel {
  const g = model.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name!, t]));
  const q = new Quantizer(inits);
  const on = new Set(ops);
  const source = (g.node ?? []).flatMap((n) =>
    n.op_type === 'Gemm' && on.has('Gemm') ? (gemmAsMatMul(n, inits) ?? [n]) : [n],
  );
  for (const n of source) {
    const op = n.op_type ?? '';
    if (op === 'MatMul' && on.has('MatMul') && q.isFloatWeight(n.input![1]))
      q.integer(n, 'MatMulInteger', n.output![0]!);
    else if (op === 'Conv' && on.has('Conv') && q.isFloatWeight(n.input![1])) q.conv(n);
    else if (op === 'Gather' && on.has('Gather') && q.isFloatWeight(n.input![0])) q.gather(n);
    else q.nodes.push(n);
  }
  const nodes = q.nodes;
  const used = new Set([...nodes.flatMap((n) => n.input ?? []), ...(g.output ?? []).map((o) => o.name!)]);
  const initializer = [...inits.values(), ...q.added].filter((t) => used.has(t.name!));
  const ready = new Set(['', ...(g.input ?? []).map((i) => i.name!), ...initializer.map((t) => t.name!)]);
  const sorted = stableTopological(nodes, ready);
  const names = new Set([...ready, ...sorted.flatMap((n) => n.output ?? [])]);
  const value_info = (g.value_info ?? []).filter((v) => names.has(v.name!));
  return { ...model, graph: { ...g, node: sorted, initializer, value_info } };
}
