import { afterAll, describe, expect, it } from 'vitest';
import { classProbs } from '../../gkc/classProbs';
import { patchClassLogits } from '../../gkc/patchLogits';
import { densePatchLabels, maskEmbeddings, pixelToPatch, semanticMap } from './naming';
import { SAM_TINY, samArray, textRows } from './samTiny.testing';

/*
 * On fixtures/sam-tiny (naming_reference.py, float64): mask embeddings of the 12 AMG masks from the
 * dense CLIP patches, class probabilities by GKC's classProbs, label maps with and without the
 * dense-CLIP fill, for both vocabularies.
 */
const { height: H, width: W } = SAM_TINY.image;
const G = 14;
const D = 16;
const K = 12;
const report: string[] = [];
afterAll(() => console.log(`naming on sam-tiny:\n  ${report.join('\n  ')}`));

const agreement = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
};
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('pixelToPatch', () => {
  it('puts pixel centres in patches: row floor((y + 0.5) * gh / H)', () => {
    const a = pixelToPatch(240, 320, 14, 14);
    // y = 16: 16.5 * 14 / 240 = 0.96 -> row 0; y = 17: 1.02 -> row 1; x = 22: 22.5 * 14 / 320 = 0.98 -> column 0.
    expect([a[16 * 320]!, a[17 * 320]!, a[22]!, a[23]!, a[239 * 320 + 319]!]).toEqual([0, 14, 0, 1, 195]);
  });
});

describe('naming the AMG masks (sam-tiny)', () => {
  const masks = Array.from({ length: K }, (_, k) =>
    samArray('amg_masks', 'uint8').subarray(k * H * W, (k + 1) * H * W),
  );
  const patches = samArray('patch_embeds', 'float32');
  const embeds = maskEmbeddings(masks, H, W, patches, G, G);

  // Upstream's XYWH boxes of the masks (inclusive corners, width x1 - x0) as XYXY.
  const xywh = samArray('amg_boxes', 'int32');
  const boxes = masks.map((_, k): [number, number, number, number] => {
    const [x, y, w, h] = xywh.subarray(4 * k, 4 * k + 4);
    return [x!, y!, x! + w!, y! + h!];
  });

  it('embeds each mask as the reference does, reading only inside the boxes when given them', () => {
    const d = maxAbs(embeds, samArray('mask_embeds', 'float32'));
    report.push(`mask embeddings max abs diff ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-6);
    expect(maskEmbeddings(masks, H, W, patches, G, G, boxes)).toEqual(embeds);
  });

  for (const which of ['vocabulary', 'vocabulary_b'] as const) {
    const v = SAM_TINY.naming[which];
    const pre = v.arrays_prefix;
    const [tZero, tHigh] = Object.entries(v.thresholds).sort((a, b) => a[1] - b[1]);
    it(`${which}: class probabilities, label maps at ${tZero![1]} and ${tHigh![1]}, the fill and the scores`, () => {
      const names = textRows(v.names.map((n) => n.clip_text_tiny_row));
      const nameToClass = v.names.map((n) => n.class);
      const C = v.classes.length;
      const scale = SAM_TINY.naming.logit_scale;
      const probs = classProbs({
        queryEmbeds: embeds,
        nameEmbeds: names,
        nameToClass,
        numClasses: C,
        dim: D,
        logitScale: scale,
        voidEmbedding: null,
      });
      expect(maxAbs(probs, samArray(`${pre}class_probs`, 'float32'))).toBeLessThan(1e-5);

      const dense = densePatchLabels(patchClassLogits(patches, names, nameToClass, C, D, scale), C);
      expect(Array.from(dense.labels)).toEqual(Array.from(samArray(`${pre}dense_patch_labels`, 'uint16')));

      const plain = semanticMap(masks, probs, C, H, W, tZero![1]);
      const high = semanticMap(masks, probs, C, H, W, tHigh![1]);
      const filled = semanticMap(masks, probs, C, H, W, 0, { labels: dense.labels, gh: G, gw: G });
      expect(semanticMap(masks, probs, C, H, W, 0, { labels: dense.labels, gh: G, gw: G }, boxes)).toEqual(
        filled,
      );
      const rows: [string, number][] = [
        [tZero![0], agreement(plain.labels, samArray(tZero![0], 'uint16'))],
        [tHigh![0], agreement(high.labels, samArray(tHigh![0], 'uint16'))],
        [`${pre}label_map_fill`, agreement(filled.labels, samArray(`${pre}label_map_fill`, 'uint16'))],
      ];
      const scoreDiff = maxAbs(plain.scores, samArray(`${pre}best_score`, 'float32'));
      report.push(
        `${which}: ${rows.map(([n, a]) => `${n} ${(a * 100).toFixed(3)} %`).join(', ')}; best score max abs diff ${scoreDiff.toExponential(2)}`,
      );
      for (const [n, a] of rows) expect(a, n).toBeGreaterThanOrEqual(0.999);
      expect(scoreDiff).toBeLessThan(1e-5);
      // Counts are the label histogram (golden.json label_counts).
      const counts = (SAM_TINY.naming[which] as unknown as { label_counts: Record<string, number[]> })
        .label_counts;
      expect(Array.from(plain.counts)).toEqual(counts[tZero![0]]);
      expect(Array.from(filled.counts)).toEqual(counts[`${pre}label_map_fill`]);
    });
  }
});

describe('semanticMap on hand-made masks', () => {
  // 1 x 4 picture; mask 0 covers pixels 0-1, mask 1 pixels 1-2; pixel 3 is uncovered.
  const masks = [Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([0, 1, 1, 0])];
  const probs = Float32Array.from([0.25, 0.75, 0.75, 0.25]);

  it('sums the covering masks, takes the first maximum, and leaves uncovered pixels 0', () => {
    const m = semanticMap(masks, probs, 2, 1, 4, 0);
    // pixel 1: 0.25 + 0.75 = 1 for both classes: the first wins.
    expect(Array.from(m.labels)).toEqual([2, 1, 1, 0]);
    expect(Array.from(m.scores)).toEqual([0.75, 1, 0.75, 0]);
    expect(Array.from(m.counts)).toEqual([1, 2, 1]);
  });

  it('unlabels pixels under the threshold and fills uncovered ones from their patch', () => {
    expect(Array.from(semanticMap(masks, probs, 2, 1, 4, 0.8).labels)).toEqual([0, 1, 0, 0]);
    const fill = { labels: Uint16Array.from([2, 1]), gh: 1, gw: 2 };
    expect(Array.from(semanticMap(masks, probs, 2, 1, 4, 0.8, fill).labels)).toEqual([0, 1, 0, 1]);
  });
});
