import { describe, expect, it } from 'vitest';
import { chooseRows, defaultRuleText, MAX_ROWS, rowsText } from './namesRule';

describe('chooseRows', () => {
  it('auto: max up to 48 prompts, averaged above; max and mean hold at any count', () => {
    expect(chooseRows('auto', MAX_ROWS, true)).toBe('max');
    expect(chooseRows('auto', MAX_ROWS + 1, true)).toBe('mean');
    expect(chooseRows('max', 500, true)).toBe('max');
    expect(chooseRows('mean', 2, true)).toBe('mean');
  });

  it('an export that cannot average names always runs max', () => {
    expect(chooseRows('mean', 2, false)).toBe('max');
    expect(chooseRows('auto', 500, false)).toBe('max');
  });
});

describe('rowsText', () => {
  it('says which rule ran, and how to get GKC max when names were averaged', () => {
    const report = { prompts: 79, asked: 'auto' as const, canAverage: true };
    expect(rowsText({ ...report, rule: 'max', count: 79 })).toBe(
      'Names: max over 79 names, one decoder row each',
    );
    expect(rowsText({ ...report, rule: 'mean', count: 20 })).toBe(
      "Names: averaged per class (20 rows) — above 48 names; choose 'best name' for GKC's max",
    );
    expect(rowsText({ ...report, asked: 'mean', rule: 'mean', count: 1 })).toMatch(/\(1 row\) — chosen/);
    expect(rowsText({ ...report, asked: 'mean', rule: 'max', count: 79, canAverage: false })).toMatch(
      /cannot average names/,
    );
  });

  it('the model manager names the default and how to switch', () => {
    expect(defaultRuleText('auto')).toMatch(/^Several names per class: auto: .* 48 names/);
    expect(defaultRuleText('max')).toMatch(/set by this model's manifest.*\?names=auto\|max\|mean/);
  });
});
