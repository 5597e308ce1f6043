/**
 * Class colours for the overlay and the legend, and the overlay's pixels (fills and outlines).
 * Neighbours in the legend get clearly different colours, and a class that names a colour ("red",
 * "sky | blue", "grass") is never drawn in that colour: its overlay would vanish on the very thing
 * it labels. Class names are user text: matched through a Map, so "constructor" finds nothing.
 */
import { deltaE, rgbToLab } from './colourSpace';
import { PROTOTYPES, WORDS, type Colour } from './colourWords';

export type Rgb = [number, number, number];

/**
 * Kenneth Kelly's colours of maximum contrast (1965) without white and black, in his order, which
 * keeps consecutive colours far apart: the palette's base cycle.
 */
const KELLY: readonly Rgb[] = [
  [255, 179, 0],
  [128, 62, 117],
  [255, 104, 0],
  [166, 189, 215],
  [193, 0, 32],
  [206, 162, 98],
  [129, 112, 102],
  [0, 125, 52],
  [246, 118, 142],
  [0, 83, 138],
  [255, 122, 92],
  [83, 55, 122],
  [255, 142, 0],
  [179, 40, 81],
  [244, 200, 0],
  [127, 24, 13],
  [147, 170, 0],
  [89, 51, 21],
  [241, 58, 19],
  [35, 44, 22],
];

/** Least CIE76 difference between a class's colour and the one before it in the legend. */
export const NEIGHBOUR_DE = 25;
/** Least difference between a class's colour and every prototype of a colour its names name. */
export const NAMED_DE = 30;

export const toHex = ([r, g, b]: Rgb): string =>
  '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');

const mix = (c: Rgb, to: number, t: number): Rgb => c.map((v) => Math.round(v + (to - v) * t)) as Rgb;

/** Rounds of the base cycle: as is, lighter, darker, lighter still (80 colours in all). */
const ROUNDS = 4;

/** Candidate k: the base cycle, then lighter and darker shades of it for long vocabularies. */
function candidate(k: number): Rgb {
  const base = KELLY[k % KELLY.length]!;
  const round = Math.floor(k / KELLY.length) % ROUNDS;
  return round === 0
    ? base
    : round === 1
      ? mix(base, 255, 0.4)
      : round === 2
        ? mix(base, 0, 0.35)
        : mix(base, 255, 0.65);
}

const COLOUR_OF = new Map(WORDS.filter((w) => w.colour).map((w) => [w.word, w.colour!]));
const LAB_OF_COLOUR = new Map<Colour, [number, number, number][]>();
for (const p of PROTOTYPES) {
  const list = LAB_OF_COLOUR.get(p.colour) ?? [];
  list.push(rgbToLab(p.rgb));
  LAB_OF_COLOUR.set(p.colour, list);
}

/** The colours a class's names name (any word of any name: "light blue", "sky | blue", "grass"). */
export function namedColours(label: string): Colour[] {
  const out = new Set<Colour>();
  for (const word of label.toLowerCase().split(/[^\p{L}]+/u)) {
    const c = COLOUR_OF.get(word === 'gray' ? 'grey' : word);
    if (c) out.add(c);
  }
  return [...out];
}

/**
 * Colours for these class labels (legend order). Class k starts from candidate k and takes the
 * first candidate no earlier class took that is far enough from the previous class's colour and
 * from every colour the class names, so a list's colours do not move when classes are added after
 * it, and no two classes share a colour while the candidates last.
 */
export function paletteFor(labels: readonly string[]): Rgb[] {
  const out: Rgb[] = [];
  const taken = new Set<string>();
  let prev: [number, number, number] | null = null;
  for (let i = 0; i < labels.length; i++) {
    const avoid = namedColours(labels[i]!).flatMap((c) => LAB_OF_COLOUR.get(c) ?? []);
    let best: { rgb: Rgb; lab: [number, number, number]; margin: number } | null = null;
    // First a colour no class has yet; when every one far enough is taken, a taken one.
    for (const fresh of [true, false]) {
      for (let k = i; k < i + ROUNDS * KELLY.length; k++) {
        const rgb = candidate(k);
        if (fresh && taken.has(toHex(rgb))) continue;
        const lab = rgbToLab(rgb);
        const toPrev = prev ? deltaE(lab, prev) / NEIGHBOUR_DE : Infinity;
        const toNamed = Math.min(Infinity, ...avoid.map((a) => deltaE(lab, a) / NAMED_DE));
        const margin = Math.min(toPrev, toNamed);
        if (!best || margin > best.margin) best = { rgb, lab, margin };
        if (margin >= 1) break;
      }
      if (best && best.margin >= 1) break;
    }
    taken.add(toHex(best!.rgb));
    out.push(best!.rgb);
    prev = best!.lab;
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const word = (r: number, g: number, b: number, a: number) =>
  littleEndian ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;

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
  palette.forEach(([r, g, b], i) => {
    if (!hidden?.has(i)) lut[i + 1] = word(r, g, b, 255);
  });
  for (let i = 0; i < labels.length; i++) words[i] = lut[labels[i]!]!;
  return out;
}
