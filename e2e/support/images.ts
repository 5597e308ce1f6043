/**
 * Test pictures, generated in code (deterministic), each with the ground truth the tests check
 * results against: which pixels belong to which shape.
 */
import { prng } from '../../test-support/prng';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';

export type Rgb = readonly [number, number, number];

export interface Shape {
  /** A colour name the embedded "colours" model knows. */
  colour: string;
  rgb: Rgb;
  inside(x: number, y: number): boolean;
}

export interface Scene {
  width: number;
  height: number;
  /** RGBA, row-major. */
  rgba: Uint8Array;
  shapes: Shape[];
}

export { prng };

const disc = (cx: number, cy: number, r: number) => (x: number, y: number) =>
  (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) =>
  x >= x0 && x < x1 && y >= y0 && y < y1;
/** Point in triangle by the signs of the three edge functions. */
function triangle(a: [number, number], b: [number, number], c: [number, number]) {
  const edge = (p: [number, number], q: [number, number], x: number, y: number) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  return (x: number, y: number) => {
    const d1 = edge(a, b, x, y);
    const d2 = edge(b, c, x, y);
    const d3 = edge(c, a, x, y);
    return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
  };
}

/** Draws shapes (later ones on top) over a flat background, plus mild uniform noise. */
export function paint(
  width: number,
  height: number,
  background: Rgb,
  shapes: Shape[],
  seed = 1,
  noise = 6,
): Scene {
  const rand = prng(seed);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let rgb = background;
      for (const s of shapes) if (s.inside(x + 0.5, y + 0.5)) rgb = s.rgb;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++)
        rgba[o + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + (rand() * 2 - 1) * noise)));
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba, shapes };
}

export const RED: Rgb = [215, 35, 35];
export const BLUE: Rgb = [35, 65, 205];
const GREEN: Rgb = [45, 165, 55];
const YELLOW: Rgb = [240, 215, 35];
export const LIGHT_GREY: Rgb = [228, 228, 228];

/** A red disc, a blue rectangle, a green triangle and a yellow square on light grey; layout scales with size. */
export function shapesScene(width = 320, height = 256, seed = 7): Scene {
  const m = Math.min(width, height);
  const shapes: Shape[] = [
    { colour: 'red', rgb: RED, inside: disc(0.25 * width, 0.3 * height, 0.2 * m) },
    { colour: 'blue', rgb: BLUE, inside: rect(0.55 * width, 0.08 * height, 0.92 * width, 0.42 * height) },
    {
      colour: 'green',
      rgb: GREEN,
      inside: triangle(
        [0.05 * width, 0.93 * height],
        [0.48 * width, 0.93 * height],
        [0.265 * width, 0.55 * height],
      ),
    },
    {
      colour: 'yellow',
      rgb: YELLOW,
      inside: rect(0.6 * width, 0.55 * height, 0.6 * width + 0.3 * m, 0.55 * height + 0.3 * m),
    },
  ];
  return paint(width, height, LIGHT_GREY, shapes, seed);
}

/** Pixels of a shape as it is visible (not hidden by a later shape), as a 0/1 mask. */
export function visibleMask(scene: Scene, shape: Shape): Uint8Array {
  const { width, height, shapes } = scene;
  const k = shapes.indexOf(shape);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      out[y * width + x] = shape.inside(px, py) && !shapes.slice(k + 1).some((s) => s.inside(px, py)) ? 1 : 0;
    }
  }
  return out;
}

export function shapeByColour(scene: Scene, colour: string): Shape {
  const s = scene.shapes.find((sh) => sh.colour === colour);
  if (!s) throw new Error(`no ${colour} shape in the scene`);
  return s;
}

/** Centre of a shape's visible pixels. */
export function maskCentroid(mask: ArrayLike<number>, width: number): { x: number; y: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    n++;
    sx += i % width;
    sy += Math.floor(i / width);
  }
  if (n === 0) throw new Error('empty mask');
  return { x: sx / n, y: sy / n };
}

export function toPng(scene: Scene): Buffer {
  return Buffer.from(encodePng({ width: scene.width, height: scene.height, data: scene.rgba, channels: 4 }));
}

export function toJpeg(scene: Scene, quality = 95): Buffer {
  return jpeg.encode({ width: scene.width, height: scene.height, data: Buffer.from(scene.rgba) }, quality)
    .data;
}

/**
 * Inserts an APP1 Exif segment with one IFD0 entry, Orientation (0x0112) = `orientation`, right
 * after the JPEG's SOI marker, as cameras do for pictures taken in portrait.
 */
export function withExifOrientation(jpegBytes: Buffer, orientation: number): Buffer {
  if (jpegBytes[0] !== 0xff || jpegBytes[1] !== 0xd8) throw new Error('not a JPEG');
  const tiff = Buffer.concat([
    Buffer.from('MM\x00\x2a\x00\x00\x00\x08', 'latin1'), // big-endian TIFF header, IFD0 at offset 8
    Buffer.from([0x00, 0x01]), // one entry:
    Buffer.from([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]), // Orientation, SHORT, count 1
    Buffer.from([0x00, orientation, 0x00, 0x00]), // its value, padded to 4 bytes
    Buffer.from([0x00, 0x00, 0x00, 0x00]), // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpegBytes.subarray(0, 2), header, payload, jpegBytes.subarray(2)]);
}
