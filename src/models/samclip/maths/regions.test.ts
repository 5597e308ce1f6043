import { describe, expect, it } from 'vitest';
import { components, removeSmallRegions, removeSmallRegionsAll } from './regions';
import type { BoxXyxy } from './cuts';

/** A mask drawn as rows of '#' (1) and '.' (0). */
function draw(rows: string[]): { mask: Uint8Array; h: number; w: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  return { mask: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)), h, w };
}
const text = (m: Uint8Array, w: number) =>
  Array.from({ length: m.length / w }, (_, y) =>
    Array.from(m.subarray(y * w, (y + 1) * w), (v) => (v ? '#' : '.')).join(''),
  );

describe('components (8-connected)', () => {
  it('joins diagonal neighbours and numbers components in raster order of their first pixel', () => {
    const { mask, h, w } = draw(['#..#', '.#.#', '....', '##..']);
    const { labels, sizes } = components(mask, h, w, 1);
    expect(sizes).toEqual([2, 2, 2]);
    expect(Array.from(labels)).toEqual([0, -1, -1, 1, -1, 0, -1, 1, -1, -1, -1, -1, 2, 2, -1, -1]);
  });
});

describe('removeSmallRegions (upstream remove_small_regions)', () => {
  const ring = ['........', '.######.', '.#..#.#.', '.#..####', '.######.', '........'];

  it('fills background regions smaller than the area, border regions included', () => {
    const { mask, h, w } = draw(ring);
    // Holes: 4 pixels (left) and 1 pixel (right); the outer background has 23.
    const r = removeSmallRegions(mask, h, w, 3, 'holes');
    expect(r.changed).toBe(true);
    expect(text(r.mask, w)).toEqual(['........', '.######.', '.#..###.', '.#..####', '.######.', '........']);
    // An area above the outer background's size fills it too, as upstream does.
    expect(text(removeSmallRegions(mask, h, w, 24, 'holes').mask, w).every((l) => l === '########')).toBe(
      true,
    );
  });

  it('removes islands smaller than the area, and keeps the largest when all are small', () => {
    const { mask, h, w } = draw(['##....#', '##.....', '.......', '...###.']);
    expect(text(removeSmallRegions(mask, h, w, 4, 'islands').mask, w)).toEqual([
      '##.....',
      '##.....',
      '.......',
      '.......',
    ]);
    expect(text(removeSmallRegions(mask, h, w, 10, 'islands').mask, w)).toEqual([
      '##.....',
      '##.....',
      '.......',
      '.......',
    ]);
  });

  it('says nothing changed (and returns the mask itself) when no region is small', () => {
    const { mask, h, w } = draw(['##..', '##..']);
    const r = removeSmallRegions(mask, h, w, 2, 'islands');
    expect(r).toEqual({ mask, changed: false });
  });
});

describe('removeSmallRegionsAll (upstream postprocess_small_regions)', () => {
  it('recomputes changed masks, and NMS prefers unchanged masks over new duplicates', () => {
    const a = draw(['####....', '####....', '####...#', '........']); // an island at (7, 2)
    const b = draw(['####....', '####....', '####....', '........']);
    const c = draw(['........', '......##', '......##', '........']);
    const entry = (m: Uint8Array, box: BoxXyxy, area: number, id: number) => ({
      mask: m,
      area,
      box,
      bbox: [box[0], box[1], box[2] - box[0], box[3] - box[1]] as [number, number, number, number],
      id,
    });
    const out = removeSmallRegionsAll(
      [
        entry(a.mask, [0, 0, 7, 2], 13, 0),
        entry(b.mask, [0, 0, 3, 2], 12, 1),
        entry(c.mask, [6, 1, 7, 2], 4, 2),
      ],
      4,
      8,
      2,
      0.7,
    );
    // a loses its island, becomes b's duplicate and is suppressed by the unchanged b.
    expect(out.map((m) => m.id)).toEqual([1, 2]);
    const d = removeSmallRegionsAll([entry(a.mask, [0, 0, 7, 2], 13, 0)], 4, 8, 2, 0.7);
    expect([d[0]!.area, d[0]!.box, d[0]!.bbox]).toEqual([12, [0, 0, 3, 2], [0, 0, 3, 2]]);
    expect(text(d[0]!.mask, 8)).toEqual(['####....', '####....', '####....', '........']);
  });
});
