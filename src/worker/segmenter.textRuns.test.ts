import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import { createClipTokenizer } from '../models/tokenizer';
import { parseVocabulary } from '../processing/vocabulary';
import type { Segmenter } from './segmenter';

const DIR = 'fixtures/clipseg-tiny';
const pixels = () => {
  const b = readFileSync(`${DIR}/pixel_values.bin`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
/** Names of 1 to 4 words: prompts of several token lengths, interleaved. */
const NAMES = ['cat', 'a red disc', 'grass', 'blue sky', 'an old brick wall', 'dog', 'green field', 'sea'];
const HOOK_TIMEOUT = 60_000;

async function loaded(): Promise<Segmenter> {
  const engine = newSegmenter();
  await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
  await engine.setPixelValues(pixels(), 352, 352);
  return engine;
}

describe('text runs by token length (clipseg-tiny, WASM in Node)', () => {
  let together: Segmenter;
  let alone: Segmenter;
  beforeAll(async () => {
    [together, alone] = [await loaded(), await loaded()];
  }, 2 * HOOK_TIMEOUT);

  it('encodes a vocabulary in one run per token length, with the values each prompt gets alone', async () => {
    const tok = await createClipTokenizer(
      JSON.parse(readFileSync(`fixtures/clip-tokenizer/tokenizer.json`, 'utf8')),
      JSON.parse(readFileSync(`fixtures/clip-tokenizer/tokenizer_config.json`, 'utf8')),
    );
    const lengths = new Set(NAMES.map((n) => tok.ids(n).length));
    expect(lengths.size).toBeGreaterThan(2); // the test needs several lengths

    await together.setVocabulary(parseVocabulary('zzz').classes);
    const r0 = await together.segment({ threshold: 0 });
    const { encoded } = await together.setVocabulary(parseVocabulary(NAMES.join(', ')).classes);
    expect(encoded).toBe(NAMES.length);
    const all = await together.segment({ threshold: 0, debug: true });
    // One text run per distinct length: no run mixes lengths (a mixed run pads the shorter prompts).
    expect(all.runs.text - r0.runs.text).toBe(lengths.size);

    // The same names encoded one at a time (each edit encodes only the new prompt, a run of one).
    for (let k = 1; k <= NAMES.length; k++)
      await alone.setVocabulary(parseVocabulary(NAMES.slice(0, k).join(', ')).classes);
    const one = await alone.segment({ threshold: 0, debug: true });
    const a = all.debug!.dense!.classLogits,
      b = one.debug!.dense!.classLogits;
    expect(a.length).toBe(b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    // Batch shape changes only the order of float sums: far under the goldens' 1e-3.
    expect(worst).toBeLessThan(1e-4);
    expect(Array.from(all.labels)).toEqual(Array.from(one.labels));
  });
});
