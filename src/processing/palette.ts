/** Distinct, stable colours: class k gets the same colour whatever the other classes are. */
export type Rgb = [number, number, number];

function hslToRgb(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** Golden-angle hues with alternating lightness keep neighbours in the list apart. */
export function classColour(index: number): Rgb {
  const hue = (index * 0.381966 + 0.02) % 1;
  const light = [0.5, 0.38, 0.62][index % 3]!;
  return hslToRgb(hue, 0.85, light);
}

/**
 * A class named after a basic colour is drawn in that colour: "red" in red reads at a glance.
 * A Map, not an object literal: class names are user text, and "constructor" must not find
 * Object's own properties.
 */
const NAMED = new Map<string, Rgb>([
  ['red', [220, 38, 38]],
  ['orange', [245, 130, 20]],
  ['yellow', [250, 215, 30]],
  ['green', [34, 170, 60]],
  ['blue', [40, 90, 230]],
  ['purple', [140, 60, 200]],
  ['pink', [245, 120, 190]],
  ['brown', [130, 80, 40]],
  ['black', [25, 25, 25]],
  ['white', [250, 250, 250]],
  ['grey', [140, 140, 140]],
  ['gray', [140, 140, 140]],
]);

/** Colours for these class labels: named colours where a label is one, the stable palette otherwise. */
export function paletteFor(labels: readonly string[]): Rgb[] {
  return labels.map((l, i) => NAMED.get(l.trim().toLowerCase()) ?? classColour(i));
}

export const toHex = ([r, g, b]: Rgb): string =>
  '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');

/**
 * Label map -> RGBA overlay pixels (label 0 transparent). Writes 32-bit words: one store a pixel.
 * `hidden` classes (by class index) are drawn transparent too.
 */
export function colourizeLabels(
  labels: Uint16Array,
  palette: readonly Rgb[],
  hidden?: ReadonlySet<number>,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(labels.length * 4);
  const words = new Uint32Array(out.buffer);
  const lut = new Uint32Array(palette.length + 1);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  palette.forEach(([r, g, b], i) => {
    if (hidden?.has(i)) return;
    lut[i + 1] = little
      ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
      : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
  });
  for (let i = 0; i < labels.length; i++) words[i] = lut[labels[i]!]!;
  return out;
}
