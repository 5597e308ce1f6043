/**
 * SAM proposals named by CLIP through the app's real engine (Node, WASM): the sam-tiny bundle, its
 * image.png through the app's own preprocessing, against the PyTorch references of the automatic
 * mask generation (the same masks in the same order) and of the naming (the label maps).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import type { Segmenter } from './segmenter';
import { f32, GOLDEN, maxAbs, u16, u8 } from '../models/samclip/testFixtures.testing';

const DIR = 'fixtures/sam-tiny';
const image = () => decodeImage(new Uint8Array(readFileSync(`${DIR}/image.png`)));
const vocabOf = (classes: string[][]) => classes.map((names) => ({ label: names[0]!, names }));
const NAMING = GOLDEN.naming as {
  vocabulary: { classes: string[][] };
  vocabulary_b: { classes: string[][] };
};
const agreement = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
};

describe('sam-clip through the engine (WASM, Node)', () => {
  let e: Segmenter;
  beforeAll(async () => {
    e = newSegmenter();
    await e.load(fsFetcher(DIR), { path: 'ovseg.json' }, 'wasm', { dtype: 'fp32' });
    await e.setVocabulary(vocabOf(NAMING.vocabulary.classes), { uncovered: 'unlabelled' });
    await e.setImage(rgbaSource(image()));
  }, 180_000);
  afterAll(() => e?.dispose());

  it('keeps the masks the reference automatic mask generation keeps, in its order', async () => {
    const r = await e.segment({ threshold: 0, debug: true });
    const d = r.debug!['sam-clip']!;
    const K = 12;
    expect(d.source.length).toBe(K);
    const golden = u8('amg_masks');
    let differing = 0;
    for (let i = 0; i < golden.length; i++) if (golden[i] !== d.masks[i]) differing++;
    expect(differing).toBe(0);
    expect(maxAbs(d.iou, f32('amg_iou'))).toBeLessThan(1e-4);
    expect(maxAbs(d.stability, f32('amg_stability'))).toBeLessThan(1e-3);
    expect(r.stats!['sam-clip']!.masks).toBe(K);
  });

  it('names the masks and labels the picture as the reference does (>= 99.9 %)', async () => {
    const r = await e.segment({ threshold: 0, debug: true });
    const d = r.debug!['sam-clip']!;
    expect(maxAbs(d.maskEmbeds, f32('mask_embeds'))).toBeLessThan(1e-4);
    expect(maxAbs(d.classProbs, f32('class_probs'))).toBeLessThan(1e-4);
    expect(agreement(r.labels, u16('label_map'))).toBeGreaterThanOrEqual(0.999);
    const t05 = await e.segment({ threshold: 0.5 });
    expect(agreement(t05.labels, u16('label_map_t05'))).toBeGreaterThanOrEqual(0.999);
  });

  it("fills uncovered pixels with dense CLIP's patch label when asked, with no image model run", async () => {
    const runs = (await e.segment({ threshold: 0 })).runs.image;
    await e.setVocabulary(vocabOf(NAMING.vocabulary.classes), { uncovered: 'patch' });
    const r = await e.segment({ threshold: 0 });
    expect(r.runs.image).toBe(runs);
    expect(agreement(r.labels, u16('label_map_fill'))).toBeGreaterThanOrEqual(0.999);
  });

  it('labels a second vocabulary whose classes vary across the picture (thresholds and fill too)', async () => {
    await e.setVocabulary(vocabOf(NAMING.vocabulary_b.classes), { uncovered: 'unlabelled' });
    const r = await e.segment({ threshold: 0, debug: true });
    expect(maxAbs(r.debug!['sam-clip']!.classProbs, f32('b_class_probs'))).toBeLessThan(1e-4);
    expect(agreement(r.labels, u16('b_label_map'))).toBeGreaterThanOrEqual(0.999);
    expect(
      agreement((await e.segment({ threshold: 2 })).labels, u16('b_label_map_t20')),
    ).toBeGreaterThanOrEqual(0.999);
    await e.setVocabulary(vocabOf(NAMING.vocabulary_b.classes), { uncovered: 'patch' });
    expect(
      agreement((await e.segment({ threshold: 0 })).labels, u16('b_label_map_fill')),
    ).toBeGreaterThanOrEqual(0.999);
  });
});
