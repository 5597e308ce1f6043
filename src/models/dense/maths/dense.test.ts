import { describe, expect, it } from 'vitest';
import { averageRows, classLogits, denseLabels, logitOf } from './dense';
import { upsamplePlanes } from '../../../processing/resize';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

describe('classLogits', () => {
  it('takes the max over a class rows; a class with no row gets -Infinity (score 0)', () => {
    // 3 rows, 2 pixels; rows 0 and 2 are class 0, row 1 is class 1, class 2 has no row.
    const logits = Float32Array.from([0, -1, 2, 3, 1, -4]);
    expect(Array.from(classLogits(logits, [0, 1, 0], 3, 2))).toEqual([1, -1, 2, 3, -Infinity, -Infinity]);
  });

  it('rejects a row without a class and a size mismatch', () => {
    expect(() => classLogits(new Float32Array(4), [0, 2], 2, 2)).toThrow(/no class 2/);
    expect(() => classLogits(new Float32Array(5), [0, 1], 2, 2)).toThrow(/not 2 rows/);
  });
});

describe('denseLabels', () => {
  it('labels k + 1 for class k by argmax, 0 under the threshold, as uint16', () => {
    // 2 classes over a 1x3 image: pixel 0 class 0 wins (0.88), pixel 1 class 1 (0.73), pixel 2 both low.
    const logits = Float32Array.from([2, -3, -2, -1, 1, -2.5]);
    const opts = { rowToClass: [0, 1], numClasses: 2, h: 1, w: 3, width: 3, height: 1 };
    const r = denseLabels(logits, { ...opts, threshold: 0 });
    expect(r.labels).toBeInstanceOf(Uint16Array);
    expect(Array.from(r.labels)).toEqual([1, 2, 1]);
    expect(r.scores[1]).toBeCloseTo(sig(1), 6);
    expect(Array.from(r.counts)).toEqual([0, 2, 1]);
    const t = denseLabels(logits, { ...opts, threshold: 0.5 });
    expect(Array.from(t.labels)).toEqual([1, 2, 0]);
    expect(Array.from(t.counts)).toEqual([1, 1, 1]);
    expect(t.semseg[0]).toBeCloseTo(sig(2), 6);
  });

  it('keeps the right winner where float32 sigmoid saturates (logits far above 17)', () => {
    const logits = Float32Array.from([300, 310]);
    expect(Math.fround(sig(300))).toBe(Math.fround(sig(310)));
    const r = denseLabels(logits, {
      rowToClass: [0, 1],
      numClasses: 2,
      h: 1,
      w: 1,
      width: 1,
      height: 1,
      threshold: 0.5,
    });
    expect(Array.from(r.labels)).toEqual([2]);
  });

  it('max over names: a class wins where any of its names does', () => {
    // rows: class 0 "a", class 1 "b", class 0 "c"; pixel 0: "c" is best, pixel 1: "b".
    const logits = Float32Array.from([0, 0, 1, 2, 3, -1]);
    const r = denseLabels(logits, {
      rowToClass: [0, 1, 0],
      numClasses: 2,
      h: 1,
      w: 2,
      width: 2,
      height: 1,
      threshold: 0,
    });
    expect(Array.from(r.labels)).toEqual([1, 2]);
  });

  it('maps the labels to the image size by interpolating the winning classes', () => {
    // 2x2 logits, class 0 on the left column, class 1 on the right; upsampled to 4x4 -> halves.
    const l0 = [5, -5, 5, -5];
    const l1 = [-5, 5, -5, 5];
    const r = denseLabels(Float32Array.from([...l0, ...l1]), {
      rowToClass: [0, 1],
      numClasses: 2,
      h: 2,
      w: 2,
      width: 4,
      height: 4,
      threshold: 0,
    });
    expect(r.labels.length).toBe(16);
    expect(Array.from(r.labels)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
    expect([r.scoreWidth, r.scoreHeight]).toEqual([2, 2]);
    // Downsampling to one pixel row of 2, with a threshold all pass.
    const d = denseLabels(Float32Array.from([...l0, ...l1]), {
      rowToClass: [0, 1],
      numClasses: 2,
      h: 2,
      w: 2,
      width: 2,
      height: 1,
      threshold: 0.9,
    });
    expect(Array.from(d.labels)).toEqual([1, 2]);
  });

  it('matches upsampling every class then argmax on smooth maps', () => {
    const C = 4,
      h = 24,
      w = 32,
      H = 75,
      W = 101;
    const logits = new Float32Array(C * h * w);
    for (let c = 0; c < C; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          logits[(c * h + y) * w + x] =
            4 * Math.sin(0.21 * x * (c + 1) + 0.13 * y + c) + Math.cos(0.17 * y * (c + 2));
    const r = denseLabels(logits, {
      rowToClass: [0, 1, 2, 3],
      numClasses: C,
      h,
      w,
      width: W,
      height: H,
      threshold: 0,
    });
    const up = upsamplePlanes(logits, C, h, w, H, W);
    let same = 0;
    for (let p = 0; p < H * W; p++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (up[c * H * W + p]! > up[best * H * W + p]!) best = c;
      if (r.labels[p] === best + 1) same++;
    }
    expect(same / (H * W)).toBeGreaterThan(0.995);
  });

  it('applies the threshold to the interpolated score', () => {
    // One class, logits 4 and -4 on a 1x2 grid; at 1x4 the inner pixels interpolate to +-2 and the
    // outer ones keep +-4: with a threshold of 0.5 the left half is labelled.
    const r = denseLabels(Float32Array.from([4, -4]), {
      rowToClass: [0],
      numClasses: 1,
      h: 1,
      w: 2,
      width: 4,
      height: 1,
      threshold: 0.5,
    });
    expect(Array.from(r.labels)).toEqual([1, 1, 0, 0]);
  });

  it('logitOf inverts the sigmoid and saturates at 0 and 1', () => {
    expect(sig(logitOf(0.3))).toBeCloseTo(0.3, 12);
    expect(logitOf(0)).toBe(-Infinity);
    expect(logitOf(1)).toBe(Infinity);
  });
});

describe('averageRows', () => {
  it('returns a single row unchanged', () => {
    const row = Float32Array.from([3, 4, 0]);
    expect(Array.from(averageRows(row, 3, [0], 1))).toEqual([3, 4, 0]);
  });

  it('averages normalised rows and scales to the mean norm', () => {
    // Rows of norms 2 and 6 along x and y: unit mean (0.5, 0.5) -> direction (1, 1)/sqrt(2), norm 4.
    const rows = Float32Array.from([2, 0, 0, 6, 1, 1]);
    const out = averageRows(rows, 2, [0, 0, 1], 3);
    expect(out[0]).toBeCloseTo(4 / Math.SQRT2, 5);
    expect(out[1]).toBeCloseTo(4 / Math.SQRT2, 5);
    expect(Array.from(out.subarray(2, 4))).toEqual([1, 1]);
    expect(Array.from(out.subarray(4))).toEqual([0, 0]); // group 2 has no row
  });

  it('is the same for any magnitude of the members (direction from normalised rows)', () => {
    const a = averageRows(Float32Array.from([1, 0, 0, 1]), 2, [0, 0], 1);
    const b = averageRows(Float32Array.from([10, 0, 0, 0.1]), 2, [0, 0], 1);
    expect(b[0]! / b[1]!).toBeCloseTo(a[0]! / a[1]!, 5);
  });

  it('gives a zero row for rows that cancel out or are zero, and checks sizes', () => {
    expect(Array.from(averageRows(Float32Array.from([1, 0, -1, 0]), 2, [0, 0], 1))).toEqual([0, 0]);
    expect(Array.from(averageRows(new Float32Array(2), 2, [0], 1))).toEqual([0, 0]);
    expect(() => averageRows(new Float32Array(3), 2, [0], 1)).toThrow();
    expect(() => averageRows(new Float32Array(2), 2, [1], 1)).toThrow(/no group/);
  });
});
