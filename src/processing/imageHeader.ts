/**
 * The pixel size an image file declares, read from its header without decoding it, for every format
 * a browser decodes: PNG, JPEG, GIF, BMP, WebP (lossy, lossless, extended), ICO/CUR and AVIF/HEIF.
 * A file may declare any size in a few bytes (a 36-byte WebP can declare 16383×16383), so the page
 * refuses an oversized one before the decoder allocates it. Where a decoder may use another size than
 * the first one declared (a GIF frame larger than its screen, the images inside an icon), the
 * largest is returned.
 */
import { ByteWindows, EndOfFile, MAX_STEPS, Unreadable } from './byteWindows';
import { isoImageSize, isIsoImage } from './isoImageHeader';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'ico' | 'avif/heif';

export type ImageHeader =
  /** The declared size (the largest, where the file declares several). */
  | { format: ImageFormat; width: number; height: number }
  /** A known format whose size could not be read: cut short, inconsistent, or too long to walk. */
  | { format: ImageFormat; unreadable: string }
  /** Not a format this reads. */
  | null;

const sized = (format: ImageFormat, width: number, height: number): ImageHeader =>
  width > 0 && height > 0
    ? { format, width, height }
    : { format, unreadable: `it declares ${width}×${height}` };

const starts = (b: Uint8Array, sig: number[]) => sig.every((v, i) => b[i] === v);
const ascii = (b: Uint8Array, at: number, s: string) => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** The format, from the file's first 16 bytes (the browsers' own sniffing signatures). */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (starts(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 0, 'BM')) return 'bmp';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (starts(head, [0, 0, 1, 0]) || starts(head, [0, 0, 2, 0])) return 'ico';
  if (isIsoImage(head)) return 'avif/heif';
  return null;
}

const PARSERS: Record<ImageFormat, (b: ByteWindows) => ImageHeader> = {
  png: pngSize,
  jpeg: jpegSize,
  gif: gifSize,
  bmp: bmpSize,
  webp: webpSize,
  ico: icoSize,
  'avif/heif': (b) => {
    const s = isoImageSize(b);
    return s && sized('avif/heif', s.width, s.height);
  },
};

/**
 * The declared size. Throws `NeedBytes` when it must read further into the file (read that range
 * into `b` and call again).
 */
export function readImageHeader(b: ByteWindows): ImageHeader {
  const format = sniffFormat(b.bytes(0, Math.min(16, b.size)));
  if (!format) return null;
  try {
    return PARSERS[format](b);
  } catch (e) {
    if (e instanceof EndOfFile) return { format, unreadable: 'the file ends inside its header' };
    if (e instanceof Unreadable) return { format, unreadable: e.why };
    throw e;
  }
}

function pngSize(b: ByteWindows): ImageHeader {
  if (b.text(12, 4) !== 'IHDR') throw new Unreadable('its first chunk is not IHDR');
  return sized('png', b.u32be(16), b.u32be(20));
}

/** Start-of-frame markers (C0–CF) carry the frame size, except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers without a length: TEM, RST0–7, SOI. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd8);

function jpegSize(b: ByteWindows): ImageHeader {
  let off = 2;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (b.u8(off) !== 0xff) throw new Unreadable(`no marker at byte ${off}`);
    while (b.u8(off) === 0xff) off++; // fill bytes
    const marker = b.u8(off++);
    if (marker === 0xda || marker === 0xd9) throw new Unreadable('no frame header before the image data');
    if (standalone(marker)) continue;
    if (isSof(marker)) return sized('jpeg', b.u16be(off + 5), b.u16be(off + 3));
    const length = b.u16be(off);
    if (length < 2) throw new Unreadable(`a segment of length ${length}`);
    off += length;
  }
  throw new Unreadable('too many segments before the frame header');
}

/**
 * GIF: the logical screen, and the first frame's extent (decoders grow the screen to a first frame
 * larger than it). Extensions before the frame are skipped block by block.
 */
function gifSize(b: ByteWindows): ImageHeader {
  const screen = { w: b.u16le(6), h: b.u16le(8) };
  const flags = b.u8(10);
  let off = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  for (let step = 0; step < MAX_STEPS; step++) {
    const block = b.u8(off);
    if (block === 0x2c) {
      const right = b.u16le(off + 1) + b.u16le(off + 5);
      const bottom = b.u16le(off + 3) + b.u16le(off + 7);
      return sized('gif', Math.max(screen.w, right), Math.max(screen.h, bottom));
    }
    if (block !== 0x21)
      throw new Unreadable(block === 0x3b ? 'it has no image' : `block 0x${block.toString(16)}`);
    off += 2; // introducer, label
    for (let n = b.u8(off); n !== 0; n = b.u8(off)) {
      off += n + 1;
      if (++step >= MAX_STEPS) break;
    }
    off++;
  }
  throw new Unreadable('too many extension blocks before the first image');
}

function bmpSize(b: ByteWindows): ImageHeader {
  const dib = b.u32le(14);
  // OS/2 1.x headers hold 16-bit sizes; the others signed 32-bit ones (a negative height: top-down).
  if (dib === 12) return sized('bmp', b.u16le(18), b.u16le(20));
  if (dib < 16) throw new Unreadable(`a DIB header of ${dib} bytes`);
  return sized('bmp', b.i32le(18), Math.abs(b.i32le(22)));
}

/** The size a VP8 or VP8L bitstream declares, at the chunk's data (`at`). */
function vp8Size(b: ByteWindows, fourcc: string, at: number): { w: number; h: number } | null {
  if (fourcc === 'VP8 ') {
    if (b.u8(at + 3) !== 0x9d || b.u8(at + 4) !== 0x01 || b.u8(at + 5) !== 0x2a)
      throw new Unreadable('a VP8 frame without its start code');
    return { w: b.u16le(at + 6) & 0x3fff, h: b.u16le(at + 8) & 0x3fff };
  }
  if (fourcc === 'VP8L') {
    if (b.u8(at) !== 0x2f) throw new Unreadable('a VP8L stream without its signature');
    const bits = b.u32le(at + 1);
    return { w: (bits & 0x3fff) + 1, h: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return null;
}

/**
 * WebP: a simple file's one VP8/VP8L chunk, or an extended file's canvas (VP8X) and its first
 * image chunk (a still image's must match the canvas; animation frames lie within it).
 */
function webpSize(b: ByteWindows): ImageHeader {
  const first = b.text(12, 4);
  if (first !== 'VP8X') {
    const s = vp8Size(b, first, 20);
    if (!s) throw new Unreadable(`its first chunk is ${JSON.stringify(first)}`);
    return sized('webp', s.w, s.h);
  }
  let w = b.u24le(24) + 1;
  let h = b.u24le(27) + 1;
  const end = Math.min(b.size, 8 + b.u32le(4));
  const vp8x = b.u32le(16);
  let off = 20 + vp8x + (vp8x & 1);
  for (let step = 0; step < MAX_STEPS && off + 8 <= end; step++) {
    const fourcc = b.text(off, 4);
    if (fourcc === 'ANIM' || fourcc === 'ANMF') break;
    const s = vp8Size(b, fourcc, off + 8);
    if (s) {
      w = Math.max(w, s.w);
      h = Math.max(h, s.h);
      break;
    }
    const size = b.u32le(off + 4);
    off += 8 + size + (size & 1); // chunks are padded to an even size
  }
  return sized('webp', w, h);
}

/**
 * ICO/CUR: every directory entry's size (0 means 256), and the size of the image it holds (a PNG's
 * IHDR, or a DIB header whose height counts the mask too), the largest of all.
 */
function icoSize(b: ByteWindows): ImageHeader {
  const count = b.u16le(4);
  if (count === 0) throw new Unreadable('it holds no image');
  let w = 0;
  let h = 0;
  for (let i = 0; i < count; i++) {
    const e = 6 + 16 * i;
    const at = b.u32le(e + 12);
    const png = b.u32be(at) === 0x89504e47;
    const inner = png
      ? { w: b.u32be(at + 16), h: b.u32be(at + 20) }
      : { w: b.i32le(at + 4), h: Math.ceil(Math.abs(b.i32le(at + 8)) / 2) };
    w = Math.max(w, b.u8(e) || 256, inner.w);
    h = Math.max(h, b.u8(e + 1) || 256, inner.h);
  }
  return sized('ico', w, h);
}
