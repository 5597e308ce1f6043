import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodeLabelPng, labelLegendJson } from './labelPng';

describe('encodeLabelPng', () => {
  it('round-trips a label map with few classes as an 8-bit greyscale PNG', () => {
    const width = 5,
      height = 3;
    const labels = Uint16Array.from({ length: width * height }, (_, i) => i % 4); // 0..3, 3 classes
    const png = decode(encodeLabelPng(labels, width, height, 3));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([5, 3, 1, 8]);
    expect(Array.from(png.data)).toEqual(Array.from(labels));
  });

  it('stays 8-bit up to 255 classes (values 0..255 fit)', () => {
    const labels = Uint16Array.from({ length: 256 }, (_, i) => i);
    const png = decode(encodeLabelPng(labels, 16, 16, 255));
    expect(png.depth).toBe(8);
    expect(Array.from(png.data)).toEqual(Array.from(labels));
  });

  it('uses 16 bits beyond 255 classes and keeps values above 255', () => {
    const width = 7,
      height = 4;
    const labels = Uint16Array.from({ length: width * height }, (_, i) => (i * 97) % 301); // up to 300
    labels[0] = 300;
    labels[1] = 256;
    labels[2] = 0;
    const png = decode(encodeLabelPng(labels, width, height, 300));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([7, 4, 1, 16]);
    expect(Array.from(png.data)).toEqual(Array.from(labels));
    const big = decode(encodeLabelPng(new Uint16Array([4096, 1, 0, 2]), 2, 2, 4096));
    expect(Array.from(big.data)).toEqual([4096, 1, 0, 2]);
  });
});

describe('labelLegendJson', () => {
  it('says what each pixel value means', () => {
    const json = labelLegendJson(
      [
        { label: 'sky', names: ['sky'] },
        { label: 'bike', names: ['bike', 'bicycle'] },
      ],
      'colours',
    );
    expect(JSON.parse(json)).toEqual({
      model: 'colours',
      unlabelled: 0,
      classes: [
        { value: 1, label: 'sky', names: ['sky'] },
        { value: 2, label: 'bike', names: ['bike', 'bicycle'] },
      ],
    });
  });

  it('escapes names safely as JSON', () => {
    const json = labelLegendJson([{ label: 'a "q" \\ <b>', names: ['a "q" \\ <b>'] }], 'm');
    expect((JSON.parse(json) as { classes: { label: string }[] }).classes[0]!.label).toBe('a "q" \\ <b>');
  });
});
