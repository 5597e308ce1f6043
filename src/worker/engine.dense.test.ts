import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsFetcher, newEngine } from '../../tools/lib/nodeEngine';
import { parseVocabulary } from '../processing/vocabulary';
import type { Engine } from './engine';

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

describe('dense family through the engine (clipseg-tiny, split at load, WASM in Node)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = newEngine();
    await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
  });

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

  it('a vocabulary edit encodes only the new prompts; the image part reruns for the new rows', async () => {
    const before = await engine.segment({ threshold: 0 });
    await engine.setVocabulary(parseVocabulary([...texts, 'sky'].join(', ')).classes);
    const after = await engine.segment({ threshold: 0 });
    expect(after.runs.promptsEncoded - before.runs.promptsEncoded).toBe(1);
    expect(after.runs.image).toBe(before.runs.image + 1);
    expect(after.classes).toEqual([...texts, 'sky']);
    // Threshold changes reuse the image part's output.
    const again = await engine.segment({ threshold: 0.5 });
    expect(again.runs.image).toBe(after.runs.image);
  });
});
