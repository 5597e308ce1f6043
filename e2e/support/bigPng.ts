/**
 * A very large PNG written directly (1-bit palette, zlib from Node): 12000x9000 pixels in a few
 * hundred milliseconds and well under a megabyte, because the picture is mostly uniform. A general
 * encoder would first build a 300+ MB RGBA buffer.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Rgb } from './images';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Two colours: `fg` inside the disc (cx, cy, r), `bg` elsewhere. */
export function bigDiscPng(
  width: number,
  height: number,
  bg: Rgb,
  fg: Rgb,
  disc: { cx: number; cy: number; r: number },
): Buffer {
  const stride = Math.ceil(width / 8);
  const raw = Buffer.alloc((stride + 1) * height); // each row: filter byte 0, then packed bits
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - disc.cy;
    if (Math.abs(dy) > disc.r) continue;
    const half = Math.sqrt(disc.r * disc.r - dy * dy);
    const x0 = Math.max(0, Math.ceil(disc.cx - half - 0.5));
    const x1 = Math.min(width - 1, Math.floor(disc.cx + half - 0.5));
    const row = y * (stride + 1) + 1;
    for (let x = x0; x <= x1; x++) raw[row + (x >> 3)] |= 0x80 >> (x & 7);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 3; // indexed colour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from([...bg, ...fg])),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
