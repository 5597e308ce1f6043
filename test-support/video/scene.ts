/**
 * A synthetic camera scene for webcam tests: a red disc moving left-right and a blue rectangle
 * moving up-down on grey, with the frame number written as a black/white barcode so that a label
 * map alone tells which frame it came from.
 */
export const WIDTH = 320;
export const HEIGHT = 240;
export const FPS = 10;
export const FRAMES = 60;
/** Barcode: BITS square cells along the top-left edge, most significant bit first. */
const BITS = 6;
const CELL = 16;
const BAR_Y = 8;
const BAR_X = 8;

export interface Shapes {
  disc: { cx: number; cy: number; r: number };
  rect: { x0: number; y0: number; x1: number; y1: number };
}

/** Smooth back-and-forth motion, one full period per loop of the video. */
export function shapesAt(frame: number): Shapes {
  const t = (2 * Math.PI * (frame % FRAMES)) / FRAMES;
  return {
    disc: { cx: 110 + 60 * Math.sin(t), cy: 150, r: 40 },
    rect: { x0: 220, x1: 290, y0: 90 + 50 * Math.sin(t), y1: 150 + 50 * Math.sin(t) },
  };
}

export type Paint = 'red' | 'blue' | 'black' | 'white' | 'grey';
export const RGB: Record<Paint, [number, number, number]> = {
  red: [220, 30, 35],
  blue: [30, 60, 220],
  black: [10, 10, 10],
  white: [245, 245, 245],
  grey: [128, 128, 128],
};

/** What the scene shows at (x, y) in a frame. */
export function paintAt(frame: number, x: number, y: number, s: Shapes = shapesAt(frame)): Paint {
  const cell = Math.floor((x - BAR_X) / CELL);
  if (y >= BAR_Y && y < BAR_Y + CELL && x >= BAR_X && cell < BITS)
    return ((frame % FRAMES) >> (BITS - 1 - cell)) & 1 ? 'white' : 'black';
  if ((x - s.disc.cx) ** 2 + (y - s.disc.cy) ** 2 < s.disc.r ** 2) return 'red';
  if (x >= s.rect.x0 && x < s.rect.x1 && y >= s.rect.y0 && y < s.rect.y1) return 'blue';
  return 'grey';
}

/** Frame number read back from a per-pixel "is white" / "is black" test at the barcode cells. */
export function readBarcode(isWhite: (x: number, y: number) => boolean | null): number | null {
  let v = 0;
  for (let i = 0; i < BITS; i++) {
    const bit = isWhite(BAR_X + i * CELL + CELL / 2, BAR_Y + CELL / 2);
    if (bit === null) return null;
    v = (v << 1) | (bit ? 1 : 0);
  }
  return v;
}
