/**
 * PyTorch `interpolate(mode='bicubic', align_corners=False)` of a token grid: `src` is [h0*w0, D]
 * (row-major tokens), the result [h*w, D]. Cubic convolution with a = -0.75, borders clamped.
 */
export function resizeGridBicubic(
  src: Float32Array,
  D: number,
  h0: number,
  w0: number,
  h: number,
  w: number,
) {
  if (src.length !== h0 * w0 * D)
    throw new Error(`resizeGridBicubic: ${src.length} values are not ${h0}x${w0}x${D}`);
  const A = -0.75;
  const cubic = (t: number): [number, number, number, number] => {
    const c1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
    const c2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)];
  };
  const taps = (n0: number, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const real = (n0 / n) * (i + 0.5) - 0.5;
      const f = Math.floor(real);
      const idx = [f - 1, f, f + 1, f + 2].map((k) => Math.min(Math.max(k, 0), n0 - 1));
      return { idx, wt: cubic(real - f) };
    });
  const ty = taps(h0, h);
  const tx = taps(w0, w);
  const out = new Float32Array(h * w * D);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * D;
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 4; b++) {
          const wgt = ty[y]!.wt[a]! * tx[x]!.wt[b]!;
          const s = (ty[y]!.idx[a]! * w0 + tx[x]!.idx[b]!) * D;
          for (let d = 0; d < D; d++) out[o + d]! += wgt * src[s + d]!;
        }
    }
  return out;
}
