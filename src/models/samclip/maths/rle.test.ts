import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prng } from '../../../../test-support/prng';
import { cocoCategories, cocoResults, encodeRle, rleCounts, rleString, type CocoRle } from './rle';
import { SAM_TINY, samArray } from './samTiny.testing';

/*
 * The strings are decoded by tools/coco/decode_rle.py, a decoder written from the COCO RLE format
 * (Python standard library only), and must give back every mask bit for bit.
 */
interface Decoded {
  counts: number[];
  area: number;
  bbox: number[];
  bits: string;
}

function decodeInPython(rles: CocoRle[]): Decoded[] {
  const r = spawnSync('python3', ['tools/coco/decode_rle.py'], {
    input: JSON.stringify(rles),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.error)
    throw new Error(
      `python3 could not run (${r.error.message}): install Python 3 (e.g. apt-get install python3) to run the COCO RLE decoder test`,
    );
  if (r.status !== 0) throw new Error(`decode_rle.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Decoded[];
}

/** Row-major bits, 8 per byte, first pixel in the high bit (the decoder's output format). */
function packed(mask: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(mask.length / 8));
  mask.forEach((v, i) => {
    if (v) out[i >> 3]! |= 0x80 >> (i & 7);
  });
  return Buffer.from(out).toString('hex');
}

interface Case {
  name: string;
  h: number;
  w: number;
  mask: Uint8Array;
}

function cases(): Case[] {
  const r = prng(12);
  const make = (name: string, h: number, w: number, f: (y: number, x: number) => boolean): Case => {
    const mask = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = f(y, x) ? 1 : 0;
    return { name, h, w, mask };
  };
  const out = [
    make('empty 0x0', 0, 0, () => true),
    make('empty', 5, 7, () => false),
    make('full', 5, 7, () => true),
    make('one pixel 1x1 set', 1, 1, () => true),
    make('one pixel 1x1 clear', 1, 1, () => false),
    make('first pixel', 6, 4, (y, x) => y === 0 && x === 0),
    make('last pixel', 6, 4, (y, x) => y === 5 && x === 3),
    make('single middle pixel', 9, 11, (y, x) => y === 4 && x === 6),
    make('one row', 1, 97, (_, x) => x % 3 === 0),
    make('one column', 97, 1, (y) => y % 5 < 2),
    make('odd size stripes', 13, 17, (y, x) => (x + y) % 4 < 2),
    // Runs longer than 2^13 (several characters each) and runs that shrink (negative differences).
    make('long runs', 300, 200, (y, x) => !(x === 100 && y === 150)),
    make('long then short', 240, 320, (y, x) => x < 250 || (y % 7 === 0 && x % 2 === 0)),
    make('random', 31, 23, () => r() < 0.5),
    make('sparse random', 120, 90, () => r() < 0.01),
  ];
  const H = SAM_TINY.image.height;
  const W = SAM_TINY.image.width;
  const amg = samArray('amg_masks', 'uint8');
  for (let k = 0; k < 12; k++)
    out.push({ name: `sam-tiny AMG mask ${k}`, h: H, w: W, mask: amg.slice(k * H * W, (k + 1) * H * W) });
  return out;
}

describe('COCO RLE', () => {
  const all = cases();
  const decoded = decodeInPython(all.map((c) => encodeRle(c.mask, c.h, c.w)));

  it('decodes to the same mask, runs, area and box in a decoder written from the format', () => {
    all.forEach((c, k) => {
      const d = decoded[k]!;
      expect(d.bits, c.name).toBe(packed(c.mask));
      expect(d.counts, c.name).toEqual(rleCounts(c.mask, c.h, c.w));
      const [res] = cocoResults(1, c.h, c.w, [{ mask: c.mask, categoryId: 3, score: 0.5 }]);
      expect([res!.area, res!.bbox], c.name).toEqual([d.area, d.bbox]);
    });
  });

  it('counts zeros first, column-major', () => {
    // 2 x 3: column-major 1,0 | 1,1 | 0,0 -> runs 0 zeros, 1 one, 1 zero, 2 ones, 2 zeros.
    expect(rleCounts(Uint8Array.from([1, 1, 0, 0, 1, 0]), 2, 3)).toEqual([0, 1, 1, 2, 2]);
    expect(rleCounts(new Uint8Array(6), 2, 3)).toEqual([6]);
    // pycocotools' string of [6]: 6 -> '6'; of [0, 6]: '06'.
    expect(encodeRle(new Uint8Array(6), 2, 3).counts).toBe('6');
    expect(encodeRle(new Uint8Array(6).fill(1), 2, 3).counts).toBe('06');
  });

  it("writes pycocotools' string: differences from the run two before from the fourth run, signed 5-bit groups", () => {
    // 40 = 0b01000 | 1 << 5: groups 8 (more) then 1 -> '8' + 32 = 'X', '1'.
    // Run 4 is 3 - 40 = -37: groups 27 (more) then -2 (sign) -> 27 + 32 + 48 = 'k', 30 + 48 = 'N'.
    expect(rleString([5, 40, 2, 3])).toBe('5X12kN');
    // Run 3 is stored whole (i > 2 starts the differences).
    expect(rleString([1, 1, 40])).toBe('11X1');
  });

  it('builds COCO results and categories', () => {
    const mask = Uint8Array.from([0, 1, 1, 0, 1, 0]);
    expect(cocoResults(42, 2, 3, [{ mask, categoryId: 2, score: 0.9 }])).toEqual([
      {
        image_id: 42,
        category_id: 2,
        // Column-major 0,0 | 1,1 | 1,0: runs 2, 3, 1.
        segmentation: { size: [2, 3], counts: '231' },
        score: 0.9,
        area: 3,
        bbox: [1, 0, 2, 2],
      },
    ]);
    expect(cocoCategories(['cat', 'dog'])).toEqual([
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ]);
  });
});
