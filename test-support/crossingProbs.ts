/**
 * [Q, C] query-class probabilities whose classes cross: every class weighs the queries about alike (a
 * shared base), each with its own small zero-sum tilt, so class scores differ by a smooth function of
 * the masks that changes sign across the picture (seeded: the boundaries are long on the query golden's
 * masks). Used where the query combine on the GPU is compared with the JavaScript one.
 */
export function crossingProbs(Q: number, C: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const base = Array.from({ length: Q }, () => 0.05 + 0.1 * rnd());
  const p = new Float32Array(Q * C);
  for (let c = 0; c < C; c++) {
    const d = Array.from({ length: Q }, () => rnd() - 0.5);
    const mean = d.reduce((a, b) => a + b, 0) / Q;
    for (let q = 0; q < Q; q++) p[q * C + c] = base[q]! + 0.04 * (d[q]! - mean);
  }
  return p;
}
