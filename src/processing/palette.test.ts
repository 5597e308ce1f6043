import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classListToVocabulary } from './classList';
import { deltaE, rgbToLab } from './colourSpace';
import { PROTOTYPES, WORDS } from './colourWords';
import {
  colourizeLabels,
  NAMED_DE,
  namedColours,
  NEIGHBOUR_DE,
  paletteFor,
  toHex,
  type Rgb,
} from './palette';

describe('colourizeLabels', () => {
  const palette: Rgb[] = [
    [255, 0, 0],
    [0, 128, 255],
    [1, 2, 3],
  ];

  it('writes RGBA per pixel from the palette, label k + 1 = class k, label 0 transparent', () => {
    const out = colourizeLabels(new Uint16Array([0, 1, 2, 3, 1]), palette);
    expect(out).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(out)).toEqual([
      0, 0, 0, 0, 255, 0, 0, 255, 0, 128, 255, 255, 1, 2, 3, 255, 255, 0, 0, 255,
    ]);
  });

  it('draws hidden classes transparent', () => {
    const out = colourizeLabels(new Uint16Array([1, 2, 3, 0]), palette, new Set([1]));
    expect(Array.from(out)).toEqual([255, 0, 0, 255, 0, 0, 0, 0, 1, 2, 3, 255, 0, 0, 0, 0]);
    const none = colourizeLabels(new Uint16Array([1, 2, 3]), palette, new Set([0, 1, 2]));
    expect(none.every((v) => v === 0)).toBe(true);
  });

  it('gives labels beyond the palette no colour and handles an empty map', () => {
    expect(Array.from(colourizeLabels(new Uint16Array([9]), palette))).toEqual([0, 0, 0, 0]);
    expect(colourizeLabels(new Uint16Array(0), palette).length).toBe(0);
  });
});

const lab = (c: Rgb) => rgbToLab(c);
const preset = (id: string) =>
  classListToVocabulary(readFileSync(`public/vocab/${id}.txt`, 'utf8')).split('\n');
/** Every colour word the colours model knows, one class each, in its order. */
const colourWords = WORDS.filter((w) => w.colour).map((w) => w.word);

/** The least difference between a colour and the prototypes of the colours a label names. */
function toNamed(label: string, c: Rgb): number {
  const named = new Set(namedColours(label));
  const protos = PROTOTYPES.filter((p) => named.has(p.colour));
  return Math.min(Infinity, ...protos.map((p) => deltaE(lab(c), rgbToLab(p.rgb))));
}

describe('paletteFor', () => {
  const lists: [string, string[]][] = [
    ['20 plain names', Array.from({ length: 20 }, (_, i) => `class ${i}`)],
    ['colour words', colourWords],
    ['the default vocabulary', ['sky | blue', 'grass | green', 'red', 'yellow', 'white', 'black']],
    ['ADE20K-150', preset('ade20k_150')],
    ['COCO-Stuff', preset('coco_stuff')],
    ['PASCAL VOC', preset('pascal_voc_21')],
    ['Cityscapes', preset('cityscapes')],
  ];

  it.each(lists)('%s: neighbours in the legend differ clearly (CIE76 >= 25)', (_, labels) => {
    const p = paletteFor(labels);
    expect(p).toHaveLength(labels.length);
    for (const c of p) for (const v of c) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
    for (let i = 1; i < p.length; i++)
      expect(deltaE(lab(p[i]!), lab(p[i - 1]!)), `${labels[i - 1]} / ${labels[i]}`).toBeGreaterThanOrEqual(
        NEIGHBOUR_DE,
      );
  });

  it.each(lists)('%s: a class that names a colour is not drawn in it', (_, labels) => {
    const p = paletteFor(labels);
    let named = 0;
    labels.forEach((l, i) => {
      // A class with a long list of synonyms (PASCAL VOC's "background": sky, grass, snow, soil,
      // stone, wood...) names nearly every colour: it gets the farthest candidate instead.
      if (namedColours(l).length > 3) return;
      if (namedColours(l).length) named++;
      expect(toNamed(l, p[i]!), `${l}: ${toHex(p[i]!)}`).toBeGreaterThanOrEqual(NAMED_DE);
    });
    if (labels === colourWords) expect(named).toBe(colourWords.length);
  });

  it('keeps "sky | blue" away from blue and from the "red" beside it (the bug that was reported)', () => {
    const [sky, red] = paletteFor(['sky | blue', 'red']);
    expect(toNamed('blue', sky!)).toBeGreaterThanOrEqual(NAMED_DE);
    expect(toNamed('red', red!)).toBeGreaterThanOrEqual(NAMED_DE);
    expect(deltaE(lab(sky!), lab(red!))).toBeGreaterThanOrEqual(NEIGHBOUR_DE);
  });

  it('finds colours in any word of any name, in any case, gray as grey', () => {
    expect(namedColours('Light Blue')).toEqual(['blue']);
    expect(namedColours('sky | Grass')).toEqual(['blue', 'green']);
    expect(namedColours('gray road')).toEqual(['grey']);
    expect(namedColours('person')).toEqual([]);
  });

  it('is stable: appending classes does not change the colours before them', () => {
    const big = preset('ade20k_150');
    const all = paletteFor(big);
    for (const n of [1, 7, 40]) expect(paletteFor(big.slice(0, n))).toEqual(all.slice(0, n));
  });

  it.each(lists)('%s: no two of the first 40 classes share a colour', (_, labels) => {
    const p = paletteFor(labels).slice(0, 40);
    expect(new Set(p.map(toHex)).size).toBe(p.length);
  });

  it('gives the colour words of the default vocabulary five different colours (none its own)', () => {
    const labels = ['orange', 'white', 'sky | blue', 'red', 'black'];
    const p = paletteFor(labels);
    expect(new Set(p.map(toHex)).size).toBe(5);
    labels.forEach((l, i) => expect(toNamed(l, p[i]!)).toBeGreaterThanOrEqual(NAMED_DE));
  });

  it("treats Object's own property names as names, not keys", () => {
    const labels = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const p = paletteFor(labels);
    expect(p).toEqual(paletteFor(['a', 'b', 'c', 'd', 'e']));
    const rgba = colourizeLabels(Uint16Array.from([1, 2, 3, 4, 5]), p);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([...p[0]!, 255]);
  });
});

describe('toHex', () => {
  it('formats two lower-case hex digits per channel', () => {
    expect(toHex([255, 0, 16])).toBe('#ff0010');
    expect(toHex([0, 0, 0])).toBe('#000000');
    expect(toHex([1, 171, 205])).toBe('#01abcd');
  });
});
