/**
 * The webcam test scene (./scene.ts) as a Y4M video for Chromium's fake camera (written to a file
 * by tools/make-test-video.ts).
 */
import { FPS, FRAMES, HEIGHT, RGB, WIDTH, paintAt, shapesAt } from './scene';

/** BT.601 limited-range RGB -> YCbCr, as video pipelines expect. */
function yuv([r, g, b]: [number, number, number]): [number, number, number] {
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  const u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
  const v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
  return [Math.round(y), Math.round(u), Math.round(v)];
}

/** Deterministic pseudo-random noise (camera sensor noise for the still scene). */
function noise(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 2 ** 32) * 2 - 1;
  };
}

/** `still`: frame 0 repeated with fresh sensor-like noise each frame (labels at edges flicker). */
export function makeY4m(still: boolean, noiseAmplitude = still ? 14 : 0): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FPS}:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  const cw = WIDTH / 2,
    ch = HEIGHT / 2;
  for (let f = 0; f < FRAMES; f++) {
    const frame = still ? 0 : f;
    const s = shapesAt(frame);
    const Y = Buffer.alloc(WIDTH * HEIGHT);
    const U = Buffer.alloc(cw * ch);
    const V = Buffer.alloc(cw * ch);
    const rnd = noise(f + 1);
    const usum = new Float64Array(cw * ch);
    const vsum = new Float64Array(cw * ch);
    for (let y = 0; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        const [yy, u, v] = yuv(RGB[paintAt(frame, x, y, s)]);
        Y[y * WIDTH + x] = Math.max(0, Math.min(255, Math.round(yy + noiseAmplitude * rnd())));
        const c = (y >> 1) * cw + (x >> 1);
        usum[c]! += (u + 0.5 * noiseAmplitude * rnd()) / 4;
        vsum[c]! += (v + 0.5 * noiseAmplitude * rnd()) / 4;
      }
    for (let i = 0; i < cw * ch; i++) {
      U[i] = Math.round(usum[i]!);
      V[i] = Math.round(vsum[i]!);
    }
    parts.push(Buffer.from('FRAME\n'), Y, U, V);
  }
  return Buffer.concat(parts);
}
