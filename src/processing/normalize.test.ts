import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../tools/lib/nodeSegmenter';
import { modelInputSize, preprocess, toPixelValues } from './normalize';

describe('toPixelValues', () => {
  it('writes NCHW planes of (v / 255 - mean) / std', () => {
    // 3x2 image, pixel i = (r, g, b) = (10 i, 255 - 10 i, 100 + i), alpha ignored.
    const width = 3,
      height = 2,
      n = width * height;
    const data = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < n; i++) data.set([10 * i, 255 - 10 * i, 100 + i, i % 2 ? 0 : 255], i * 4);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const out = toPixelValues({ width, height, data }, mean, std);
    expect(out.length).toBe(3 * n);
    for (let i = 0; i < n; i++) {
      const rgb = [10 * i, 255 - 10 * i, 100 + i];
      for (let c = 0; c < 3; c++) expect(out[c * n + i]).toBeCloseTo((rgb[c]! / 255 - mean[c]!) / std[c]!, 5);
    }
  });

  it('maps 0 and 255 to the ends of the range with mean 0.5, std 0.5', () => {
    const data = new Uint8Array([0, 255, 0, 255, 255, 0, 255, 255]);
    const out = toPixelValues({ width: 2, height: 1, data }, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    // planes: R = [-1, 1], G = [1, -1], B = [-1, 1]
    expect(Array.from(out)).toEqual([-1, 1, 1, -1, -1, 1]);
  });
});

describe('modelInputSize', () => {
  it('returns the fixed size whatever the image', () => {
    const policy = { kind: 'fixed' as const, height: 256, width: 320 };
    expect(modelInputSize(policy, 1000, 10)).toEqual({ width: 320, height: 256 });
    expect(modelInputSize(policy, 1, 1)).toEqual({ width: 320, height: 256 });
  });

  it('scales the long side to longSide and rounds each side to the multiple', () => {
    const policy = { kind: 'dynamic' as const, longSide: 384, multiple: 8 };
    expect(modelInputSize(policy, 640, 480)).toEqual({ width: 384, height: 288 });
    expect(modelInputSize(policy, 480, 640)).toEqual({ width: 288, height: 384 });
    // Upscales small images: 100x50 -> 384x192.
    expect(modelInputSize(policy, 100, 50)).toEqual({ width: 384, height: 192 });
    // 500x300 at 512/32: 512 and 307.2 -> 9.6 multiples -> 10 -> 320.
    expect(modelInputSize({ kind: 'dynamic', longSide: 512, multiple: 32 }, 500, 300)).toEqual({
      width: 512,
      height: 320,
    });
    // 300x500 at 384/8: 230.4 -> 28.8 multiples -> 29 -> 232.
    expect(modelInputSize(policy, 300, 500)).toEqual({ width: 232, height: 384 });
  });

  it('never gives a side of 0, even for very thin or tiny images', () => {
    const policy = { kind: 'dynamic' as const, longSide: 384, multiple: 8 };
    // 10 * 0.384 = 3.84 -> rounds to 0 multiples -> at least one multiple.
    expect(modelInputSize(policy, 1000, 10)).toEqual({ width: 384, height: 8 });
    expect(modelInputSize(policy, 1, 1)).toEqual({ width: 384, height: 384 });
    expect(modelInputSize(policy, 10000, 1)).toEqual({ width: 384, height: 8 });
    const one = modelInputSize({ kind: 'dynamic', longSide: 16, multiple: 1 }, 1, 1000);
    expect(one).toEqual({ width: 1, height: 16 });
  });

  it('gives multiples of `multiple` for many sizes', () => {
    const policy = { kind: 'dynamic' as const, longSide: 384, multiple: 16 };
    for (let w = 1; w < 2000; w += 97)
      for (let h = 1; h < 2000; h += 131) {
        const s = modelInputSize(policy, w, h);
        expect(s.width % 16).toBe(0);
        expect(s.height % 16).toBe(0);
        expect(s.width).toBeGreaterThanOrEqual(16);
        expect(s.height).toBeGreaterThanOrEqual(16);
        expect(Math.max(s.width, s.height)).toBe(384);
      }
  });
});

describe('preprocess', () => {
  const pil = 'fixtures/pil-resize';
  const cases = (
    JSON.parse(readFileSync(`${pil}/cases.json`, 'utf8')) as {
      cases: { width: number; height: number; filter: string; offset?: number }[];
    }
  ).cases;
  const source = decodeImage(new Uint8Array(readFileSync(`${pil}/source.png`)));
  const mean = [0.5, 0.4, 0.3];
  const std = [0.2, 0.3, 0.25];

  for (const filter of ['bilinear', 'bicubic'] as const) {
    it(`resizes with the manifest's filter (${filter}, Pillow's bytes) before normalising`, () => {
      const c = cases.find((c) => c.filter === filter && c.width === 23 && c.height === 17)!;
      const want = readFileSync(`${pil}/expected.bin`).subarray(c.offset!, c.offset! + 23 * 17 * 3);
      const rgba = new Uint8ClampedArray(23 * 17 * 4);
      for (let i = 0; i < 23 * 17; i++) rgba.set([...want.subarray(i * 3, i * 3 + 3), 255], i * 4);
      const input = { width: 23, height: 17, resample: filter };
      const out = preprocess(source, input, { mean, std });
      expect([out.width, out.height]).toEqual([23, 17]);
      expect(Array.from(out.data)).toEqual(
        Array.from(toPixelValues({ width: 23, height: 17, data: rgba }, mean, std)),
      );
    });
  }

  it('resizes bilinearly when the manifest names no filter', () => {
    const a = preprocess(source, { width: 23, height: 17 }, { mean, std });
    const b = preprocess(source, { width: 23, height: 17, resample: 'bilinear' as const }, { mean, std });
    const c = preprocess(source, { width: 23, height: 17, resample: 'bicubic' as const }, { mean, std });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });
});
