import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import { DECODER_ROWS } from '../models/dense/chunks';
import { parseVocabulary } from '../processing/vocabulary';
import type { Segmenter } from './segmenter';

const DIR = 'fixtures/clipseg-tiny';
const f32 = (file: string) => {
  const b = readFileSync(`${DIR}/${file}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const texts = (JSON.parse(readFileSync(`${DIR}/golden.json`, 'utf8')) as { texts: string[] }).texts;
const P = 352 * 352;

/** Reference labels: argmax over the golden PyTorch logits of each prompt (one class a prompt). */
function goldenLabels(): { labels: Uint8Array; margin: Float32Array } {
  const logits = f32('logits.bin');
  const labels = new Uint8Array(P);
  const margin = new Float32Array(P);
  for (let i = 0; i < P; i++) {
    const v = texts.map((_, k) => logits[k * P + i]!);
    const sorted = [...v].sort((a, b) => b - a);
    labels[i] = v.indexOf(sorted[0]!) + 1;
    margin[i] = sorted[0]! - sorted[1]!;
  }
  return { labels, margin };
}

/** Loading splits the model and warms every part at real shapes: seconds, more on a shared CPU. */
const HOOK_TIMEOUT = 60_000;

describe('dense family through the engine (clipseg-tiny, split at load, WASM in Node)', () => {
  let engine: Segmenter;
  beforeAll(async () => {
    engine = newSegmenter();
    await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
  }, HOOK_TIMEOUT);

  it('labels the golden pixel values like the PyTorch logits', async () => {
    await engine.setVocabulary(parseVocabulary(texts.join(', ')).classes);
    await engine.setPixelValues(f32('pixel_values.bin'), 352, 352);
    const out = await engine.segment({ threshold: 0 });
    const ref = goldenLabels();
    let same = 0,
      clear = 0,
      clearSame = 0;
    for (let i = 0; i < P; i++) {
      const ok = out.labels[i] === ref.labels[i];
      if (ok) same++;
      if (ref.margin[i]! > 2e-3) {
        clear++;
        if (ok) clearSame++;
      }
    }
    // Only near-ties in PyTorch itself may differ (the golden README measured 6e-4 max abs).
    expect(clearSame).toBe(clear);
    expect(same / P).toBeGreaterThan(0.9999);
  });

  it('a vocabulary edit encodes only the new prompts and runs no vision pass, only the new row', async () => {
    const before = await engine.segment({ threshold: 0 });
    await engine.setVocabulary(parseVocabulary([...texts, 'sky'].join(', ')).classes);
    const t0 = performance.now();
    const after = await engine.segment({ threshold: 0, debug: true });
    const wall = performance.now() - t0;
    // Timed by the runner where the work ran: the new decoder row is image work, the label pass combine.
    expect(after.timings.image).toBeGreaterThan(0);
    expect(after.timings.combine).toBeGreaterThan(0);
    expect(after.timings.image + after.timings.combine).toBeLessThanOrEqual(wall);
    expect(after.runs.promptsEncoded - before.runs.promptsEncoded).toBe(1);
    expect(after.stats!.dense!.vision).toBe(before.stats!.dense!.vision);
    expect(after.stats!.dense!.decoderRows - before.stats!.dense!.decoderRows).toBe(1);
    expect(after.runs.image).toBe(before.runs.image + 1);
    expect(after.classes).toEqual([...texts, 'sky']);
    // Threshold changes reuse the class scores; removing a class needs no decoder row either.
    const again = await engine.segment({ threshold: 0.5 });
    expect(again.runs).toEqual(after.runs);
    expect(again.timings.image).toBeLessThan(again.timings.combine); // no decoder run: only the labels
    await engine.setVocabulary(parseVocabulary([texts[0], 'sky'].join(', ')).classes);
    const fewer = await engine.segment({ threshold: 0 });
    expect([fewer.stats!.dense!.vision, fewer.stats!.dense!.decoderRows]).toEqual([
      after.stats!.dense!.vision,
      after.stats!.dense!.decoderRows,
    ]);
    // Kept rows give what a fresh run of every row gives.
    await engine.setVocabulary(parseVocabulary([...texts, 'sky'].join(', ')).classes);
    await engine.setPixelValues(f32('pixel_values.bin'), 352, 352);
    const fresh = await engine.segment({ threshold: 0, debug: true });
    expect(fresh.stats!.dense!.vision - after.stats!.dense!.vision).toBe(1);
    expect(fresh.stats!.dense!.decoderRows - after.stats!.dense!.decoderRows).toBe(4);
    expect(Array.from(fresh.debug!.dense!.classLogits)).toEqual(Array.from(after.debug!.dense!.classLogits));
  });

  it('a new image runs the vision tower once for any number of rows; mean mode keys rows by class', async () => {
    // 17 classes of 3 names, 51 prompts (over 48): each class's names average into one decoder row.
    const vocab = (n: number) =>
      parseVocabulary(
        Array.from({ length: n }, (_, c) => [0, 1, 2].map((k) => `thing ${c * 3 + k}`).join(' | ')).join(
          ', ',
        ),
      ).classes;
    const w = vocab(17);
    expect(w.reduce((a, c) => a + c.names.length, 0)).toBeGreaterThan(48);
    // The vocabulary spans several decoder runs (the app's run size on WASM), all on one vision run.
    expect(w.length).toBeGreaterThan(DECODER_ROWS.wasm);
    await engine.setVocabulary(w);
    const before = await engine.segment({ threshold: 0 });
    await engine.setPixelValues(
      f32('pixel_values.bin').map((v) => -v),
      352,
      352,
    );
    const one = await engine.segment({ threshold: 0 });
    expect(one.stats!.dense!.vision - before.stats!.dense!.vision).toBe(1);
    expect(one.stats!.dense!.decoderRows - before.stats!.dense!.decoderRows).toBe(w.length);
    // One more class: one decoder row, no vision run.
    await engine.setVocabulary(vocab(18));
    const edit = await engine.segment({ threshold: 0 });
    expect(edit.stats!.dense!.vision).toBe(one.stats!.dense!.vision);
    expect(edit.stats!.dense!.decoderRows - one.stats!.dense!.decoderRows).toBe(1);
  });
});

describe('int8 dense model: kept rows do not depend on their batch-mates', () => {
  it(
    'runs the decoder one row at a time, so an edit gives what a fresh run gives, exactly',
    async () => {
      const engine = newSegmenter();
      await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'q8' });
      await engine.setVocabulary(parseVocabulary(texts.join(', ')).classes);
      await engine.setPixelValues(f32('pixel_values.bin'), 352, 352);
      await engine.segment({ threshold: 0 });
      await engine.setVocabulary(parseVocabulary(['sky', ...texts].join(', ')).classes);
      const edit = await engine.segment({ threshold: 0, debug: true });
      await engine.setPixelValues(f32('pixel_values.bin'), 352, 352);
      const fresh = await engine.segment({ threshold: 0, debug: true });
      expect(fresh.stats!.dense!.decoderRows - edit.stats!.dense!.decoderRows).toBe(4);
      expect(Array.from(edit.debug!.dense!.classLogits)).toEqual(Array.from(fresh.debug!.dense!.classLogits));
      await engine.dispose();
    },
    HOOK_TIMEOUT,
  );
});
