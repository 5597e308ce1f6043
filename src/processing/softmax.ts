/** Softmax over classes of [C, P] logits, in place. */
export function softmaxClasses(x: Float32Array, C: number): Float32Array {
  const P = x.length / C;
  for (let p = 0; p < P; p++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[c * P + p]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += x[c * P + p] = Math.exp(x[c * P + p]! - m);
    for (let c = 0; c < C; c++) x[c * P + p]! /= s;
  }
  return x;
}
