import { describe, expect, it, vi } from 'vitest';
import { floorMs, median, timeFloor } from '../lib/floor';
import { agreement, medianParts, scenarioTable } from './report';

describe('benchmark figures', () => {
  it('takes medians of odd and even counts, and of each part', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(medianParts([{ a: 1, b: 10 }, { a: 3 }, { a: 2, b: 20 }])).toEqual({ a: 2, b: 15 });
  });

  it('compares label maps byte by byte', () => {
    const a = Buffer.from([1, 2, 3, 4]).toString('base64');
    const b = Buffer.from([1, 2, 0, 4]).toString('base64');
    expect(agreement(a, a)).toBe(1);
    expect(agreement(a, b)).toBe(0.75);
    expect(agreement(a, Buffer.from([1]).toString('base64'))).toBeNull();
    expect(agreement(undefined, a)).toBeNull();
  });

  it('sums a floor from the bare parts and the work', () => {
    const t = { textMs: 2, visionMs: 100, decoderRowMs: 10, reps: 1 };
    expect(floorMs(t, { visionRuns: 1, decoderRows: 20, textRuns: 79 })).toBe(100 + 200 + 158);
  });

  it('times each bare part after a warm-up run', async () => {
    const calls = { text: 0, vision: 0, decoderRow: 0 };
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const t = await timeFloor(
      {
        text: async () => (calls.text++, wait(1)),
        vision: async () => (calls.vision++, wait(30)),
        decoderRow: async () => (calls.decoderRow++, wait(10)),
      },
      2,
    );
    expect(calls).toEqual({ text: 3, vision: 3, decoderRow: 3 });
    expect(t.visionMs).toBeGreaterThan(t.decoderRowMs);
    expect(t.decoderRowMs).toBeGreaterThan(t.textMs);
  });

  it('gives the decoder per row and the text per prompt when one run holds several', async () => {
    // A clock that only the parts move: each part "takes" a fixed time.
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const t = await timeFloor(
        {
          text: async () => void (clock += 64),
          vision: async () => void (clock += 100),
          decoderRow: async () => void (clock += 64),
          rowsPerRun: 16,
          textRowsPerRun: 32,
        },
        2,
      );
      expect(t).toEqual({
        textMs: 2,
        visionMs: 100,
        decoderRowMs: 4,
        reps: 2,
        rowsPerRun: 16,
        textRowsPerRun: 32,
      });
    } finally {
      now.mockRestore();
    }
  });

  it('marks ratios against their targets and the floor', () => {
    const md = scenarioTable(
      'default',
      [
        {
          id: 'S1',
          tjs: [1000],
          app: [1000],
          appParts: { text: 5, image: 900, combine: 3 },
          tjsParts: {},
          work: { visionRuns: 1, decoderRows: 10, textRuns: 10 },
        },
        {
          id: 'S2',
          tjs: [1000],
          app: [500],
          appParts: {},
          tjsParts: {},
          work: { visionRuns: 1, decoderRows: 20, textRuns: 79 },
          counted: false,
        },
        {
          id: 'S3',
          tjs: [1000],
          app: [50],
          appParts: {},
          tjsParts: {},
          work: { visionRuns: 0, decoderRows: 1, textRuns: 2 },
        },
      ],
      { textMs: 1, visionMs: 400, decoderRowMs: 10, reps: 1 },
    );
    const [s1, s2, s3] = md.split('\n').slice(2);
    // S1: ratio 1.00 <= 1.05; floor 400 + 100 + 10 = 510, 1000 / 510 > 1.15.
    expect(s1).toContain('| 1.00 ✓ | 1.05 | 510 | 1.96 ✗ | 1 / 10 / 10 | 5 / 900 / 3 |');
    // S2: ratio 0.50 <= 0.55; floor 400 + 200 + 79 = 679, 500 / 679 <= 1.15.
    expect(s2).toContain('| 0.50 ✓ | 0.55 | 679 | 0.74 ✓ | 1 / 20 / 79 (not counted: rules) |');
    // S3: no vision run, one row and two prompts: floor 10 + 2 = 12, 50 / 12 > 1.15.
    expect(s3).toContain('| 0.05 ✓ | 0.1 | 12 | 4.17 ✗ | 0 / 1 / 2 |');
  });
});
