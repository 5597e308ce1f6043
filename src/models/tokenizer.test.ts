import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClipTokenizer, type ClipTokenizer } from './tokenizer';

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const golden = readJson('fixtures/tokenizer_golden.json') as { text: string; input_ids: number[] }[];
const START = 49406,
  END = 49407;

let tok: ClipTokenizer;

beforeAll(async () => {
  tok = await createClipTokenizer(
    readJson('tools/clip-tokenizer/tokenizer.json'),
    readJson('tools/clip-tokenizer/tokenizer_config.json'),
  );
});

describe('createClipTokenizer', () => {
  it('has the 36 golden prompts', () => {
    expect(golden).toHaveLength(36);
  });

  for (const [i, g] of golden.entries()) {
    it(`gives the reference ids for golden prompt ${i}: ${JSON.stringify(g.text.slice(0, 40))}`, () => {
      expect(tok.ids(g.text)).toEqual(g.input_ids);
    });
  }

  it('truncates long prompts to 77 ids, keeping the start and end tokens', () => {
    const long = golden.filter((g) => g.input_ids.length === 77);
    expect(long.length).toBeGreaterThan(0);
    for (const g of long) {
      const ids = tok.ids(g.text);
      expect(ids).toHaveLength(77);
      expect(ids[0]).toBe(START);
      expect(ids[76]).toBe(END);
    }
    const ids = tok.ids('cat '.repeat(200));
    expect(ids).toHaveLength(77);
    expect([ids[0], ids[76]]).toEqual([START, END]);
  });

  it('honours a smaller maxLength', async () => {
    const short = await createClipTokenizer(
      readJson('tools/clip-tokenizer/tokenizer.json'),
      readJson('tools/clip-tokenizer/tokenizer_config.json'),
      5,
    );
    const full = tok.ids('a photo of a cat.');
    expect(short.ids('a photo of a cat.')).toEqual([...full.slice(0, 4), END]);
    expect(short.ids('sky')).toEqual(tok.ids('sky'));
  });

  it('pads a batch with the end token to the longest prompt, mask 1 on tokens and 0 on padding', () => {
    const texts = ['sky', 'a photo of a cat.', 'dog'];
    const rows = texts.map((t) => golden.find((g) => g.text === t)!.input_ids);
    const b = tok.pad(texts.map((t) => tok.ids(t)));
    const length = Math.max(...rows.map((r) => r.length));
    expect(b.batch).toBe(3);
    expect(b.length).toBe(length);
    expect(b.ids).toBeInstanceOf(BigInt64Array);
    expect(b.mask).toBeInstanceOf(BigInt64Array);
    const ids: number[] = [];
    const mask: number[] = [];
    for (const r of rows)
      for (let j = 0; j < length; j++) {
        ids.push(j < r.length ? r[j]! : END);
        mask.push(j < r.length ? 1 : 0);
      }
    expect(Array.from(b.ids, Number)).toEqual(ids);
    expect(Array.from(b.mask, Number)).toEqual(mask);
  });

  it('pads to padTo when it is longer than every prompt', () => {
    const b = tok.pad([tok.ids('sky')], 6);
    expect(b.length).toBe(6);
    expect(Array.from(b.ids, Number)).toEqual([START, 2390, END, END, END, END]);
    expect(Array.from(b.mask, Number)).toEqual([1, 1, 1, 0, 0, 0]);
  });
});
