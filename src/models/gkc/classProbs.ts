/**
 * GKC's semantic inference, as pure typed-array maths (no ORT, no DOM): cosine logits -> max over a
 * class's names (before softmax) -> softmax with void -> einsum with masks.
 */
import { normalizeRows } from '../../processing/vectors';

export interface ClassProbsInput {
  /** [Q, D] query embeddings (raw; normalised here). */
  queryEmbeds: Float32Array;
  /** [N, D] name embeddings, already L2-normalised (zero rows mean "unknown to the model"). */
  nameEmbeds: Float32Array;
  /** Class index of each name. */
  nameToClass: ArrayLike<number>;
  numClasses: number;
  dim: number;
  logitScale: number;
  /** [D] learned "no object" embedding (normalised here), or null for no void column. */
  voidEmbedding: Float32Array | null;
}

/** Returns p(q, c) as a [Q, C] matrix: softmax over classes (+ void, dropped afterwards). */
export function classProbs(inp: ClassProbsInput): Float32Array {
  const { dim, numClasses: C } = inp;
  const Q = inp.queryEmbeds.length / dim;
  const q = normalizeRows(Float32Array.from(inp.queryEmbeds), dim, 1e-7);
  const v = inp.voidEmbedding ? normalizeRows(Float32Array.from(inp.voidEmbedding), dim) : null;
  const cols = C + (v ? 1 : 0);
  const out = new Float32Array(Q * C);
  const row = new Float64Array(cols);
  for (let qi = 0; qi < Q; qi++) {
    row.fill(-Infinity);
    const qb = qi * dim;
    for (let n = 0; n < inp.nameToClass.length; n++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += q[qb + i]! * inp.nameEmbeds[n * dim + i]!;
      const c = inp.nameToClass[n]!;
      row[c] = Math.max(row[c]!, inp.logitScale * dot);
    }
    if (v) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += q[qb + i]! * v[i]!;
      row[C] = inp.logitScale * dot;
    }
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, row[c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += row[c] = Math.exp(row[c]! - mx);
    for (let c = 0; c < C; c++) out[qi * C + c] = row[c]! / sum;
  }
  return out;
}

/**
 * semseg[c, p] = sum_q probs[q, c] * masks[q, p] (masks already sigmoid): einsum('qc,qhw->chw').
 * Near-zero probabilities are skipped: their share is below 1e-7 per query.
 */
export function einsumQC(
  probs: Float32Array,
  masks: Float32Array,
  Q: number,
  C: number,
  P: number,
): Float32Array {
  const out = new Float32Array(C * P);
  for (let q = 0; q < Q; q++) {
    const mb = q * P;
    for (let c = 0; c < C; c++) {
      const p = probs[q * C + c]!;
      if (p < 1e-7) continue;
      const ob = c * P;
      for (let i = 0; i < P; i++) out[ob + i]! += p * masks[mb + i]!;
    }
  }
  return out;
}
