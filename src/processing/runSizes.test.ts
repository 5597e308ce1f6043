import { describe, expect, it } from 'vitest';
import { prng } from '../../test-support/prng';
import { evenRuns, textRuns } from './runSizes';

describe('evenRuns', () => {
  it('uses the fewest runs, as equal as possible', () => {
    expect(evenRuns(79, 48)).toEqual([40, 39]);
    expect(evenRuns(150, 48)).toEqual([38, 38, 37, 37]);
    expect(evenRuns(48, 48)).toEqual([48]);
    expect(evenRuns(0, 48)).toEqual([]);
    expect(evenRuns(3, 0)).toEqual([1, 1, 1]);
  });
});

describe('textRuns', () => {
  const check = (lengths: number[], max: number, byLength: boolean) => {
    const runs = textRuns(lengths, max, byLength);
    // Every prompt once, no run over max, no empty run.
    expect(
      runs
        .flat()
        .slice()
        .sort((a, b) => a - b),
    ).toEqual(lengths.map((_, i) => i));
    for (const r of runs) {
      expect(r.length).toBeGreaterThan(0);
      expect(r.length).toBeLessThanOrEqual(Math.max(1, max));
    }
    return runs;
  };

  it('groups prompts of one token length, shortest first, in their order, runs even', () => {
    const lengths = [4, 3, 4, 5, 3, 4, 4, 4];
    const runs = check(lengths, 3, true);
    expect(runs).toEqual([[1, 4], [0, 2, 5], [6, 7], [3]]);
    // Five prompts of one length, at most 3 a run: 3 + 2.
    expect(textRuns([4, 4, 4, 4, 4], 3, true)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('never mixes lengths in a run (seeded vocabularies)', () => {
    const rand = prng(7);
    for (let t = 0; t < 50; t++) {
      const lengths = Array.from({ length: 1 + Math.floor(rand() * 200) }, () => 3 + Math.floor(rand() * 8));
      const max = 1 + Math.floor(rand() * 64);
      for (const r of check(lengths, max, true)) expect(new Set(r.map((i) => lengths[i])).size).toBe(1);
    }
  });

  it('without byLength: consecutive slices of at most max, in order', () => {
    const lengths = Array.from({ length: 70 }, (_, i) => 3 + (i % 4));
    const runs = check(lengths, 32, false);
    expect(runs.map((r) => r.length)).toEqual([32, 32, 6]);
    expect(runs.flat()).toEqual(lengths.map((_, i) => i));
    expect(textRuns([], 32, false)).toEqual([]);
    expect(textRuns([], 32, true)).toEqual([]);
  });
});
