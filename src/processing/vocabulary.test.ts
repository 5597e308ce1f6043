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
    // One line for the name, however often it is repeated.
    expect(warnings).toEqual(['"Car" appears 3 times (2 repeats); kept it in "car" only.']);
  });

  it('groups repeated warnings: a name pasted 20,000 times gives one line', () => {
    // 19,999 warnings, each rendered as a line, were what made such a paste take 2 s.
    const { classes, warnings } = parseVocabulary(Array.from({ length: 20_000 }, () => 'red').join(', '));
    expect(classes).toEqual([{ label: 'red', names: ['red'] }]);
    expect(warnings).toEqual(['"red" appears 20,000 times (19,999 repeats); kept it in "red" only.']);
    // The same within one class ("red | red | ..."), where each check used to scan the class so far.
    const one = parseVocabulary(Array.from({ length: 20_000 }, () => 'red').join(' | '));
    expect(one.classes).toEqual([{ label: 'red', names: ['red'] }]);
    expect(one.warnings).toEqual(['"red" appears 20,000 times (19,999 repeats); kept it in "red" only.']);
  });

  it('groups shortened names into one warning', () => {
    const { warnings } = parseVocabulary(['a', 'b', 'c'].map((c) => c.repeat(300)).join(', '));
    expect(warnings).toEqual([
      '3 names (the first: "aaaaaaaaaaaaaaaaaaaaaaaa…") are longer than 200 characters and were shortened.',
    ]);
  });

  it("takes names that are Object's own property names like any other", () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
    const { classes, warnings } = parseVocabulary(`${names.join(', ')}, Constructor | __PROTO__`);
    expect(classes.map((c) => c.label)).toEqual(names);
    expect(warnings).toEqual([
      '"Constructor" appears more than once; kept it in "constructor" only.',
      '"__PROTO__" appears more than once; kept it in "__proto__" only.',
    ]);
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
