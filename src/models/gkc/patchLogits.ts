/**
 * Dense scoring of embeddings against names (ClearCLIP's, and GKC's cosine): per position, class
 * logit = scale x cosine(embedding, name), max over a class's names.
 */

/**
 * [C, N] class logits from L2-normalised patch embeddings [N, D] and normalised name embeddings
 * [R, D] (row r names class rowToClass[r]): scale x cosine, max over each class's names.
 */
export function patchClassLogits(
  patches: Float32Array,
  names: Float32Array,
  rowToClass: ArrayLike<number>,
  numClasses: number,
  dim: number,
  scale: number,
): Float32Array {
  const N = patches.length / dim;
  const R = rowToClass.length;
  if (!Number.isInteger(N) || names.length !== R * dim)
    throw new Error(
      `patchClassLogits: ${patches.length} / ${names.length} values do not fit dim ${dim}, ${R} names`,
    );
  const out = new Float32Array(numClasses * N).fill(-Infinity);
  for (let r = 0; r < R; r++) {
    const c = rowToClass[r]!;
    if (!(c >= 0 && c < numClasses)) throw new Error(`patchClassLogits: name ${r} has no class ${c}`);
    for (let p = 0; p < N; p++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += patches[p * dim + i]! * names[r * dim + i]!;
      s *= scale;
      if (s > out[c * N + p]!) out[c * N + p] = s;
    }
  }
  return out;
}
