/**
 * A plain-arithmetic (float64) ClearCLIP last block, for checking the surgered ONNX graphs by a
 * different route: from the residual stream before the last layer and the weights, computes
 * LN1 -> q = x Wq + bq, v = x Wv + bv -> per head softmax(q qᵀ / sqrt(d)) v -> out proj -> post-LN
 * -> projection -> drop the class token -> L2-normalise. Used by tests; pure TypeScript.
 */

export interface ClearClipWeights {
  ln1: { gamma: ArrayLike<number>; beta: ArrayLike<number>; eps: number };
  /** [C, C] row-major (input x output), as ONNX MatMul weights are stored. */
  wq: ArrayLike<number>;
  bq: ArrayLike<number>;
  wv: ArrayLike<number>;
  bv: ArrayLike<number>;
  wo: ArrayLike<number>;
  bo: ArrayLike<number>;
  post: { gamma: ArrayLike<number>; beta: ArrayLike<number>; eps: number };
  /** [C, P] row-major. */
  proj: ArrayLike<number>;
  heads: number;
  /**
   * Emulate a `_quantized` export: activations entering each weight MatMul go through ONNX
   * DynamicQuantizeLinear (uint8, one scale per tensor) and back, as MatMulInteger sees them.
   */
  dynamicQuant?: boolean;
}

/** Round half to even, as ONNX QuantizeLinear (std::nearbyint). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ONNX DynamicQuantizeLinear then dequantisation (float32 scale), over the whole tensor. */
function fakeQuantize(x: Float64Array): Float64Array {
  let lo = 0;
  let hi = 0;
  for (const v of x) {
    const f = Math.fround(v);
    lo = Math.min(lo, f);
    hi = Math.max(hi, f);
  }
  const scale = Math.fround((hi - lo) / 255);
  if (scale === 0) return Float64Array.from(x);
  const zp = Math.min(255, Math.max(0, roundEven(-lo / scale)));
  return x.map((v) => (Math.min(255, Math.max(0, roundEven(Math.fround(v) / scale) + zp)) - zp) * scale);
}

function layerNorm(
  x: Float64Array,
  C: number,
  p: { gamma: ArrayLike<number>; beta: ArrayLike<number>; eps: number },
) {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let m = 0;
    for (let i = 0; i < C; i++) m += x[r * C + i]!;
    m /= C;
    let v = 0;
    for (let i = 0; i < C; i++) v += (x[r * C + i]! - m) ** 2;
    const inv = 1 / Math.sqrt(v / C + p.eps);
    for (let i = 0; i < C; i++) out[r * C + i] = (x[r * C + i]! - m) * inv * p.gamma[i]! + p.beta[i]!;
  }
  return out;
}

function linear(
  x: Float64Array,
  N: number,
  C: number,
  w: ArrayLike<number>,
  P: number,
  b?: ArrayLike<number>,
) {
  const out = new Float64Array(N * P);
  for (let r = 0; r < N; r++)
    for (let o = 0; o < P; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < C; i++) s += x[r * C + i]! * w[i * P + o]!;
      out[r * P + o] = s;
    }
  return out;
}

/**
 * hidden: [N, C] tokens of one image (class token first) -> [(N - 1), P] normalised embeddings.
 * `wk`: use keys x Wk (no bias) instead of the queries on the key side (ordinary attention; for tests
 * that show the checks tell the two apart).
 */
export function clearClipBlock(
  hidden: ArrayLike<number>,
  N: number,
  C: number,
  w: ClearClipWeights,
  wk?: ArrayLike<number>,
): Float64Array {
  const P = w.proj.length / C;
  const fq = (t: Float64Array) => (w.dynamicQuant ? fakeQuantize(t) : t);
  const x = fq(layerNorm(Float64Array.from(hidden), C, w.ln1));
  const q = linear(x, N, C, w.wq, C, w.bq);
  const v = linear(x, N, C, w.wv, C, w.bv);
  const k = wk ? linear(x, N, C, wk, C) : q;
  const d = C / w.heads;
  const att = new Float64Array(N * C);
  const row = new Float64Array(N);
  for (let h = 0; h < w.heads; h++)
    for (let i = 0; i < N; i++) {
      let m = -Infinity;
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[i * C + h * d + c]! * k[j * C + h * d + c]!;
        row[j] = s / Math.sqrt(d);
        m = Math.max(m, row[j]!);
      }
      let z = 0;
      for (let j = 0; j < N; j++) z += row[j] = Math.exp(row[j]! - m);
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let j = 0; j < N; j++) s += row[j]! * v[j * C + h * d + c]!;
        att[i * C + h * d + c] = s / z;
      }
    }
  // The post-LN output is quantised over all tokens (class token included), as the surgered graph does.
  const o = fq(layerNorm(linear(fq(att), N, C, w.wo, C, w.bo), C, w.post));
  const e = linear(o.subarray(C), N - 1, C, w.proj, P);
  for (let r = 0; r < N - 1; r++) {
    let s = 0;
    for (let i = 0; i < P; i++) s += e[r * P + i]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < P; i++) e[r * P + i]! *= inv;
  }
  return e;
}
