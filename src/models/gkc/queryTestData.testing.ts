/** Random GKC inputs for the unit tests of the query maths (seeded: see test-support/prng). */

/** Random [Q, C] probabilities: rows from a softmax of sharp logits, some queries all but void. */
export function randomProbs(r: () => number, Q: number, C: number): Float32Array {
  const out = new Float32Array(Q * C);
  for (let q = 0; q < Q; q++) {
    if (r() < 0.2) continue; // void took this query: every class under the cut-off
    const l = Array.from({ length: C + 1 }, () => r() * 30);
    const m = Math.max(...l);
    const e = l.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < C; c++) out[q * C + c] = e[c]! / s;
  }
  return out;
}

/** Random mask logits: smooth blobs, in the range real models give (saturating at times). */
export function randomMasks(r: () => number, Q: number, h: number, w: number): Float32Array {
  const out = new Float32Array(Q * h * w);
  for (let q = 0; q < Q; q++) {
    const cx = r() * w,
      cy = r() * h,
      s = 1 + r() * w,
      amp = 5 + r() * 30;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        out[(q * h + y) * w + x] =
          amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (s * s)) - amp / 2 + (r() - 0.5);
  }
  return out;
}
