import { describe, expect, it } from 'vitest';
import { gifFile, jpegHeader, pngHeader } from '../../test-support/imageFiles';
import { declaredSize, WINDOW } from './declaredSize';

/** A reader over bytes in memory that counts what it was asked for. */
function reader(bytes: Uint8Array) {
  const reads: [number, number][] = [];
  const read = async (offset: number, length: number) => {
    reads.push([offset, length]);
    return bytes.subarray(offset, offset + length);
  };
  return { read, reads };
}

/** A JPEG whose frame header follows `n` APP segments of 65,533 bytes (as big EXIF or ICC data). */
function jpegAfterMetadata(n: number, width: number, height: number): Uint8Array {
  const head = jpegHeader(width, height);
  const app = new Uint8Array(65535);
  app.set([0xff, 0xe2, 0xff, 0xfd]); // a length of 65,533 + the marker: 65,535 bytes
  const out = new Uint8Array(head.length + n * app.length);
  out.set(head.subarray(0, 2));
  for (let i = 0; i < n; i++) out.set(app, 2 + i * app.length);
  out.set(head.subarray(2), 2 + n * app.length);
  return out;
}

describe('declaredSize', () => {
  it('reads a small header in one window', async () => {
    const png = pngHeader(20000, 20000);
    const r = reader(png);
    expect(await declaredSize(r.read, png.length)).toEqual({ format: 'png', width: 20000, height: 20000 });
    expect(r.reads).toEqual([[0, png.length]]);
  });

  it('follows a JPEG past 3 MB of metadata in a few growing reads', async () => {
    const j = jpegAfterMetadata(48, 30000, 20000);
    const r = reader(j);
    expect(await declaredSize(r.read, j.length)).toEqual({ format: 'jpeg', width: 30000, height: 20000 });
    expect(r.reads.length).toBeLessThanOrEqual(8);
    expect(r.reads[0]).toEqual([0, WINDOW]);
  });

  it('gives up past its byte budget: unreadable, with the format', async () => {
    const gif = gifFile({ screen: [1, 1], frame: [16000, 16000], padding: 2_000_000 });
    const r = reader(gif);
    expect(await declaredSize(r.read, gif.length, 1_000_000)).toEqual({
      format: 'gif',
      unreadable: 'its header lies beyond the first 1000000 bytes',
    });
    expect(r.reads.reduce((n, [, l]) => n + l, 0)).toBeLessThanOrEqual(1_000_000);
    expect(await declaredSize(reader(gif).read, gif.length)).toEqual({
      format: 'gif',
      width: 16000,
      height: 16000,
    });
  });

  it('is null for an unknown format and for an empty file', async () => {
    const text = new TextEncoder().encode('not an image');
    expect(await declaredSize(reader(text).read, text.length)).toBeNull();
    expect(await declaredSize(reader(new Uint8Array(0)).read, 0)).toBeNull();
  });
});
