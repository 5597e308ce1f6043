/** Row-wise vector maths on typed arrays: L2 normalisation, template ensembles, the logistic function. */

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

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Applies the logistic function to every value (in place). */
export function sigmoidInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = sigmoid(a[i]!);
  return a;
}
