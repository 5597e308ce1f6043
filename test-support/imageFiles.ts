/**
 * Image files built byte by byte, for the header reader's tests and the end-to-end hostile inputs:
 * each format at any declared size. Some decode for real in a browser at any size in a few bytes
 * (lossless WebP with one-symbol prefix codes, GIF, BMP, icons holding a PNG); the others are
 * headers only (lossy WebP, JPEG, AVIF), which is all a refusal before decoding needs.
 */
import { encode as encodePng } from 'fast-png';

type Bytes = Uint8Array;

const cat = (...parts: (Bytes | number[])[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le24 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff];
const le32 = (v: number) => [...le16(v & 0xffff), ...le16(v >>> 16)];
const be16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [...be16(v >>> 16), ...be16(v & 0xffff)];

/** A real PNG of one colour (RGB), from the project's PNG encoder. */
export function pngFile(width: number, height: number, rgb = [200, 30, 30]): Bytes {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3]!;
  return encodePng({ width, height, data, channels: 3 });
}

/** A PNG signature and an IHDR chunk declaring the size (nothing to decode). */
export function pngHeader(width: number, height: number): Bytes {
  const ihdr = [...be32(width), ...be32(height), 8, 2, 0, 0, 0];
  return cat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), ascii('IHDR'), ihdr, [0, 0, 0, 0]);
}

/** SOI, an APP0 segment, a baseline frame header declaring the size, EOI. */
export function jpegHeader(width: number, height: number): Bytes {
  const app0 = [...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [8, ...be16(height), ...be16(width), 1, 1, 0x11, 0];
  return cat(
    [0xff, 0xd8, 0xff, 0xe0],
    be16(app0.length + 2),
    app0,
    [0xff, 0xc0],
    be16(sof.length + 2),
    sof,
    [0xff, 0xd9],
  );
}

/** LSB-first bit writer (VP8L and GIF's LZW codes). */
class Bits {
  private bytes: number[] = [];
  private n = 0;
  put(value: number, count: number): this {
    for (let i = 0; i < count; i++, this.n++) {
      if (this.n % 8 === 0) this.bytes.push(0);
      this.bytes[this.bytes.length - 1]! |= ((value >>> i) & 1) << (this.n % 8);
    }
    return this;
  }
  get out(): number[] {
    return this.bytes;
  }
}

/**
 * A lossless (VP8L) bitstream of one colour: no transform, no colour cache, no meta codes, and five
 * one-symbol prefix codes, so that every pixel takes zero bits. A browser decodes it at its full size.
 */
function vp8lStream(width: number, height: number, argb = [255, 40, 90, 200]): number[] {
  const b = new Bits()
    .put(0x2f, 8)
    .put(width - 1, 14)
    .put(height - 1, 14)
    .put(0, 1)
    .put(0, 3);
  b.put(0, 1).put(0, 1).put(0, 1); // no transform, no colour cache, no meta prefix codes
  const [a, r, g, bl] = argb as [number, number, number, number];
  for (const symbol of [g, r, bl, a]) b.put(1, 1).put(0, 1).put(1, 1).put(symbol, 8); // simple, 1 symbol, 8 bits
  b.put(1, 1).put(0, 1).put(0, 1).put(0, 1); // distance code: symbol 0 in 1 bit
  return b.out;
}

const riffChunk = (fourcc: string, data: number[] | Bytes) =>
  cat(ascii(fourcc), le32(data.length), data, data.length % 2 ? [0] : []);
const riff = (...chunks: Bytes[]) => {
  const body = cat(ascii('WEBP'), ...chunks);
  return cat(ascii('RIFF'), le32(body.length), body);
};

/** A real lossless WebP of one colour at any size (about 30 bytes). */
export function webpLossless(width: number, height: number): Bytes {
  return riff(riffChunk('VP8L', vp8lStream(width, height)));
}

/** A lossy WebP's frame header declaring the size (a key frame's tag and start code, no data). */
export function webpLossyHeader(width: number, height: number): Bytes {
  const frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(width & 0x3fff), ...le16(height & 0x3fff), 0, 0];
  return riff(riffChunk('VP8 ', frame));
}

/** An extended WebP: a VP8X canvas and a lossless image of its own size (they may differ: hostile). */
export function webpExtended(canvas: [number, number], image: [number, number] = canvas): Bytes {
  const vp8x = [0, 0, 0, 0, ...le24(canvas[0] - 1), ...le24(canvas[1] - 1)];
  return riff(riffChunk('VP8X', vp8x), riffChunk('VP8L', vp8lStream(...image)));
}

/**
 * LZW codes (GIF's variant: 2-bit colours, codes up to 12 bits, no clear once the table is full) of
 * `n` pixels of colour 1. A run of one colour codes as runs of 1, 2, 3, … pixels, each new code the
 * previous run plus one pixel, so a 144-megapixel frame takes about 50 kB.
 */
function uniformLzw(n: number): number[] {
  const bits = new Bits().put(4, 3); // clear code, 3 bits wide
  const width = (j: number) => Math.min(12, Math.floor(Math.log2(4 + j)) + 1); // the decoder's width for code j
  let longest = 1; // the longest run the table holds
  let j = 1;
  for (let left = n; left > 0; j++) {
    const run = Math.min(longest, left);
    bits.put(run === 1 ? 1 : 4 + run, width(j));
    left -= run;
    if (run === longest && 5 + run <= 4095) longest++;
  }
  return bits.put(5, width(j)).out; // end of information
}

/**
 * A GIF: a logical screen, optional comment blocks before the frame (`padding` bytes of them, where
 * a header reader would have to look), and one frame of one colour that a browser decodes at its
 * full size.
 */
export function gifFile(o: { screen: [number, number]; frame?: [number, number]; padding?: number }): Bytes {
  const [fw, fh] = o.frame ?? o.screen;
  // Data sub-blocks: up to 255 bytes each, a zero length ends them.
  const blocks = (data: Bytes) => {
    const out = new Uint8Array(data.length + Math.ceil(data.length / 255) + 1);
    let o = 0;
    for (let i = 0; i < data.length; i += 255) {
      const n = Math.min(255, data.length - i);
      out[o++] = n;
      out.set(data.subarray(i, i + n), o);
      o += n;
    }
    return out;
  };
  const comment = (n: number) => cat([0x21, 0xfe], blocks(new Uint8Array(n).fill(0x20)));
  const comments: Bytes[] = [];
  for (let left = o.padding ?? 0; left > 0; left -= 65025) comments.push(comment(Math.min(left, 65025)));
  return cat(
    ascii('GIF89a'),
    le16(o.screen[0]),
    le16(o.screen[1]),
    [0xf1, 0, 0], // a global colour table of 4 entries
    [255, 255, 255, 30, 160, 60, 0, 0, 0, 0, 0, 0],
    ...comments,
    [0x2c, 0, 0, 0, 0, ...le16(fw), ...le16(fh), 0],
    [2],
    blocks(new Uint8Array(uniformLzw(fw * fh))),
    [0x3b],
  );
}

/** A 24-bit BMP of one colour; with `headerOnly`, just the headers declaring the size. */
export function bmpFile(width: number, height: number, headerOnly = false): Bytes {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const pixels = headerOnly ? 0 : stride * height;
  const info = [...le32(40), ...le32(width), ...le32(height), ...le16(1), ...le16(24), ...le32(0)];
  const rest = [...le32(pixels), ...le32(2835), ...le32(2835), ...le32(0), ...le32(0)];
  const data = new Uint8Array(pixels);
  for (let y = 0; y < height && !headerOnly; y++)
    for (let x = 0; x < width; x++) data.set([40, 160, 40], y * stride + x * 3); // BGR
  return cat(ascii('BM'), le32(54 + pixels), le32(0), le32(54), info, rest, data);
}

/** An icon whose one entry says `entry` (256 is written 0) and holds `image` (a PNG, or a DIB). */
export function icoFile(entry: [number, number], image: Bytes): Bytes {
  const dir = [
    entry[0] & 0xff,
    entry[1] & 0xff,
    0,
    0,
    ...le16(1),
    ...le16(32),
    ...le32(image.length),
    ...le32(22),
  ];
  return cat([0, 0, 1, 0, 1, 0], dir, image);
}

/** A DIB header (as icons hold them: the height counts the AND mask too) declaring the size. */
export function dibHeader(width: number, height: number): Bytes {
  return cat(le32(40), le32(width), le32(2 * height), le16(1), le16(32), new Array<number>(24).fill(0));
}

const box = (type: string, ...content: (Bytes | number[])[]) => {
  const body = cat(...content);
  return cat(be32(body.length + 8), ascii(type), body);
};
const fullBox = (type: string, ...content: (Bytes | number[])[]) => box(type, [0, 0, 0, 0], ...content);

/** An AVIF's boxes up to the item properties: one `ispe` per size given (no image data). */
export function avifHeader(...sizes: [number, number][]): Bytes {
  const ispes = sizes.map(([w, h]) => fullBox('ispe', be32(w), be32(h)));
  return cat(
    box('ftyp', ascii('avif'), be32(0), ascii('avifmif1miaf')),
    fullBox(
      'meta',
      fullBox('hdlr', be32(0), ascii('pict'), new Array<number>(13).fill(0)),
      box('iprp', box('ipco', ...ispes)),
    ),
  );
}
