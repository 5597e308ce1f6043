/**
 * onnxruntime's weight quantisation for dynamic int8 (quantize_data with UINT8, symmetric=False,
 * reduce_range=False, per tensor), and the small tensor and sorting helpers of the graph rewrite
 * (quantizeDynamic.ts).
 */
import { DataType, type OnnxNode, type OnnxTensor } from '../../src/models/onnx/onnxProto';

const F32_TINY = 1.1754943508222875e-38;

/** numpy's round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

export const floatsOf = (t: OnnxTensor): Float32Array => {
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

/** A [rows, cols] float matrix transposed (Gemm's transB folded into the weight). */
export function transposed(t: OnnxTensor): OnnxTensor {
  const [r, c] = t.dims!.map(Number) as [number, number];
  const w = floatsOf(t);
  const out = new Float32Array(w.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = w[i * c + j]!;
  return { name: t.name, dims: [c, r], data_type: DataType.FLOAT, raw_data: new Uint8Array(out.buffer) };
}

export const uint8 = (name: string, dims: number[], data: Uint8Array): OnnxTensor => ({
  name,
  dims,
  data_type: DataType.UINT8,
  raw_data: data,
});
export const float = (name: string, value: number): OnnxTensor => ({
  name,
  dims: [],
  data_type: DataType.FLOAT,
  raw_data: new Uint8Array(Float32Array.of(value).buffer),
});
export const int64s = (name: string, values: number[]): OnnxTensor => ({
  name,
  dims: [values.length],
  data_type: DataType.INT64,
  raw_data: new Uint8Array(BigInt64Array.from(values, BigInt).buffer),
});

/** Stable Kahn sort: a node keeps its place unless one of its inputs is made later. */
export function stableTopological(nodes: OnnxNode[], ready: Set<string>): OnnxNode[] {
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
