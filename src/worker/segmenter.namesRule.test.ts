import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import type { Manifest } from '../models/manifest';
import { MAX_ROWS } from '../models/dense/namesRule';
import { parseVocabulary } from '../processing/vocabulary';
import type { Segmenter } from './segmenter';

const DIR = 'fixtures/clipseg-tiny';
const pixels = () => {
  const b = readFileSync(`${DIR}/pixel_values.bin`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
/** Loading splits the model and warms every part at real shapes: seconds, more on a shared CPU. */
const HOOK_TIMEOUT = 60_000;

/** 17 classes of 3 names: 51 prompts, over the 48 where `auto` starts averaging. */
const CLASSES = 17;
const names = (c: number) => [0, 1, 2].map((k) => `thing ${c * 3 + k}`);
const vocab = parseVocabulary(
  Array.from({ length: CLASSES }, (_, c) => names(c).join(' | ')).join(', '),
).classes;
const PROMPTS = CLASSES * 3;

describe('the rule for classes with several names (clipseg-tiny, WASM in Node)', () => {
  let engine: Segmenter;
  beforeAll(async () => {
    engine = newSegmenter();
    await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
  }, HOOK_TIMEOUT);

  it('max runs one decoder row per name above 48 prompts; auto averages; switching reuses kept rows', async () => {
    expect(PROMPTS).toBeGreaterThan(MAX_ROWS);
    expect(engine.info?.settings).toEqual({ names: 'auto' });
    await engine.setVocabulary(vocab, { names: 'max' });
    await engine.setPixelValues(pixels(), 352, 352);
    const max = await engine.segment({ threshold: 0, debug: true });
    expect(max.stats!.dense!.rows).toMatchObject({
      rule: 'max',
      count: PROMPTS,
      prompts: PROMPTS,
      asked: 'max',
    });
    const visionRuns = max.stats!.dense!.vision;

    // Max over names: each class's logits are the per-pixel max of its names' rows, which a
    // vocabulary of one class per name (same prompts, so no new decoder row) shows directly.
    const single = parseVocabulary(
      Array.from({ length: PROMPTS }, (_, i) => `thing ${i}`).join(', '),
    ).classes;
    await engine.setVocabulary(single, { names: 'max' });
    const rows = await engine.segment({ threshold: 0, debug: true });
    expect(rows.stats!.dense!.decoderRows).toBe(max.stats!.dense!.decoderRows);
    const P = rows.debug!.dense!.classLogits.length / PROMPTS;
    const perName = rows.debug!.dense!.classLogits;
    const perClass = max.debug!.dense!.classLogits;
    let differing = 0;
    for (let c = 0; c < CLASSES; c++)
      for (let p = 0; p < P; p++) {
        const best = Math.max(...[0, 1, 2].map((k) => perName[(c * 3 + k) * P + p]!));
        if (best !== perClass[c * P + p]) differing++;
      }
    expect(differing).toBe(0);

    // max -> mean: no vision pass, one decoder row per class.
    await engine.setVocabulary(vocab, { names: 'mean' });
    const mean = await engine.segment({ threshold: 0, debug: true });
    expect(mean.stats!.dense!.rows).toMatchObject({ rule: 'mean', count: CLASSES, asked: 'mean' });
    expect(mean.stats!.dense!.vision).toBe(visionRuns);
    expect(mean.stats!.dense!.decoderRows - rows.stats!.dense!.decoderRows).toBe(CLASSES);
    expect(Array.from(mean.debug!.dense!.classLogits)).not.toEqual(Array.from(perClass));

    // mean -> max: the kept rows come back (96 MiB holds 68 rows of 352 x 352): no decoder row.
    await engine.setVocabulary(vocab, { names: 'max' });
    const back = await engine.segment({ threshold: 0, debug: true });
    expect(back.stats!.dense!.rows?.rule).toBe('max');
    expect([back.stats!.dense!.vision, back.stats!.dense!.decoderRows]).toEqual([
      visionRuns,
      mean.stats!.dense!.decoderRows,
    ]);
    expect(Array.from(back.debug!.dense!.classLogits)).toEqual(Array.from(perClass));

    // auto (the default when nothing is asked): above 48 prompts, one averaged row per class, kept.
    await engine.setVocabulary(vocab);
    const auto = await engine.segment({ threshold: 0, debug: true });
    expect(auto.stats!.dense!.rows).toMatchObject({ rule: 'mean', count: CLASSES, asked: 'auto' });
    expect(auto.stats!.dense!.decoderRows).toBe(mean.stats!.dense!.decoderRows);
    expect(Array.from(auto.debug!.dense!.classLogits)).toEqual(Array.from(mean.debug!.dense!.classLogits));

    // auto at 48 prompts or fewer: max over names.
    const few = vocab.slice(0, MAX_ROWS / 3);
    await engine.setVocabulary(few, { names: 'auto' });
    const small = await engine.segment({ threshold: 0 });
    expect(small.stats!.dense!.rows).toMatchObject({ rule: 'max', count: MAX_ROWS, asked: 'auto' });
    expect(small.stats!.dense!.decoderRows).toBe(mean.stats!.dense!.decoderRows);
  });

  it(
    "a manifest's classMode sets the default, above 48 prompts too; the user's rule overrides it",
    async () => {
      const manifest = {
        ...(JSON.parse(readFileSync(`${DIR}/ovseg.json`, 'utf8')) as Manifest),
        classMode: 'max',
      } as Manifest;
      const e = newSegmenter();
      const info = await e.load(fsFetcher(DIR), { manifest }, 'wasm', { dtype: 'fp32' });
      expect(info.settings).toEqual({ names: 'max' });
      await e.setPixelValues(pixels(), 352, 352);
      await e.setVocabulary(vocab);
      expect((await e.segment({ threshold: 0 })).stats!.dense!.rows).toMatchObject({
        rule: 'max',
        count: PROMPTS,
      });
      await e.setVocabulary(vocab, { names: 'auto' });
      expect((await e.segment({ threshold: 0 })).stats!.dense!.rows).toMatchObject({
        rule: 'mean',
        count: CLASSES,
      });
      await e.dispose();
    },
    HOOK_TIMEOUT,
  );
});
