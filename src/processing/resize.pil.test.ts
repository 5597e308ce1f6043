import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../tools/lib/nodeSegmenter';
import { resizeRgba, type ResampleFilter, type RgbaImage } from './resize';

/*
 * Pillow's own outputs (fixtures/pil-resize, made by tools/pil-resize/make_refs.py with Pillow 9.4):
 * the app's resize must give the same bytes, not merely close ones, since the reference processors
 * of every model (Hugging Face's) resize with Pillow and the models' logits amplify one grey level.
 */
const DIR = 'fixtures/pil-resize';
interface Case {
  source: string;
  width: number;
  height: number;
  filter: ResampleFilter;
  offset?: number;
  sha256: string;
}
const { cases } = JSON.parse(readFileSync(`${DIR}/cases.json`, 'utf8')) as { cases: Case[] };
const expected = readFileSync(`${DIR}/expected.bin`);

/** The generator's integer pattern, rebuilt here bit for bit. */
function pattern(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const n = ((x * 73856093) ^ (y * 19349663)) & 0xffff;
      const b = (Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? 255 : 0;
      data.set([Math.floor((x * 255) / Math.max(1, w - 1)), (n * 7) & 255, b, 255], (y * w + x) * 4);
    }
  return { width: w, height: h, data };
}

const rgb = (img: RgbaImage) => {
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) out.set(img.data.subarray(i * 4, i * 4 + 3), i * 3);
  return out;
};

describe('resizeRgba equals Pillow byte for byte', () => {
  const source = decodeImage(new Uint8Array(readFileSync(`${DIR}/source.png`)));

  it('rebuilds the generator pattern (the source PNG is that pattern)', () => {
    expect(rgb(pattern(61, 47))).toEqual(rgb(source));
  });

  for (const c of cases.filter((c) => c.offset !== undefined)) {
    it(`${c.filter} 61x47 -> ${c.width}x${c.height}`, () => {
      const out = resizeRgba(source, c.width, c.height, c.filter);
      expect([out.width, out.height]).toEqual([c.width, c.height]);
      const want = expected.subarray(c.offset!, c.offset! + c.width * c.height * 3);
      const got = rgb(out);
      let differ = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differ++;
      expect(differ, 'bytes that differ from Pillow').toBe(0);
      expect(createHash('sha256').update(got).digest('hex')).toBe(c.sha256);
    });
  }

  for (const c of cases.filter((c) => c.source === 'pattern:640x480')) {
    it(`${c.filter} webcam frame 640x480 -> ${c.width}x${c.height}`, () => {
      const out = resizeRgba(pattern(640, 480), c.width, c.height, c.filter);
      expect(createHash('sha256').update(rgb(out)).digest('hex')).toBe(c.sha256);
    });
  }

  it('writes opaque alpha and ignores the source alpha (the processors convert to RGB)', () => {
    const see = pattern(61, 47);
    for (let i = 3; i < see.data.length; i += 4) see.data[i] = i % 7;
    const out = resizeRgba(see, 23, 17);
    expect(rgb(out)).toEqual(new Uint8Array(expected.subarray(0, 23 * 17 * 3)));
    for (let i = 3; i < out.data.length; i += 4) expect(out.data[i]).toBe(255);
  });
});
