/**
 * A landscape JPEG tagged EXIF Orientation 6 ("rotate 90° clockwise to view"), with the ground
 * truth of where its shapes must appear once shown upright (portrait).
 */
import {
  BLUE,
  LIGHT_GREY,
  maskCentroid,
  paint,
  RED,
  toJpeg,
  visibleMask,
  withExifOrientation,
  type Shape,
} from './images';
import { iou } from './metrics';

export function exifScene() {
  const w = 192;
  const h = 128;
  const shapes: Shape[] = [
    { colour: 'red', rgb: RED, inside: (x, y) => (x - 48) ** 2 + (y - 40) ** 2 <= 26 ** 2 },
    { colour: 'blue', rgb: BLUE, inside: (x, y) => x >= 110 && x < 170 && y >= 70 && y < 115 },
  ];
  const scene = paint(w, h, LIGHT_GREY, shapes, 23, 4);
  /** Orientation 6 shows stored pixel (sx, sy) = (y, h - 1 - x) at upright (x, y); upright is h wide. */
  const upright = (colour: string): Uint8Array => {
    const stored = visibleMask(
      scene,
      shapes.find((s) => s.colour === colour)!,
    );
    const out = new Uint8Array(w * h);
    for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) out[y * h + x] = stored[(h - 1 - x) * w + y]!;
    return out;
  };
  return {
    stored: { width: w, height: h },
    jpeg: withExifOrientation(toJpeg(scene, 95), 6),
    uprightCentroid: (colour: string) => maskCentroid(upright(colour), h),
    uprightIou: (labels: ArrayLike<number>, value: number, colour: string) =>
      iou(labels, value, upright(colour)),
    centroidOf: (labels: ArrayLike<number>, value: number) =>
      maskCentroid(
        Array.from(labels, (v) => (v === value ? 1 : 0)),
        h,
      ),
  };
}
