/**
 * Region outlines over the label map: a pixel within `thickness` pixels (left, right, above or
 * below) of another label is drawn opaque, black when its own label is the lower of the two and
 * white when it is the higher. Every boundary so gets a black line against a white one, which stays
 * visible on a picture of any colour, whatever the overlay's opacity; all other pixels are
 * transparent. Row-major `labels` of `width` x `height`.
 */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BLACK = littleEndian ? 0xff000000 : 0x000000ff;
const WHITE = 0xffffffff;

export function outlineLabels(
  labels: Uint16Array,
  width: number,
  height: number,
  thickness = 1,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  const words = new Uint32Array(out.buffer);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const own = labels[i]!;
      let other = own;
      // Nearest first: the closest differing neighbour decides the shade.
      for (let d = 1; d <= thickness && other === own; d++) {
        if (x + d < width && labels[i + d] !== own) other = labels[i + d]!;
        else if (x - d >= 0 && labels[i - d] !== own) other = labels[i - d]!;
        else if (y + d < height && labels[i + d * width] !== own) other = labels[i + d * width]!;
        else if (y - d >= 0 && labels[i - d * width] !== own) other = labels[i - d * width]!;
      }
      if (other !== own) words[i] = own < other ? BLACK : WHITE;
    }
  }
  return out;
}

/** Outline width in picture pixels that shows as about `cssPixels` when the picture is drawn `scale` times smaller. */
export const outlineThickness = (scale: number, cssPixels = 1): number =>
  Math.max(1, Math.min(8, Math.round(scale * cssPixels)));
