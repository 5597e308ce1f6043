import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../../test-support/prng';
import { argmaxLabels } from '../../processing/argmax';
import { sigmoidInPlace } from '../../processing/vectors';
import { classProbs, einsumQC } from './classProbs';
import { randomMasks } from './queryTestData.testing';
import { upsamplePlanes } from '../../processing/resize';
import { upsampleLabels } from '../../processing/labels';
import { combine, scoreQueries, type CombineOptions, type QueryOutputs } from './combine';

/** A small query model's outputs and a vocabulary of C classes (2 names for class 0). */
function inputs(seed: number, C: number) {
  const r = rng(seed);
  const Q = 9,
    D = 6,
    h = 6,
    w = 8;
  const out: QueryOutputs = {
    masks: randomMasks(r, Q, h, w),
    embeds: Float32Array.from({ length: Q * D }, () => r() * 2 - 1),
    Q,
    h,
    w,
    D,
    inputWidth: 32,
    inputHeight: 24,
  };
  const names = C + 1;
  const nameEmbeds = Float32Array.from({ length: names * D }, () => r() * 2 - 1);
  for (let n = 0; n < names; n++) {
    const row = nameEmbeds.subarray(n * D, (n + 1) * D);
    const norm = Math.hypot(...row);
    row.forEach((v, i) => (row[i] = v / norm));
  }
  const o: CombineOptions = {
    nameEmbeds,
    nameToClass: Int32Array.from([0, ...Array.from({ length: C }, (_, i) => i)]),
    numClasses: C,
    logitScale: 20,
    voidEmbedding: Float32Array.from({ length: D }, () => r() * 2 - 1),
    threshold: 0,
    width: 32,
    height: 24,
  };
  return { out, o };
}

describe('combine', () => {
  it('labels pixels as upsample -> sigmoid -> einsum -> argmax -> threshold does', () => {
    const { out, o } = inputs(3, 4);
    const probs = classProbs({ ...o, queryEmbeds: out.embeds, dim: out.D });
    const sig = sigmoidInPlace(upsamplePlanes(out.masks, out.Q, out.h, out.w, 24, 32));
    const semseg = einsumQC(probs, sig, out.Q, 4, 24 * 32);
    for (const threshold of [0, 0.4, 0.7]) {
      const ref = argmaxLabels(semseg, 4, 24 * 32, threshold);
      const got = combine(out, { ...o, threshold });
      let differ = 0;
      for (let i = 0; i < ref.labels.length; i++) if (got.labels[i] !== ref.labels[i]) differ++;
      expect(differ).toBe(0);
      expect(Array.from(got.counts).reduce((a, b) => a + b, 0)).toBe(24 * 32);
    }
  });

  it('gives the same result from reused scores, and leaves them as they were', () => {
    const { out, o } = inputs(8, 5);
    for (const size of [
      { width: 32, height: 24 },
      { width: 64, height: 40 }, // labels upsampled to the image size
    ]) {
      const scored = scoreQueries(out, { ...o, ...size });
      const labelsBefore = scored.raw.labels.slice();
      const scoresBefore = scored.raw.scores.slice();
      for (const threshold of [0.6, 0, 0.3]) {
        const fresh = combine(out, { ...o, ...size, threshold });
        const reused = combine(out, { ...o, ...size, threshold }, scored);
        expect(reused.labels).toEqual(fresh.labels);
        expect(reused.counts).toEqual(fresh.counts);
        expect(reused.scores).toEqual(fresh.scores);
        expect(reused.scores.buffer).not.toBe(scored.raw.scores.buffer);
      }
      expect(scored.raw.labels).toEqual(labelsBefore);
      expect(scored.raw.scores).toEqual(scoresBefore);
    }
  });

  it('upsamples labels to a larger image as upsampleLabels does from the class scores alone', () => {
    const { out, o } = inputs(11, 5);
    const size = { width: 77, height: 53 };
    const scored = scoreQueries(out, { ...o, ...size });
    const { raw, sw, sh } = scored;
    // Thresholds below, inside and above the range of scores: the shortcut from the best scores
    // (neighbours that agree) must decide exactly as interpolating the class's scores does.
    let min = Infinity,
      max = -Infinity;
    for (const s of raw.scores) [min, max] = [Math.min(min, s), Math.max(max, s)];
    for (const threshold of [0, min, (min + max) / 3, (min + max) / 2, max, max + 1]) {
      const ref = upsampleLabels(raw.labels, raw.semseg, sh, sw, size.height, size.width, threshold);
      const got = combine(out, { ...o, ...size, threshold }, scored);
      expect(got.labels).toEqual(ref);
    }
  });
});
