import { describe, expect, it } from 'vitest';
import { resizeRgba, upsamplePlanes, type RgbaImage } from './resize';

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};

describe('upsamplePlanes (PyTorch bilinear, align_corners=False)', () => {
  it('upsamples 2x2 -> 4x4 as derived by hand', () => {
    // src = (dst + 0.5) * 2/4 - 0.5, clamped at 0: dst 0..3 -> 0 (from -0.25), 0.25, 0.75, 1 (1.25 clamped
    // to the last pixel). Plane [[1, 2], [3, 10]]: f(tx, ty) = 1 + tx + 2 ty + 6 tx ty.
    // Second plane [[0, 4], [8, 12]]: g = 4 tx + 8 ty.
    const src = new Float32Array([1, 2, 3, 10, 0, 4, 8, 12]);
    const out = upsamplePlanes(src, 2, 2, 2, 4, 4);
    expect(out.length).toBe(2 * 16);
    // prettier-ignore
    const f = [
      1,   1.25,  1.75,  2,
      1.5, 2.125, 3.375, 4,
      2.5, 3.875, 6.625, 8,
      3,   4.75,  8.25,  10,
    ];
    // prettier-ignore
    const g = [
      0, 1, 3, 4,
      2, 3, 5, 6,
      6, 7, 9, 10,
      8, 9, 11, 12,
    ];
    expectClose(out, [...f, ...g], 6);
  });

  it('handles different factors per axis (1x3 -> 2x6)', () => {
    // Rows: 1 -> 2, both clamp to row 0. Columns: src = (dst + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, 1.75, 2.25
    // -> 0, 0.25, 0.75, 1.25, 1.75, 2 (last clamped).
    const out = upsamplePlanes(new Float32Array([0, 8, 4]), 1, 1, 3, 2, 6);
    const row = [0, 2, 6, 7, 5, 4];
    expectClose(out, [...row, ...row], 6);
  });

  it('downsamples without antialiasing like PyTorch (4 -> 2 samples at 0.5 and 2.5)', () => {
    const out = upsamplePlanes(new Float32Array([0, 1, 2, 3]), 1, 1, 4, 1, 2);
    expectClose(out, [0.5, 2.5], 6);
  });

  it('is the identity when sizes are equal', () => {
    const src = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i) * 7);
    const out = upsamplePlanes(src, 2, 3, 4, 3, 4);
    expect(Array.from(out)).toEqual(Array.from(src));
  });
});

const image = (
  width: number,
  height: number,
  px: (x: number, y: number) => [number, number, number, number],
): RgbaImage => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(px(x, y), (y * width + x) * 4);
  return { width, height, data };
};

describe('resizeRgba (antialiased bilinear, like PIL)', () => {
  it('returns the image unchanged for the same size', () => {
    const img = image(3, 2, (x, y) => [x * 50, y * 70, 9, 255]);
    const out = resizeRgba(img, 3, 2);
    expect(out.width).toBe(3);
    expect(out.height).toBe(2);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('keeps a constant image constant at any size, with alpha 255', () => {
    const img = image(7, 5, () => [37, 150, 222, 0]);
    for (const [w, h] of [
      [3, 2],
      [11, 9],
      [14, 10],
      [1, 1],
      [7, 3],
    ] as const) {
      const out = resizeRgba(img, w, h);
      expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 4]);
      for (let i = 0; i < w * h; i++)
        expect(Array.from(out.data.slice(i * 4, i * 4 + 4))).toEqual([37, 150, 222, 255]);
    }
  });

  it('downscales a checkerboard of 2x2 blocks by 2 with the triangle filter', () => {
    // 8x8 image, block (bx, by) white when bx + by is even. Output pixel i of 4 is centred on source
    // 2i + 1 with support 2: weights 1 - |j - c + 0.5| / 2 over j = 2i-1 .. 2i+2 -> 1/4, 3/4, 3/4, 1/4
    // (normalised: 1/8, 3/8, 3/8, 1/8), so its own block gets 3/4 and the neighbouring blocks 1/4.
    // At the borders j = -1 (or 8) drops out: 3/4, 3/4, 1/4 normalised -> own block 6/7, other 1/7.
    const img = image(8, 8, (x, y) => {
      const v = (Math.floor(x / 2) + Math.floor(y / 2)) % 2 === 0 ? 255 : 0;
      return [v, v, v, 128];
    });
    const own = [6 / 7, 3 / 4, 3 / 4, 6 / 7];
    const out = resizeRgba(img, 4, 4);
    expect([out.width, out.height]).toEqual([4, 4]);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        // Both axes pick "own" or both pick "other": that is the block's own colour again.
        const sameColour = own[y]! * own[x]! + (1 - own[y]!) * (1 - own[x]!);
        const white = (x + y) % 2 === 0;
        const exact = 255 * (white ? sameColour : 1 - sameColour);
        const o = (y * 4 + x) * 4;
        for (let c = 0; c < 3; c++)
          expect(Math.abs(out.data[o + c]! - exact)).toBeLessThanOrEqual(0.5 + 1e-3);
        expect(out.data[o + 3]).toBe(255);
      }
    // Interior pixel, spelled out: 255 * (9/16 + 1/16) = 159.375 -> 159; the black one: 95.625 -> 96.
    expect(out.data[(1 * 4 + 1) * 4]).toBe(159);
    expect(out.data[(1 * 4 + 2) * 4]).toBe(96);
  });

  it('averages a one-pixel checkerboard to mid grey away from the borders', () => {
    const img = image(12, 12, (x, y) => {
      const v = (x + y) % 2 === 0 ? 255 : 0;
      return [v, v, v, 255];
    });
    const out = resizeRgba(img, 6, 6);
    for (let y = 1; y < 5; y++)
      for (let x = 1; x < 5; x++) {
        const v = out.data[(y * 6 + x) * 4]!;
        expect(v === 127 || v === 128).toBe(true); // exactly 127.5 before rounding
      }
  });
});
