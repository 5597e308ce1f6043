import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import { parseVocabulary } from '../processing/vocabulary';
import type { Segmenter } from './segmenter';

/*
 * Preprocessing parity: from each fixture's image.png, the engine's own preprocessing (the code the
 * worker and the command line share) must produce the golden pixel_values, which the fixtures made
 * with PIL's bilinear resize and numpy float32 normalisation as the Hugging Face processors do.
 */
const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Loading takes about a second; far more when other test files share the CPU. */
const HOOK_TIMEOUT = 60_000;

const fixtures = [
  { dir: 'fixtures/clipseg-tiny', vocab: 'a red disc, a blue rectangle, grass', size: [352, 352] },
  { dir: 'fixtures/query-ovseg-tiny', vocab: 'red disc | red circle, blue rectangle', size: [320, 256] },
] as const;

for (const fx of fixtures) {
  describe(`preprocessing of ${fx.dir}/image.png (Node, WASM)`, () => {
    let engine: Segmenter;
    const img = decodeImage(new Uint8Array(readFileSync(`${fx.dir}/image.png`)));
    const golden = f32(`${fx.dir}/pixel_values.bin`);

    beforeAll(async () => {
      engine = newSegmenter();
      await engine.load(fsFetcher(fx.dir), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
      await engine.setVocabulary(parseVocabulary(fx.vocab).classes);
    }, HOOK_TIMEOUT);
    afterAll(() => engine.dispose());

    it('feeds the model the golden pixel_values', async () => {
      await engine.setImage(rgbaSource(img));
      const out = await engine.segment({ threshold: 0, debug: true });
      const px = out.debug?.pixelValues;
      if (!px) throw new Error('no pixel values in the debug output');
      expect(maxAbs(px, golden)).toBeLessThanOrEqual(1e-6);
    });

    it('labels the file exactly as it labels the golden pixel_values', async () => {
      await engine.setImage(rgbaSource(img));
      const fromFile = (await engine.segment({ threshold: 0 })).labels.slice();
      const [w, h] = fx.size;
      await engine.setPixelValues(golden, w, h, img.width, img.height);
      const fromGolden = (await engine.segment({ threshold: 0 })).labels;
      expect(fromFile.length).toBe(img.width * img.height);
      let differ = 0;
      for (let i = 0; i < fromFile.length; i++) if (fromFile[i] !== fromGolden[i]) differ++;
      expect(differ, 'pixels labelled differently').toBe(0);
    });
  });
}
