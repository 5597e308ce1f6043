import { describe, expect, it } from 'vitest';
import { parseVocabulary, promptsFor } from './vocabulary';

const labels = (text: string) => parseVocabulary(text).classes.map((c) => c.label);

describe('parseVocabulary', () => {
  it('separates classes with commas, semicolons and new lines', () => {
    expect(labels('person, bicycle; road\nsky\r\ntree')).toEqual([
      'person',
      'bicycle',
      'road',
      'sky',
      'tree',
    ]);
    expect(parseVocabulary('a, b').warnings).toEqual([]);
  });

  it('joins names of one class with "|", the first one labelling the class', () => {
    const { classes, warnings } = parseVocabulary('person, bicycle | bike | cycle, road');
    expect(classes).toEqual([
      { label: 'person', names: ['person'] },
      { label: 'bicycle', names: ['bicycle', 'bike', 'cycle'] },
      { label: 'road', names: ['road'] },
    ]);
    expect(warnings).toEqual([]);
  });

  it('collapses and trims whitespace, skips empty names and classes', () => {
    const { classes } = parseVocabulary('  traffic \t  light ,, ;\n\n  |  | car  |  ,   ');
    expect(classes).toEqual([
      { label: 'traffic light', names: ['traffic light'] },
      { label: 'car', names: ['car'] },
    ]);
  });

  it('gives no classes for empty or blank input', () => {
    for (const text of ['', '   ', ',;\n', ' | , | ']) {
      const r = parseVocabulary(text);
      expect(r.classes).toEqual([]);
      expect(r.warnings).toEqual([]);
    }
  });

  it('drops duplicates across classes (case-insensitive) with a warning', () => {
    const { classes, warnings } = parseVocabulary('Cat, dog, cat, kitten | DOG');
    expect(classes).toEqual([
      { label: 'Cat', names: ['Cat'] },
      { label: 'dog', names: ['dog'] },
      { label: 'kitten', names: ['kitten'] },
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"cat"');
    expect(warnings[0]).toContain('"Cat"');
    expect(warnings[1]).toContain('"DOG"');
    expect(warnings[1]).toContain('"dog"');
  });

  it('drops duplicates within one class (case-insensitive) with a warning', () => {
    const { classes, warnings } = parseVocabulary('car | Car | auto | CAR, road');
    expect(classes).toEqual([
      { label: 'car', names: ['car', 'auto'] },
      { label: 'road', names: ['road'] },
    ]);
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w.toLowerCase()).toContain('"car"');
  });

  it('treats whitespace variants as duplicates', () => {
    const { classes, warnings } = parseVocabulary('traffic light, traffic   LIGHT');
    expect(classes.map((c) => c.label)).toEqual(['traffic light']);
    expect(warnings).toHaveLength(1);
  });

  it('shortens very long names with a warning', () => {
    const long = 'x'.repeat(250);
    const { classes, warnings } = parseVocabulary(`sky, ${long}`);
    expect(classes[1]!.names[0]).toBe('x'.repeat(200));
    expect(classes[1]!.label).toBe('x'.repeat(200));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('shortened');
    // A name of exactly the limit is kept as it is.
    expect(parseVocabulary('y'.repeat(200)).warnings).toEqual([]);
  });

  it('keeps HTML verbatim as plain text', () => {
    const { classes } = parseVocabulary('<b>cat</b>, <img src=x onerror="alert(1)"> | a&b');
    expect(classes).toEqual([
      { label: '<b>cat</b>', names: ['<b>cat</b>'] },
      { label: '<img src=x onerror="alert(1)">', names: ['<img src=x onerror="alert(1)">', 'a&b'] },
    ]);
  });
});

describe('promptsFor', () => {
  it('fills each template with the name', () => {
    expect(promptsFor('cat', ['{}', 'a photo of a {}.', 'a {} and another {}'])).toEqual([
      'cat',
      'a photo of a cat.',
      'a cat and another cat',
    ]);
  });

  it('inserts names literally (no replacement patterns)', () => {
    expect(promptsFor("$& $' $1", ['a photo of {}.'])).toEqual(["a photo of $& $' $1."]);
  });

  it('gives one prompt a template', () => {
    expect(promptsFor('sky', [])).toEqual([]);
    expect(promptsFor('sky', ['{}'])).toEqual(['sky']);
  });
});
