import { describe, expect, it } from 'vitest';
import { outlineLabels, outlineThickness } from './outlines';

/** The outline as a grid of '.', 'b' (black) and 'w' (white), one string per row. */
function shades(labels: number[][], thickness = 1): string[] {
  const h = labels.length;
  const w = labels[0]!.length;
  const rgba = outlineLabels(Uint16Array.from(labels.flat()), w, h, thickness);
  return labels.map((row, y) =>
    row
      .map((_, x) => {
        const p = (y * w + x) * 4;
        if (rgba[p + 3] === 0) return '.';
        expect(rgba[p + 3]).toBe(255);
        const v = rgba[p]!;
        expect([rgba[p + 1], rgba[p + 2]]).toEqual([v, v]);
        return v === 0 ? 'b' : v === 255 ? 'w' : '?';
      })
      .join(''),
  );
}

describe('outlineLabels', () => {
  it('draws a black line on the lower label and a white one on the higher along each boundary', () => {
    expect(
      shades([
        [0, 0, 0, 0, 0],
        [0, 2, 2, 2, 0],
        [0, 2, 1, 2, 0],
        [0, 2, 2, 2, 0],
        [0, 0, 0, 0, 0],
      ]),
    ).toEqual(['.bbb.', 'bwwwb', 'bwbwb', 'bwwwb', '.bbb.']);
  });

  it('leaves the inside of a region and a map of one label transparent', () => {
    expect(shades([[3, 3, 3]])).toEqual(['...']);
    expect(shades([[1, 1, 1, 1, 2, 2, 2, 2]])).toEqual(['...bw...']);
  });

  it('widens to the given thickness, nearest neighbour first', () => {
    expect(shades([[1, 1, 1, 1, 2, 2, 2, 2]], 2)).toEqual(['..bbww..']);
    // A pixel between two other labels takes its shade from the nearer one (the right one at a tie).
    expect(shades([[5, 5, 1, 9, 9, 9]], 2)).toEqual(['wwbww.']);
    expect(shades([[5, 1, 1, 9]], 1)).toEqual(['wbbw']);
    expect(shades([[5, 1, 1, 1, 9]], 2)).toEqual(['wbbbw']);
  });

  it('handles an empty map', () => {
    expect(outlineLabels(new Uint16Array(0), 0, 0).length).toBe(0);
  });
});

describe('outlineThickness', () => {
  it('keeps about one screen pixel, between 1 and 8 picture pixels', () => {
    expect(outlineThickness(0.5)).toBe(1);
    expect(outlineThickness(1)).toBe(1);
    expect(outlineThickness(3.4)).toBe(3);
    expect(outlineThickness(40)).toBe(8);
  });
});
