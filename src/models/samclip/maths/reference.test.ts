import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stabilityCuts } from './cuts';
import { resizedSize, samFrame } from './frame';
import { candidateReference, upsampleReference } from './reference';
import { goldenPlane, POSTPROCESS } from './postprocessGolden.testing';

const f32 = Math.fround;
const sha256 = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('the reference post-processing against PyTorch (fixtures/sam-postprocess)', () => {
  const planes = new Map(POSTPROCESS.planes.map((k) => [k, goldenPlane(k)]));

  for (const c of POSTPROCESS.cases)
    it(`${c.plane} plane at ${c.width}x${c.height}: the same float32 logits, counts, stability and box`, () => {
      const frame = samFrame(c.height, c.width);
      expect([frame.resized.h, frame.resized.w]).toEqual(c.resized);
      const logits = upsampleReference(frame, planes.get(c.plane)!);
      expect(sha256(logits)).toBe(c.sha256);
      for (const t of POSTPROCESS.thresholds) {
        let n = 0;
        for (const v of logits) if (v > f32(t)) n++;
        expect(n, `> ${t}`).toBe(c.counts[t.toFixed(1)]);
      }
      const ref = candidateReference(frame, planes.get(c.plane)!, stabilityCuts(0, 1));
      if (c.stability === null) expect(ref.stability).toBeNaN();
      else expect(ref.stability).toBe(c.stability);
      expect(ref.box).toEqual(c.box_xyxy);
    });
});

describe('resizedSize (upstream get_preprocess_shape)', () => {
  it('rounds the scaled short side half up', () => {
    expect(resizedSize(240, 320)).toEqual({ h: 768, w: 1024 });
    expect(resizedSize(333, 517)).toEqual({ h: Math.trunc(333 * (1024 / 517) + 0.5), w: 1024 });
    // 3 * 1024 / 1000 = 3.072 -> 3; 1 * 1024 / 2048 = 0.5 -> 1 (int(0.5 + 0.5)).
    expect(resizedSize(1000, 3)).toEqual({ h: 1024, w: 3 });
    expect(resizedSize(2048, 1)).toEqual({ h: 1024, w: 1 });
  });
});
