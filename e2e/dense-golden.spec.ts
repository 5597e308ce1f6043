/**
 * CLIPSeg split at load, in the browser on this project's backend: the golden pixel values against the
 * three golden prompts through the app's worker (fp32 files), compared with the PyTorch logits.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import { agreement, maxAbsDiff } from './support/metrics';

const dir = new URL('../fixtures/clipseg-tiny/', import.meta.url);
const texts = (JSON.parse(readFileSync(new URL('golden.json', dir), 'utf8')) as { texts: string[] }).texts;
const f32 = (name: string) => {
  const b = readFileSync(new URL(name, dir));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** Runs the golden pixel values against the golden prompts in the page's worker. */
async function runGolden(page: import('@playwright/test').Page) {
  const pixels = Array.from(f32('pixel_values.bin'));
  const run = await page.evaluate(
    async ({ pixels, texts }) => {
      const client = window.__ovseg!.controller.client;
      await client.setVocabulary({ classes: texts.map((t) => ({ label: t, names: [t] })) });
      const r = await client.segment({
        pixels: { data: Float32Array.from(pixels), width: 352, height: 352 },
        threshold: 0,
        debug: true,
      });
      return { labels: Array.from(r.labels), logits: Array.from(r.debug?.dense?.classLogits ?? []) };
    },
    { pixels, texts },
  );
  return run;
}

/** Argmax of reference logits, one class a prompt (label k + 1). */
function refLabels(ref: Float32Array): Uint8Array {
  const P = 352 * 352;
  const out = new Uint8Array(P);
  for (let i = 0; i < P; i++) {
    const v = texts.map((_, k) => ref[k * P + i]!);
    out[i] = v.indexOf(Math.max(...v)) + 1;
  }
  return out;
}

test('split CLIPSeg reproduces the PyTorch logits for one image and three prompts', async ({ app, page }) => {
  await app.open({ model: 'clipseg-rd64-refined', dtype: 'fp32', debug: true, classes: texts.join(', ') });
  await expect(page.getByTestId('model-name')).toHaveText('CLIPSeg rd64-refined');
  const run = await runGolden(page);
  const ref = f32('logits.bin');
  const diff = maxAbsDiff(run.logits, ref);
  const same = agreement(run.labels, refLabels(ref));
  console.log(
    `[clipseg ${app.ep}] split logits vs PyTorch: max abs ${diff.toExponential(2)}, argmax agreement ${(100 * same).toFixed(3)}%`,
  );
  // The fixture README measured 6e-4 (ONNX Runtime CPU vs PyTorch, logits spanning about ±360).
  expect(diff).toBeLessThan(1e-3);
  expect(same).toBeGreaterThan(0.9999);
});

test('the fp16 variant, split, matches its own ONNX Runtime reference', async ({ app, page }) => {
  test.skip(
    app.ep === 'webgpu',
    'SwiftShader has no shader-f16, so fp16 graphs do not run on this WebGPU adapter',
  );
  await app.open({ model: 'clipseg-rd64-refined', dtype: 'fp16', debug: true, classes: texts.join(', ') });
  await expect(page.getByTestId('status')).toContainText('[fp16]');
  const run = await runGolden(page);
  const ref = f32('logits_fp16_ort_broadcast.bin');
  const diff = maxAbsDiff(run.logits, ref);
  const same = agreement(run.labels, refLabels(ref));
  console.log(
    `[clipseg ${app.ep} fp16] split vs its ORT reference: max abs ${diff.toFixed(3)}, argmax ${(100 * same).toFixed(2)}%`,
  );
  // Measured for the fixtures: 0.25 max abs, 99.1 % argmax (float16 rounding at the cut).
  expect(diff).toBeLessThan(0.3);
  expect(same).toBeGreaterThan(0.99);
});

test('the vision tower runs once per image; a vocabulary edit reads back only its new row', async ({
  app,
  page,
}) => {
  // Two prompts, then a third: six decoder rows in all, each a few seconds on SwiftShader.
  test.slow(app.ep === 'webgpu', 'each decoder row takes seconds on a software WebGPU adapter');
  const two = texts.slice(0, 2);
  await app.open({ model: 'clipseg-rd64-refined', dtype: 'fp32', debug: true, classes: two.join(', ') });
  await expect(page.getByTestId('model-name')).toHaveText('CLIPSeg rd64-refined');
  const pixels = Array.from(f32('pixel_values.bin'));
  const runs = await page.evaluate(
    async ({ pixels, texts }) => {
      const client = window.__ovseg!.controller.client;
      const classes = (t: string[]) => t.map((x) => ({ label: x, names: [x] }));
      const image = { data: Float32Array.from(pixels), width: 352, height: 352 };
      await client.setVocabulary({ classes: classes(texts) });
      const first = await client.segment({ pixels: image, threshold: 0, debug: true });
      await client.setVocabulary({ classes: classes([...texts, 'sky']) });
      const edit = await client.segment({ threshold: 0, debug: true });
      const again = await client.segment({ pixels: image, threshold: 0, debug: true });
      // The kept rows of the edit and a fresh run of every row give the same class scores.
      const a = edit.debug!.dense!.classLogits;
      const b = again.debug!.dense!.classLogits;
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      // Counters the dense family reports (NaN if one is missing, which fails the checks below).
      const counted = (r: typeof first.stats) => ({
        vision: r?.dense?.vision ?? NaN,
        decoderRows: r?.dense?.decoderRows ?? NaN,
        bytesReadBack: r?.dense?.bytesReadBack ?? NaN,
      });
      return { first: counted(first.stats), edit: counted(edit.stats), again: counted(again.stats), maxDiff };
    },
    { pixels, texts: two },
  );
  const row = 352 * 352 * 4;
  console.log(
    `[clipseg ${app.ep}] bytes read back: new image ${runs.again.bytesReadBack - runs.edit.bytesReadBack} ` +
      `(3 rows), vocabulary edit ${runs.edit.bytesReadBack - runs.first.bytesReadBack} (1 new row); ` +
      `kept vs fresh rows: max abs ${runs.maxDiff.toExponential(2)}`,
  );
  expect(runs.edit.vision).toBe(runs.first.vision);
  expect(runs.edit.decoderRows - runs.first.decoderRows).toBe(1);
  expect(runs.edit.bytesReadBack - runs.first.bytesReadBack).toBe(row);
  expect(runs.again.vision - runs.edit.vision).toBe(1);
  expect(runs.again.decoderRows - runs.edit.decoderRows).toBe(3);
  expect(runs.again.bytesReadBack - runs.edit.bytesReadBack).toBe(3 * row);
  expect(runs.maxDiff).toBeLessThan(1e-3);
});
