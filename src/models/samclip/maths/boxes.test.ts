import { describe, expect, it } from 'vitest';
import { prng } from '../../../../test-support/prng';
import { boxIou, boxXywh, nms } from './boxes';
import type { BoxXyxy } from './cuts';

describe('boxXywh', () => {
  it('records width and height as x1 - x0 and y1 - y0 (upstream)', () => {
    expect(boxXywh([3, 4, 3, 10])).toEqual([3, 4, 0, 6]);
  });
});

describe('boxIou (torchvision: areas without +1)', () => {
  it('computes intersection over union of the corner boxes', () => {
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBe(Math.fround(50 / 150));
    expect(boxIou([0, 0, 10, 10], [10, 10, 20, 20])).toBe(0);
    // Two one-pixel-wide boxes have area 0: 0 / 0.
    expect(boxIou([4, 0, 4, 9], [4, 0, 4, 9])).toBeNaN();
  });
});

/** Greedy NMS written out from its definition, in double precision, for comparison. */
function naiveNms(boxes: BoxXyxy[], scores: number[], t: number): number[] {
  const left = boxes.map((_, i) => i);
  const keep: number[] = [];
  while (left.length) {
    let best = 0;
    for (let k = 1; k < left.length; k++) if (scores[left[k]!]! > scores[left[best]!]!) best = k;
    const i = left.splice(best, 1)[0]!;
    keep.push(i);
    for (let k = left.length - 1; k >= 0; k--) {
      const a = boxes[i]!;
      const b = boxes[left[k]!]!;
      const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
      const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      const area = (q: BoxXyxy) => (q[2] - q[0]) * (q[3] - q[1]);
      if ((w * h) / (area(a) + area(b) - w * h) > t) left.splice(k, 1);
    }
  }
  return keep;
}

describe('nms (torchvision batched_nms, one category)', () => {
  it('keeps in score order and suppresses overlaps above the threshold only', () => {
    const boxes: BoxXyxy[] = [
      [0, 0, 10, 10],
      [1, 0, 11, 10], // IoU 90 / 110 with box 0
      [0, 0, 10, 7], // IoU 70 / 100 = 0.7 with box 0: not suppressed (strict >)
      [50, 50, 60, 60],
    ];
    expect(nms(boxes, [0.9, 0.95, 0.8, 0.1], 0.7)).toEqual([1, 2, 3]);
    expect(nms(boxes, [0.99, 0.95, 0.8, 0.1], 0.7)).toEqual([0, 2, 3]);
  });

  it('breaks score ties by input order (a stable sort)', () => {
    const boxes: BoxXyxy[] = [
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [0, 0, 10, 10],
    ];
    expect(nms(boxes, [0.5, 0.5, 0.5], 0.7)).toEqual([0]);
    expect(nms([boxes[0]!, [20, 20, 30, 30], boxes[1]!], [0.5, 0.5, 0.5], 0.7)).toEqual([0, 1]);
  });

  it('agrees with greedy NMS written out on random boxes', () => {
    const r = prng(4);
    for (let trial = 0; trial < 50; trial++) {
      const boxes: BoxXyxy[] = Array.from({ length: 40 }, () => {
        const x = Math.floor(r() * 100);
        const y = Math.floor(r() * 100);
        return [x, y, x + 1 + Math.floor(r() * 60), y + 1 + Math.floor(r() * 60)];
      });
      const scores = boxes.map(() => Math.fround(r()));
      expect(nms(boxes, scores, 0.5)).toEqual(naiveNms(boxes, scores, 0.5));
    }
  });
});
