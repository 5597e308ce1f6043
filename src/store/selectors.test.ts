import { describe, expect, it } from 'vitest';
import { parseVocabulary } from '../processing/vocabulary';
import { selectVocab } from './selectors';

describe('selectVocab', () => {
  it('derives the vocabulary from the typed text, as the parser does', () => {
    const text = 'sky | blue, grass, sky';
    expect(selectVocab({ classesText: text })).toEqual(parseVocabulary(text));
  });

  it('gives the same object until the text changes (stable for React selectors)', () => {
    const a = selectVocab({ classesText: 'red, green' });
    expect(selectVocab({ classesText: 'red, green' })).toBe(a);
    const b = selectVocab({ classesText: 'red, blue' });
    expect(b).not.toBe(a);
    expect(b.classes.map((c) => c.label)).toEqual(['red', 'blue']);
  });
});
