/**
 * GKC's semantic inference, as pure typed-array maths (no ORT, no DOM):
 * cosine logits -> max over a class's names (before softmax) -> softmax with void -> einsum with masks.
 */

/** L2-normalises each row of a [rows, dim] matrix in place; `eps` is added to the norm (GKC: 1e-7). */
export function normalizeRows(m: Float32Array, dim: number, eps = 0, minNorm = 1e-12): Float32Array {
  for (let r = 0; r < m.length / dim; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += m[r * dim + i]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s) + eps, minNorm);
    for (let i = 0; i < dim; i++) m[r * dim + i]! *= inv;
  }
  return m;
}

/** Averages the normalised embeddings of several templates into one normalised row per name. */
export function ensembleTemplates(embeds: Float32Array, dim: number, templates: number): Float32Array {
  const names = embeds.length / dim / templates;
  const out = new Float32Array(names * dim);
  normalizeRows(embeds, dim);
  for (let n = 0; n < names; n++)
    for (let t = 0; t < templates; t++)
      for (let i = 0; i < dim; i++) out[n * dim + i]! += embeds[(n * templates + t) * dim + i]! / templates;
  return normalizeRows(out, dim);
}

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

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Applies the logistic function to every value (in place). */
export function sigmoidInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = sigmoid(a[i]!);
  return a;
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

/**
 * Per-pixel argmax over [C, P] scores. Label k+1 for class k; 0 where the best score is under
 * `threshold` (unlabelled). Returns labels and the best score per pixel.
 */
export function argmaxLabels(
  semseg: Float32Array,
  C: number,
  P: number,
  threshold: number,
): { labels: Uint16Array; scores: Float32Array } {
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P).fill(-Infinity);
  for (let c = 0; c < C; c++) {
    const b = c * P;
    for (let i = 0; i < P; i++) {
      const s = semseg[b + i]!;
      if (s > scores[i]!) {
        scores[i] = s;
        labels[i] = c + 1;
      }
    }
  }
  if (threshold > 0) for (let i = 0; i < P; i++) if (scores[i]! < threshold) labels[i] = 0;
  return { labels, scores };
}
