import { describe, expect, it } from 'vitest';
import { classListToVocabulary } from './classList';
import { parseVocabulary } from './vocabulary';

describe('classListToVocabulary', () => {
  it('turns id:name,synonym lines into one class a line, skipping the placeholder', () => {
    const text = '0:invalid_class_id\n1:wall,walls,brick wall\n2:sky,clouds\n\n3:bag,bag,bags\n';
    expect(classListToVocabulary(text)).toBe('wall | walls | brick wall\nsky | clouds\nbag | bags');
  });

  it('keeps a real class 0 and survives separators inside names', () => {
    const v = classListToVocabulary('0:road,railroad\n1:side|walk;x,pavement');
    const { classes } = parseVocabulary(v);
    expect(classes.map((c) => c.names)).toEqual([
      ['road', 'railroad'],
      ['side walk x', 'pavement'],
    ]);
  });
});
