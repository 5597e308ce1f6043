import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './nodeSegmenter';

/*
 * The command line decodes PNGs in JavaScript; each layout must give Pillow's RGB (what the reference
 * processors see, and what the browser draws), else the same file labels differently in the CLI.
 * Pillow's answers come from tools/pil-resize/make_refs.py.
 */
const DIR = 'fixtures/pil-resize';
const cases = JSON.parse(readFileSync(`${DIR}/decode.json`, 'utf8')) as Record<
  string,
  { mode: string; rgb: number[] }
>;

describe('decodeImage gives Pillow’s RGB for every PNG layout', () => {
  it('has cases for palette, 1-bit grey, grey, grey + alpha and RGBA', () => {
    expect(
      Object.values(cases)
        .map((c) => c.mode)
        .sort(),
    ).toEqual(['1', 'L', 'LA', 'P', 'P', 'P', 'P', 'RGBA']);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name} (Pillow mode ${c.mode})`, () => {
      const img = decodeImage(new Uint8Array(readFileSync(`${DIR}/decode/${name}`)));
      expect([img.width, img.height]).toEqual([7, 5]);
      const rgb: number[] = [];
      for (let i = 0; i < 7 * 5; i++) {
        rgb.push(img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!);
        expect(img.data[i * 4 + 3]).toBe(255);
      }
      expect(rgb).toEqual(c.rgb);
    });
  }
});
