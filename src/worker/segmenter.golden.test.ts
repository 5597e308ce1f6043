import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_EP, TEST_EP_NAME, setUpTestEp } from '../../test-support/testEp';
import { decodeImage, fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import { parseVocabulary } from '../processing/vocabulary';
import type { Segmenter } from './segmenter';

const DIR = 'fixtures/query-ovseg-tiny';
const f32 = (file: string) => {
  const b = readFileSync(`${DIR}/${file}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const golden = JSON.parse(readFileSync(`${DIR}/golden.json`, 'utf8')) as { classes: string[][] };
// The golden vocabulary written in the app's own syntax: "|" joins the names of one class.
const vocabText = golden.classes.map((c) => c.join(' | ')).join(', ');
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const agreement = (labels: Uint16Array, ref: Uint8Array) => {
  let same = 0;
  for (let i = 0; i < ref.length; i++) if (labels[i]! - 1 === ref[i]) same++;
  return same / ref.length;
};

describe(`query-ovseg-tiny golden (${TEST_EP_NAME}, Node)`, () => {
  let engine: Segmenter;
  const refLabels = new Uint8Array(readFileSync(`${DIR}/label_map.bin`));

  beforeAll(async () => {
    await setUpTestEp();
    engine = newSegmenter();
    await engine.load(fsFetcher(DIR), { path: 'ovseg.json' }, TEST_EP, { dtype: 'fp32' });
    const { classes } = parseVocabulary(vocabText);
    expect(classes.map((c) => c.names)).toEqual(golden.classes);
    await engine.setVocabulary(classes);
  });

  it('matches class_probs, semseg_low and label_map from the golden pixel_values', async () => {
    await engine.setPixelValues(f32('pixel_values.bin'), 320, 256);
    const out = await engine.segment({ threshold: 0, debug: true });
    expect(maxAbs(out.debug!.query!.classProbs, f32('class_probs.bin'))).toBeLessThan(1e-4);
    expect(maxAbs(out.debug!.query!.semsegLow, f32('semseg_low.bin'))).toBeLessThan(1e-4);
    expect(out.width).toBe(320);
    expect(out.height).toBe(256);
    expect(agreement(out.labels, refLabels)).toBeGreaterThanOrEqual(0.995);
  });

  it('matches label_map starting from image.png through the app preprocessing', async () => {
    const img = decodeImage(new Uint8Array(readFileSync(`${DIR}/image.png`)));
    await engine.setImage(rgbaSource(img));
    const out = await engine.segment({ threshold: 0 });
    expect(agreement(out.labels, refLabels)).toBeGreaterThanOrEqual(0.99);
  });

  it('gives the label map at the image size when the image is not the model size', async () => {
    const img = decodeImage(new Uint8Array(readFileSync(`${DIR}/image.png`)));
    const { resizeRgba } = await import('../processing/resize');
    await engine.setImage(rgbaSource(resizeRgba(img, 480, 384)));
    const out = await engine.segment({ threshold: 0 });
    expect([out.width, out.height, out.labels.length]).toEqual([480, 384, 480 * 384]);
    // Nearest sampling of the golden map at the larger size agrees almost everywhere.
    let same = 0;
    for (let y = 0; y < 384; y++)
      for (let x = 0; x < 480; x++) {
        const ref = refLabels[Math.floor((y * 256) / 384) * 320 + Math.floor((x * 320) / 480)]!;
        if (out.labels[y * 480 + x]! - 1 === ref) same++;
      }
    expect(same / (480 * 384)).toBeGreaterThan(0.98);
  });
});
