import { describe, expect, it } from 'vitest';
import {
  cropChw,
  labelsFromLogits,
  shortSideSize,
  singlePassGrid,
  slidingWindows,
  WindowAverager,
} from './windows';

describe('resolution helpers', () => {
  it('resizes to a short side of 448 and rounds a single-pass grid to whole patches', () => {
    expect(shortSideSize(320, 240)).toEqual({ width: 597, height: 448 });
    expect(shortSideSize(100, 50, 100)).toEqual({ width: 448, height: 224 }); // at least one window
    expect(shortSideSize(320, 240, 448, 224, 16)).toEqual({ width: 592, height: 448 }); // whole patches
    expect(singlePassGrid(320, 240, 16)).toEqual({ h: 28, w: 37 });
  });
  it('covers the image with 224 windows every 112 pixels, the last ones flush with the edge', () => {
    const w = slidingWindows(448, 597);
    const ys = [...new Set(w.map((p) => p.y))];
    const xs = [...new Set(w.map((p) => p.x))];
    expect(ys).toEqual([0, 112, 224]);
    expect(xs).toEqual([0, 112, 224, 336, 373]);
    expect(w).toHaveLength(15);
    expect(slidingWindows(224, 224)).toEqual([{ y: 0, x: 0 }]);
    expect(() => slidingWindows(200, 300)).toThrow(/smaller than a 224 window/);
  });
  it('crops CHW planes', () => {
    const src = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i); // C=2, H=3, W=4
    expect(Array.from(cropChw(src, 2, 3, 4, 1, 2, 2, 2))).toEqual([6, 7, 10, 11, 18, 19, 22, 23]);
  });
});

describe('WindowAverager', () => {
  it('averages overlapping windows and upsamples each window bilinearly', () => {
    const avg = new WindowAverager(1, 4, 6);
    avg.add(Float32Array.of(1, 1, 1, 1), 2, 2, 0, 0, 4); // constant 1 on columns 0-3
    avg.add(Float32Array.of(3, 3, 3, 3), 2, 2, 0, 2, 4); // constant 3 on columns 2-5
    const r = avg.result();
    expect(Array.from(r.subarray(0, 6))).toEqual([1, 1, 2, 2, 3, 3]);
  });
  it('averages on a canvas of cells: window logits at cell resolution add as they are', () => {
    const avg = new WindowAverager(2, 8, 12, 2); // canvas 4x6, windows of 4 px = 2x2 cells
    avg.add(Float32Array.of(1, 2, 3, 4, 0, 0, 0, 0), 2, 2, 0, 0, 4);
    avg.add(Float32Array.of(5, 6, 7, 8, 1, 1, 1, 1), 2, 2, 0, 2, 4);
    avg.add(Float32Array.of(0, 0, 0, 0, 0, 0, 0, 0), 2, 2, 4, 8, 4); // bottom right
    expect([avg.h, avg.w]).toEqual([4, 6]);
    expect(() => avg.result()).toThrow(/no window/); // the bottom left is not covered yet
    avg.add(new Float32Array(8), 2, 2, 4, 0, 4);
    avg.add(new Float32Array(8), 2, 2, 4, 4, 4);
    avg.add(new Float32Array(8), 2, 2, 0, 8, 4);
    avg.add(new Float32Array(8), 2, 2, 0, 6, 4);
    const r = avg.result();
    // Class 0, first row: window 1 alone, the overlap (cell 1) averages 2 and 5, then window 2 alone.
    expect(Array.from(r.subarray(0, 6))).toEqual([1, 3.5, 6, 0, 0, 0]);
    expect(r[24 + 1]).toBe(0.5); // class 1 at the overlap: (0 + 1) / 2
    expect(() => avg.add(new Float32Array(8), 2, 2, 1, 0, 4)).toThrow(/off the cells/);
  });
  it('refuses a canvas that a window did not cover', () => {
    const avg = new WindowAverager(1, 4, 8);
    avg.add(Float32Array.of(1), 1, 1, 0, 0, 4);
    expect(() => avg.result()).toThrow(/no window/);
  });
});

describe('labelsFromLogits', () => {
  it('argmax after softmax and upsampling; unlabelled under the threshold', () => {
    // [C=2, 1x2]: pixel 0 sure of class 0, pixel 1 undecided.
    const logits = Float32Array.of(10, 0, 0, 0);
    const { labels } = labelsFromLogits(logits, 2, 1, 2, 2, 1, 0.6);
    expect(Array.from(labels)).toEqual([1, 0]);
    const up = labelsFromLogits(logits, 2, 1, 2, 4, 2, 0);
    expect(up.labels).toHaveLength(8);
    expect(up.labels[0]).toBe(1);
  });
});
