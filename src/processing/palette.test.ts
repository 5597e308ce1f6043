import { describe, expect, it } from 'vitest';
import { classColour, colourizeLabels, paletteFor, toHex, type Rgb } from './palette';

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

/** Labels that name no colour: the stable palette. */
const plain = (n: number) => Array.from({ length: n }, (_, i) => `class ${i}`);

describe('classColour / paletteFor', () => {
  it('gives the first 20 classes distinct, clearly different colours', () => {
    const p = paletteFor(plain(20));
    expect(p).toHaveLength(20);
    expect(new Set(p.map(toHex)).size).toBe(20);
    for (const c of p) for (const v of c) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
    // Neighbours in the list, which are often neighbours in the legend, differ visibly.
    for (let i = 1; i < 20; i++) {
      const d = Math.hypot(...p[i]!.map((v, k) => v - p[i - 1]![k]!));
      expect(d).toBeGreaterThan(40);
    }
  });

  it('is stable: class k has the same colour whatever the number of classes', () => {
    const small = paletteFor(plain(3));
    const big = paletteFor(plain(50));
    expect(big.slice(0, 3)).toEqual(small);
    expect(classColour(7)).toEqual(big[7]);
  });
});

describe('toHex', () => {
  it('formats two lower-case hex digits per channel', () => {
    expect(toHex([255, 0, 16])).toBe('#ff0010');
    expect(toHex([0, 0, 0])).toBe('#000000');
    expect(toHex([1, 171, 205])).toBe('#01abcd');
  });
});

describe('paletteFor', () => {
  it('draws classes named after a basic colour in that colour, others from the stable palette', () => {
    const p = paletteFor(['Red', 'sky', 'gray ']);
    expect(p[0]![0]).toBeGreaterThan(200);
    expect(p[0]![1]).toBeLessThan(60);
    expect(p[1]).toEqual(classColour(1));
    expect(p[2]![0]).toBe(p[2]![1]);
  });

  it("gives Object's own property names ordinary palette colours (they are names, not keys)", () => {
    const labels = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const p = paletteFor(labels);
    expect(p).toEqual(labels.map((_, i) => classColour(i)));
    // And they draw: a function or prototype as a colour made this throw "is not iterable".
    const rgba = colourizeLabels(Uint16Array.from([1, 2, 3, 4, 5]), p);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([...classColour(0), 255]);
  });
});
