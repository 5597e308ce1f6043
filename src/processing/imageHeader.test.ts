import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { readImageSize } from './imageHeader';

const jpegBytes = (width: number, height: number) =>
  new Uint8Array(jpeg.encode({ width, height, data: new Uint8Array(width * height * 4).fill(90) }, 80).data);

/** A JPEG header by hand: SOI, APP1 (Exif-ish filler), DHT, DQT, then a SOFn frame header. */
function handJpeg(sof: number, width: number, height: number): Uint8Array {
  const seg = (marker: number, body: number[]) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  return new Uint8Array([
    0xff,
    0xd8,
    ...seg(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, 1, 2, 3, 4]),
    // DHT (0xC4) is in the SOF range but carries no size: its bytes must not be read as one.
    ...seg(0xc4, [0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]),
    ...seg(0xdb, new Array<number>(65).fill(1)),
    ...seg(sof, [
      8,
      height >> 8,
      height & 0xff,
      width >> 8,
      width & 0xff,
      3,
      1,
      0x11,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
    ]),
    0xff,
    0xda,
  ]);
}

describe('readImageSize', () => {
  it('reads PNG sizes', () => {
    const png = encodePng({ width: 5, height: 3, data: new Uint8Array(5 * 3 * 4), channels: 4 });
    expect(readImageSize(png)).toEqual({ width: 5, height: 3 });
    const big = encodePng({ width: 300, height: 1, data: new Uint8Array(300), channels: 1 });
    expect(readImageSize(big)).toEqual({ width: 300, height: 1 });
  });

  it('reads JPEG sizes (jpeg-js output)', () => {
    expect(readImageSize(jpegBytes(7, 4))).toEqual({ width: 7, height: 4 });
    expect(readImageSize(jpegBytes(1, 33))).toEqual({ width: 1, height: 33 });
  });

  it('reads baseline and progressive frame headers after other segments, skipping DHT', () => {
    expect(readImageSize(handJpeg(0xc0, 640, 480))).toEqual({ width: 640, height: 480 });
    expect(readImageSize(handJpeg(0xc2, 4000, 3000))).toEqual({ width: 4000, height: 3000 });
  });

  it('honours the byte offset of a view into a larger buffer', () => {
    const j = jpegBytes(6, 2);
    const buf = new Uint8Array(j.length + 10);
    buf.set(j, 10);
    expect(readImageSize(buf.subarray(10))).toEqual({ width: 6, height: 2 });
  });

  it('is null for garbage, empty, unknown formats and truncated headers', () => {
    expect(readImageSize(new Uint8Array(0))).toBeNull();
    expect(readImageSize(new TextEncoder().encode('hello, this is not an image at all'))).toBeNull();
    expect(readImageSize(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0]))).toBeNull(); // GIF
    const png = encodePng({ width: 5, height: 3, data: new Uint8Array(5 * 3 * 4), channels: 4 });
    expect(readImageSize(png.subarray(0, 20))).toBeNull();
    const j = handJpeg(0xc0, 640, 480);
    expect(readImageSize(j.subarray(0, 30))).toBeNull();
    // A JPEG start followed by junk instead of a marker.
    expect(
      readImageSize(new Uint8Array([0xff, 0xd8, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99])),
    ).toBeNull();
  });
});
