import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { applyOrientation, jpegOrientation } from './exif';
import type { RgbaImage } from './resize';

/** A small real JPEG from jpeg-js: SOI, APP0 (JFIF), DQT, SOF0, DHT, SOS ... EOI. */
function tinyJpeg(width = 4, height = 3): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(200);
  return new Uint8Array(jpeg.encode({ width, height, data }, 90).data);
}

/**
 * An APP1 Exif segment whose IFD0 holds a Make tag and then Orientation (SHORT), in big-endian
 * ("MM") or little-endian ("II") TIFF. `ifdOffset` moves IFD0 away from right after the header.
 */
function exifSegment(orientation: number, little: boolean, ifdOffset = 8): Uint8Array {
  const entries = 2;
  const tiffLen = ifdOffset + 2 + entries * 12 + 4;
  const tiff = new Uint8Array(tiffLen);
  const v = new DataView(tiff.buffer);
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  v.setUint16(2, 42, little);
  v.setUint32(4, ifdOffset, little);
  let o = ifdOffset;
  v.setUint16(o, entries, little);
  o += 2;
  // Make: ASCII, 4 bytes "Abc\0" stored inline.
  v.setUint16(o, 0x010f, little);
  v.setUint16(o + 2, 2, little);
  v.setUint32(o + 4, 4, little);
  tiff.set([0x41, 0x62, 0x63, 0], o + 8);
  o += 12;
  // Orientation: SHORT, count 1, value in the first two bytes of the value field.
  v.setUint16(o, 0x0112, little);
  v.setUint16(o + 2, 3, little);
  v.setUint32(o + 4, 1, little);
  v.setUint16(o + 8, orientation, little);
  o += 12;
  v.setUint32(o, 0, little); // no next IFD
  const seg = new Uint8Array(4 + 6 + tiffLen);
  seg.set([0xff, 0xe1], 0);
  new DataView(seg.buffer).setUint16(2, 2 + 6 + tiffLen); // JPEG lengths are big-endian
  seg.set([0x45, 0x78, 0x69, 0x66, 0, 0], 4); // "Exif\0\0"
  seg.set(tiff, 10);
  return seg;
}

function insertAt(bytes: Uint8Array, at: number, seg: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + seg.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(seg, at);
  out.set(bytes.subarray(at), at + seg.length);
  return out;
}

/** Offset just after the APP0 segment that jpeg-js writes after SOI. */
function afterApp0(bytes: Uint8Array): number {
  expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
  return 4 + ((bytes[4]! << 8) | bytes[5]!);
}

describe('jpegOrientation', () => {
  const base = tinyJpeg();

  it('is 1 for a JPEG without Exif and for non-JPEG bytes', () => {
    expect(jpegOrientation(base)).toBe(1);
    expect(jpegOrientation(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toBe(1);
    expect(jpegOrientation(new Uint8Array(0))).toBe(1);
  });

  for (const little of [false, true]) {
    it(`reads orientations 1..8 from ${little ? 'little' : 'big'}-endian TIFF after APP0`, () => {
      for (let o = 1; o <= 8; o++) {
        const bytes = insertAt(base, afterApp0(base), exifSegment(o, little));
        expect(jpegOrientation(bytes)).toBe(o);
      }
    });

    it(`reads it right after SOI and with IFD0 further away (${little ? 'II' : 'MM'})`, () => {
      expect(jpegOrientation(insertAt(base, 2, exifSegment(6, little)))).toBe(6);
      expect(jpegOrientation(insertAt(base, 2, exifSegment(8, little, 20)))).toBe(8);
    });
  }

  it('still gives a decodable JPEG (the test segment is well formed)', () => {
    const bytes = insertAt(base, afterApp0(base), exifSegment(3, true));
    const img = jpeg.decode(bytes, { useTArray: true });
    expect([img.width, img.height]).toEqual([4, 3]);
  });

  it('falls back to 1 for out-of-range values and broken or truncated data', () => {
    expect(jpegOrientation(insertAt(base, 2, exifSegment(0, true)))).toBe(1);
    expect(jpegOrientation(insertAt(base, 2, exifSegment(9, false)))).toBe(1);
    const withExif = insertAt(base, 2, exifSegment(6, false));
    // Cut inside the Exif segment, at every length: never throws, 1 when the tag is not there.
    for (let n = 0; n < 2 + 10 + 8 + 2 + 24; n++) {
      const r = jpegOrientation(withExif.subarray(0, n));
      expect(r === 1 || r === 6).toBe(true);
    }
    expect(jpegOrientation(withExif.subarray(0, 12))).toBe(1);
  });
});

/** 3x2 image whose pixels A..F (ids 1..6) are told apart by their RGBA words. */
const W = 3,
  H = 2;
const px = (id: number) => [id * 10, id, 255 - id, 255];
function idImage(): RgbaImage {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) data.set(px(i + 1), i * 4);
  return { width: W, height: H, data };
}
const ids = (img: RgbaImage): number[] =>
  Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 4 + 1]!);

describe('applyOrientation', () => {
  // Stored image:  A B C      (ids 1 2 3)
  //                D E F      (ids 4 5 6)
  // EXIF says where the stored 0th row and 0th column go on display:
  // 1 top/left, 2 top/right (mirror), 3 bottom/right (180°), 4 bottom/left (flip),
  // 5 left/top (transpose), 6 right/top (rotate 90° clockwise to display),
  // 7 right/bottom (transverse), 8 left/bottom (rotate 90° counter-clockwise to display).
  const [A, B, C, D, E, F] = [1, 2, 3, 4, 5, 6];
  const expected: Record<number, { w: number; h: number; rows: number[][] }> = {
    1: {
      w: 3,
      h: 2,
      rows: [
        [A, B, C],
        [D, E, F],
      ],
    },
    2: {
      w: 3,
      h: 2,
      rows: [
        [C, B, A],
        [F, E, D],
      ],
    },
    3: {
      w: 3,
      h: 2,
      rows: [
        [F, E, D],
        [C, B, A],
      ],
    },
    4: {
      w: 3,
      h: 2,
      rows: [
        [D, E, F],
        [A, B, C],
      ],
    },
    // Stored row 0 becomes the left column read downwards; row 1 the right column.
    5: {
      w: 2,
      h: 3,
      rows: [
        [A, D],
        [B, E],
        [C, F],
      ],
    },
    // Stored row 0 becomes the right column read downwards.
    6: {
      w: 2,
      h: 3,
      rows: [
        [D, A],
        [E, B],
        [F, C],
      ],
    },
    // Stored row 0 becomes the right column read upwards (column 0 at the bottom).
    7: {
      w: 2,
      h: 3,
      rows: [
        [F, C],
        [E, B],
        [D, A],
      ],
    },
    // Stored row 0 becomes the left column read upwards.
    8: {
      w: 2,
      h: 3,
      rows: [
        [C, F],
        [B, E],
        [A, D],
      ],
    },
  };

  for (let o = 1; o <= 8; o++) {
    it(`orientation ${o} gives the upright pixel permutation`, () => {
      const out = applyOrientation(idImage(), o);
      const e = expected[o]!;
      expect([out.width, out.height]).toEqual([e.w, e.h]);
      expect(ids(out)).toEqual(e.rows.flat());
      // Whole pixels move together (all four channels).
      for (let i = 0; i < e.w * e.h; i++)
        expect(Array.from(out.data.slice(i * 4, i * 4 + 4))).toEqual(px(e.rows.flat()[i]!));
    });
  }

  it('leaves the image alone for 1 and for unknown values', () => {
    const img = idImage();
    expect(applyOrientation(img, 1)).toBe(img);
    expect(applyOrientation(img, 0)).toBe(img);
    expect(applyOrientation(img, 9)).toBe(img);
  });

  it('does not change its input', () => {
    const img = idImage();
    applyOrientation(img, 6);
    expect(ids(img)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
