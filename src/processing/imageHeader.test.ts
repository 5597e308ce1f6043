import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  avifHeader,
  bmpFile,
  dibHeader,
  gifFile,
  icoFile,
  jpegHeader,
  pngFile,
  pngHeader,
  webpExtended,
  webpLossless,
  webpLossyHeader,
} from '../../test-support/imageFiles';
import { ByteWindows, NeedBytes } from './byteWindows';
import { readImageHeader } from './imageHeader';

const read = (bytes: Uint8Array) => readImageHeader(ByteWindows.of(bytes));
const size = (bytes: Uint8Array) => {
  const h = read(bytes);
  return h && 'width' in h ? [h.format, h.width, h.height] : h;
};

const jpegBytes = (width: number, height: number) =>
  new Uint8Array(jpeg.encode({ width, height, data: new Uint8Array(width * height * 4).fill(90) }, 80).data);

const seg = (marker: number, body: number[]) => [
  0xff,
  marker,
  (body.length + 2) >> 8,
  (body.length + 2) & 0xff,
  ...body,
];
/** A JPEG header by hand: SOI, APP1, DHT, DQT, then a SOFn frame header. */
function handJpeg(sof: number, width: number, height: number): Uint8Array {
  const frame = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0];
  return new Uint8Array([
    0xff,
    0xd8,
    ...seg(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, 1, 2, 3, 4]),
    // DHT (0xC4) is in the SOF range but carries no size: its bytes must not be read as one.
    ...seg(0xc4, [0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]),
    ...seg(0xdb, new Array<number>(65).fill(1)),
    0xff, // a fill byte before a marker
    ...seg(sof, frame),
    0xff,
    0xda,
  ]);
}

describe('readImageHeader: PNG and JPEG', () => {
  it('reads real files and bare headers', () => {
    expect(size(encodePng({ width: 5, height: 3, data: new Uint8Array(60), channels: 4 }))).toEqual([
      'png',
      5,
      3,
    ]);
    expect(size(pngFile(300, 1))).toEqual(['png', 300, 1]);
    expect(size(pngHeader(1_000_000, 70_000))).toEqual(['png', 1_000_000, 70_000]);
    expect(size(jpegBytes(7, 4))).toEqual(['jpeg', 7, 4]);
    expect(size(jpegHeader(65535, 65535))).toEqual(['jpeg', 65535, 65535]);
  });

  it('finds a frame header after other segments and fill bytes, skipping DHT', () => {
    expect(size(handJpeg(0xc0, 640, 480))).toEqual(['jpeg', 640, 480]);
    expect(size(handJpeg(0xc2, 4000, 3000))).toEqual(['jpeg', 4000, 3000]);
  });

  it('is unreadable, not guessed, when a JPEG has image data before its frame header or junk', () => {
    const noFrame = new Uint8Array([0xff, 0xd8, ...seg(0xe0, [1, 2, 3]), 0xff, 0xda, 0, 0]);
    expect(read(noFrame)).toEqual({ format: 'jpeg', unreadable: 'no frame header before the image data' });
    expect(read(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 9, 9, 0x11, 0x22]))).toMatchObject({
      unreadable: 'no marker at byte 8',
    });
    // 20,000 empty segments: the walk stops rather than run on.
    const many = new Uint8Array([0xff, 0xd8, ...new Array(20_000).fill(seg(0xfe, [])).flat()]);
    expect(read(many)).toMatchObject({ unreadable: 'too many segments before the frame header' });
  });

  it('says a cut header is cut', () => {
    expect(read(pngHeader(5, 3).subarray(0, 20))).toEqual({
      format: 'png',
      unreadable: 'the file ends inside its header',
    });
    expect(read(handJpeg(0xc0, 640, 480).subarray(0, 30))).toMatchObject({ format: 'jpeg' });
  });
});

describe('readImageHeader: GIF, BMP, WebP', () => {
  it('GIF: the screen, or a first frame larger than it, past comment blocks', () => {
    expect(size(gifFile({ screen: [12, 7] }))).toEqual(['gif', 12, 7]);
    expect(size(gifFile({ screen: [1, 1], frame: [40000, 3] }))).toEqual(['gif', 40000, 3]);
    expect(size(gifFile({ screen: [65535, 65535], frame: [1, 1], padding: 70_000 }))).toEqual([
      'gif',
      65535,
      65535,
    ]);
    expect(size(gifFile({ screen: [2, 2], frame: [30000, 20000], padding: 200_000 }))).toEqual([
      'gif',
      30000,
      20000,
    ]);
    const noImage = gifFile({ screen: [3, 3] }); // header (13 bytes), colour table (12), then the trailer
    expect(read(new Uint8Array([...noImage.subarray(0, 25), 0x3b]))).toMatchObject({
      unreadable: 'it has no image',
    });
  });

  it('BMP: 32-bit sizes (a negative height is top-down) and OS/2 16-bit ones', () => {
    expect(size(bmpFile(5, 3))).toEqual(['bmp', 5, 3]);
    const topDown = bmpFile(5, 3);
    new DataView(topDown.buffer).setInt32(22, -300000, true);
    expect(size(topDown)).toEqual(['bmp', 5, 300000]);
    const os2 = new Uint8Array(26);
    os2.set([0x42, 0x4d], 0);
    new DataView(os2.buffer).setUint32(14, 12, true);
    new DataView(os2.buffer).setUint16(18, 640, true);
    new DataView(os2.buffer).setUint16(20, 480, true);
    expect(size(os2)).toEqual(['bmp', 640, 480]);
  });

  it('WebP: lossless, lossy, extended (the larger of canvas and image)', () => {
    expect(size(webpLossless(16383, 16383))).toEqual(['webp', 16383, 16383]);
    expect(webpLossless(16383, 16383).length).toBeLessThan(40);
    expect(size(webpLossless(1, 2))).toEqual(['webp', 1, 2]);
    expect(size(webpLossyHeader(16383, 9000))).toEqual(['webp', 16383, 9000]);
    expect(size(webpExtended([300, 200]))).toEqual(['webp', 300, 200]);
    expect(size(webpExtended([1 << 24, 1 << 24], [1, 1]))).toEqual(['webp', 1 << 24, 1 << 24]);
    expect(size(webpExtended([16, 16], [16000, 12000]))).toEqual(['webp', 16000, 12000]);
  });
});

describe('readImageHeader: icons and AVIF/HEIF', () => {
  it('ICO: the entry, or the PNG or DIB inside it, whichever is larger (0 means 256)', () => {
    expect(size(icoFile([16, 16], pngFile(16, 16)))).toEqual(['ico', 16, 16]);
    expect(size(icoFile([0, 0], pngFile(4, 4)))).toEqual(['ico', 256, 256]);
    expect(size(icoFile([16, 16], pngHeader(60000, 60000)))).toEqual(['ico', 60000, 60000]);
    expect(size(icoFile([32, 32], dibHeader(20000, 10)))).toEqual(['ico', 20000, 32]);
  });

  it('AVIF: the largest ispe; none is unreadable; no meta box is not a size', () => {
    expect(size(avifHeader([640, 480], [160, 120]))).toEqual(['avif/heif', 640, 480]);
    expect(size(avifHeader([1, 1], [65536, 65536]))).toEqual(['avif/heif', 65536, 65536]);
    expect(read(avifHeader())).toMatchObject({ unreadable: 'it declares no image size (ispe)' });
    const ftypOnly = avifHeader([4, 4]).subarray(0, 28);
    expect(read(ftypOnly)).toBeNull();
  });

  it('a box that claims more than its parent holds is unreadable', () => {
    const avif = avifHeader([64, 64]);
    // The first box inside meta (hdlr, after ftyp's 28 bytes and meta's 12) claims 1 GB.
    new DataView(avif.buffer).setUint32(28 + 12, 1 << 30);
    expect(read(avif)).toMatchObject({ format: 'avif/heif', unreadable: 'a "hdlr" box of 1073741824 bytes' });
  });
});

describe('readImageHeader: what it does not know, and reading further', () => {
  it('is null for garbage, empty and unknown formats', () => {
    expect(read(new Uint8Array(0))).toBeNull();
    expect(read(new TextEncoder().encode('hello, this is not an image at all'))).toBeNull();
    expect(read(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('asks for the bytes it needs beyond what was read, then reads the size', () => {
    const gif = gifFile({ screen: [2, 2], frame: [9000, 9000], padding: 300_000 });
    const b = new ByteWindows(gif.length);
    b.add(0, gif.subarray(0, 1000));
    let need: unknown = null;
    try {
      readImageHeader(b);
    } catch (e) {
      need = e;
    }
    expect(need).toBeInstanceOf(NeedBytes);
    const n = need as NeedBytes;
    expect(n.offset).toBeGreaterThanOrEqual(1000);
    b.add(n.offset, gif.subarray(n.offset));
    expect(readImageHeader(b)).toEqual({ format: 'gif', width: 9000, height: 9000 });
  });
});
