import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../tools/lib/prng';
import { upsampleLabels } from './labels';
import { queryLabels } from './queryLabels';
import { querySemseg } from './querySemseg';
import { randomMasks, randomProbs } from './queryTestData';

/** Labels equal except where the full computation's two classes are within `eps` (a tie). */
function mismatches(got: Uint16Array, ref: Uint16Array, semseg: Float32Array, P: number, eps = 1e-6) {
  let bad = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] === ref[i]) continue;
    if (!got[i] || !ref[i]) {
      bad++;
      continue;
    }
    // `semseg` is at the score resolution: compare only where the two maps share it.
    if (got.length === P && Math.abs(semseg[(got[i]! - 1) * P + i]! - semseg[(ref[i]! - 1) * P + i]!) < eps)
      continue;
    bad++;
  }
  return bad;
}

describe('queryLabels', () => {
  const cases = [
    { Q: 12, C: 5, h: 9, w: 11, H: 36, W: 44, big: [70, 90] },
    { Q: 20, C: 9, h: 12, w: 16, H: 48, W: 64, big: [120, 160] },
    { Q: 7, C: 4, h: 8, w: 10, H: 21, W: 17, big: [40, 35] },
    { Q: 6, C: 3, h: 10, w: 12, H: 4, W: 5, big: [9, 11] }, // score grid coarser than the masks
  ];
  for (const k of cases)
    it(`gives querySemseg's labels and scores (${k.Q}q ${k.C}c ${k.h}x${k.w} -> ${k.H}x${k.W})`, () => {
      const r = rng(k.Q * 7 + k.W);
      const probs = randomProbs(r, k.Q, k.C);
      const masks = randomMasks(r, k.Q, k.h, k.w);
      const ref = querySemseg({ probs, masks, ...k });
      const P = k.H * k.W;
      for (const neighbours of [false, true]) {
        const got = queryLabels({ probs, masks, ...k }, neighbours);
        expect(mismatches(got.labels, ref.labels, ref.semseg, P)).toBe(0);
        for (let i = 0; i < P; i++) expect(Math.abs(got.scores[i]! - ref.scores[i]!)).toBeLessThan(1e-6);
        expect(got.semseg.length).toBe(neighbours ? k.C * P : 0);
        if (!neighbours) continue;
        // Upsampled labels read only scores the bounded path computed.
        const [BH, BW] = k.big as [number, number];
        for (const t of [0, 0.3]) {
          const a = upsampleLabels(got.labels, got.semseg, k.H, k.W, BH, BW, t);
          const b = upsampleLabels(ref.labels, ref.semseg, k.H, k.W, BH, BW, t);
          expect(mismatches(a, b, ref.semseg, P)).toBe(0);
        }
      }
    });

  it('decides most pixels from the cell bounds when masks are sharp', () => {
    const k = { Q: 10, C: 4, h: 12, w: 16, H: 48, W: 64 };
    const r = rng(5);
    const probs = randomProbs(r, k.Q, k.C);
    const masks = randomMasks(r, k.Q, k.h, k.w).map((v) => v * 4);
    const got = queryLabels({ probs, masks, ...k }, true);
    expect(got.decided).toBeGreaterThan(0.05);
    const ref = querySemseg({ probs, masks, ...k });
    expect(mismatches(got.labels, ref.labels, ref.semseg, k.H * k.W)).toBe(0);
  });
});
