import { encode } from 'fast-png';
import { HEIGHT, RGB, WIDTH, paintAt } from '../../test-support/video/scene';

/** Frame 0 of the camera scene as a PNG: a still image with the same shapes. */
export function stillScene(): Buffer {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) data.set(RGB[paintAt(0, x, y)], (y * WIDTH + x) * 3);
  return Buffer.from(encode({ width: WIDTH, height: HEIGHT, data, channels: 3 }));
}
