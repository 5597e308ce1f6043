import { describe, expect, it } from 'vitest';
import { parseVocabulary, promptsFor, VOCAB_LIMITS, vocabularyCostProblem } from './vocabulary';

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

describe('what a vocabulary may cost', () => {
  it('keeps the first names of a class that has too many, and says so once', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `n${i}`).join('|');
    const { classes, warnings } = parseVocabulary(`${many}, sky`);
    expect(classes[0]!.names).toHaveLength(VOCAB_LIMITS.namesPerClass);
    expect(classes[0]!.names.at(-1)).toBe(`n${VOCAB_LIMITS.namesPerClass - 1}`);
    expect(classes[1]).toEqual({ label: 'sky', names: ['sky'] });
    expect(warnings).toEqual([
      `"n0" has 100,000 names: only the first ${VOCAB_LIMITS.namesPerClass} are used (a class may have at most ${VOCAB_LIMITS.namesPerClass}).`,
    ]);
  });

  it('names the first crowded classes and counts the rest', () => {
    const crowded = (k: number) => Array.from({ length: 70 }, (_, i) => `c${k}x${i}`).join('|');
    const { warnings } = parseVocabulary(Array.from({ length: 5 }, (_, k) => crowded(k)).join(', '));
    expect(warnings).toHaveLength(4);
    expect(warnings[3]).toBe('2 more classes have over 64 names.');
  });

  it('counts prompts as names times templates, and names the bound that is passed', () => {
    const vocab = (classes: number, names: number) =>
      Array.from({ length: classes }, (_, k) => ({
        label: `c${k}`,
        names: Array.from({ length: names }, (_, i) => `c${k}n${i}`),
      }));
    expect(vocabularyCostProblem(vocab(2500, 1), 8)).toBeNull(); // exactly 20,000
    expect(vocabularyCostProblem(vocab(2501, 1), 8)).toBe(
      'This vocabulary needs 20,008 prompts (2,501 names × 8 templates of this model): at most 20,000 can be encoded. Use fewer names.',
    );
    expect(vocabularyCostProblem(vocab(400, 60), 1)).toMatch(/24,000 prompts \(24,000 names × 1 template of/);
    expect(vocabularyCostProblem(vocab(1, 65), 1)).toBe('"c0" has 65 names: a class may have at most 64.');
    expect(vocabularyCostProblem(vocab(4097, 1), 1)).toMatch(/4,097 classes: at most 4,096/);
  });
});
