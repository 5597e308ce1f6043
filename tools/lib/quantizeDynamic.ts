/**
 * Dynamic int8 quantisation of MatMul weights, as tools/sam-fixture/quantize_dynamic.py does it
 * (onnxruntime's quantize_dynamic with weight_type QUInt8, per tensor, MatMul only, constant B
 * only: the hub's `*_quantized.onnx` files), in TypeScript on the project's ONNX codec. Every
 * MatMul whose B is a float initializer becomes
 *
 *   DynamicQuantizeLinear(A) -> A_quantized, A_scale, A_zero_point   (once per distinct A)
 *   MatMulInteger(A_quantized, B_quantized, A_zero_point, B_zero_point) -> Cast(float)
 *   Mul(A_scale, B_scale), then Mul(cast, scales) -> the MatMul's own output name
 *
 * with onnxruntime's node and tensor names. Weights: asymmetric uint8 over [min(w, 0), max(w, 0)],
 * scale = (rmax − rmin) / 255 (float32 difference, float64 division, stored as float32), zero point
 * = round(−rmin / scale), q = clip(round(w / scale) + zero point, 0, 255), rounding half to even
 * and w / scale in float32, as numpy computes them. Float weights no longer read are dropped and
 * the nodes re-sorted (a stable Kahn pass, as the Python's topological_sort).
 */
import { DataType, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../src/models/onnx/onnxProto';
import { node } from '../../src/models/onnx/onnxBuilder';

const F32_TINY = 1.1754943508222875e-38;

/** numpy's round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

const floatsOf = (t: OnnxTensor): Float32Array => {
  // A copy: decoded bytes may be a Node Buffer view at any offset (whose slice() is no copy).
  if (t.raw_data?.length) return new Float32Array(new Uint8Array(t.raw_data).buffer);
  return Float32Array.from(t.float_data ?? []);
};

/** onnxruntime's quantize_data(w, UINT8, symmetric=False, reduce_range=False). */
export function quantizeWeightUint8(w: Float32Array): { q: Uint8Array; scale: number; zeroPoint: number } {
  let rmin = 0;
  let rmax = 0;
  for (const v of w) {
    if (v < rmin) rmin = v;
    if (v > rmax) rmax = v;
  }
  let scale = Math.fround(rmax - rmin) / 255;
  let zeroPoint = 0;
  if (scale < F32_TINY) scale = 1;
  else {
    zeroPoint = roundHalfEven(0 - rmin / scale);
    scale = Math.fround(scale);
  }
  const q = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++)
    q[i] = Math.min(255, Math.max(0, roundHalfEven(Math.fround(w[i]! / scale)) + zeroPoint));
  return { q, scale, zeroPoint };
}

const uint8 = (name: string, dims: number[], data: Uint8Array): OnnxTensor => ({
  name,
  dims,
  data_type: DataType.UINT8,
  raw_data: data,
});
const float = (name: string, value: number): OnnxTensor => ({
  name,
  dims: [],
  data_type: DataType.FLOAT,
  raw_data: new Uint8Array(Float32Array.of(value).buffer),
});

/** Stable Kahn sort: a node keeps its place unless one of its inputs is made later. */
function stableTopological(nodes: OnnxNode[], ready: Set<string>): OnnxNode[] {
  const out: OnnxNode[] = [];
  let pending = nodes;
  while (pending.length) {
    const rest: OnnxNode[] = [];
    for (const n of pending) {
      if ((n.input ?? []).every((i) => ready.has(i))) {
        out.push(n);
        for (const o of n.output ?? []) ready.add(o);
      } else rest.push(n);
    }
    if (rest.length === pending.length) throw new Error('graph has a cycle or a missing input');
    pending = rest;
  }
  return out;
}

/** The quantised model (a new object; `model` is not changed). */
export function quantizeDynamic(model: OnnxModel): OnnxModel {
  const g = model.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name!, t]));
  const nodes: OnnxNode[] = [];
  const added: OnnxTensor[] = [];
  const acts = new Map<string, [string, string, string]>();
  const weights = new Map<string, [string, string, string]>();
  for (const n of g.node ?? []) {
    const b = n.op_type === 'MatMul' ? n.input![1]! : '';
    if (!b || inits.get(b)?.data_type !== DataType.FLOAT) {
      nodes.push(n);
      continue;
    }
    const [a, out] = [n.input![0]!, n.output![0]!];
    if (!acts.has(a)) {
      acts.set(a, [`${a}_quantized`, `${a}_scale`, `${a}_zero_point`]);
      nodes.push(node('DynamicQuantizeLinear', [a], acts.get(a)!, {}, `${a}_QuantizeLinear`));
    }
    if (!weights.has(b)) {
      const t = inits.get(b)!;
      const { q, scale, zeroPoint } = quantizeWeightUint8(floatsOf(t));
      weights.set(b, [`${b}_quantized`, `${b}_scale`, `${b}_zero_point`]);
      added.push(
        uint8(`${b}_quantized`, t.dims!, q),
        float(`${b}_scale`, scale),
        uint8(`${b}_zero_point`, [], Uint8Array.of(zeroPoint)),
      );
    }
    const [aq, as, az] = acts.get(a)!;
    const [bq, bs, bz] = weights.get(b)!;
    const name = `${n.name}_quant`;
    const mm = `${out}_output_quantized`;
    nodes.push(
      node('MatMulInteger', [aq, bq, az, bz], [mm], {}, name),
      node('Cast', [mm], [`${mm}_cast_output`], { to: DataType.FLOAT }, `${mm}_cast`),
      node('Mul', [as, bs], [`${name}_scales_mul:0`], {}, `${name}_scales_mul`),
      node('Mul', [`${mm}_cast_output`, `${name}_scales_mul:0`], [out], {}, `${name}_output_scale_mul`),
    );
  }
  const used = new Set([...nodes.flatMap((n) => n.input ?? []), ...(g.output ?? []).map((o) => o.name!)]);
  const initializer = [...(g.initializer ?? []), ...added].filter((t) => used.has(t.name!));
  const ready = new Set(['', ...(g.input ?? []).map((i) => i.name!), ...initializer.map((t) => t.name!)]);
  const sorted = stableTopological(nodes, ready);
  const names = new Set([...ready, ...sorted.flatMap((n) => n.output ?? [])]);
  const value_info = (g.value_info ?? []).filter((v) => names.has(v.name!));
  return { ...model, graph: { ...g, node: sorted, initializer, value_info } };
}
