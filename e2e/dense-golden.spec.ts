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

test('split CLIPSeg reproduces the PyTorch logits for one image and three prompts', async ({ app, page }) => {
  await app.open({ model: 'clipseg-rd64-refined', dtype: 'fp32', debug: true, classes: texts.join(', ') });
  await expect(page.getByTestId('model-name')).toHaveText('CLIPSeg rd64-refined');
  const pixels = Array.from(f32('pixel_values.bin'));
  const run = await page.evaluate(
    async ({ pixels, texts }) => {
      type Client = {
        segment(r: object): Promise<{ labels: Uint16Array; debug?: { classLogits?: Float32Array } }>;
      };
      const hook = (window as unknown as { __ovseg: { controller: { client: Client } } }).__ovseg;
      const r = await hook.controller.client.segment({
        pixels: { data: Float32Array.from(pixels), width: 352, height: 352 },
        classes: texts.map((t) => ({ label: t, names: [t] })),
        threshold: 0,
        debug: true,
      });
      return { labels: Array.from(r.labels), logits: Array.from(r.debug?.classLogits ?? []) };
    },
    { pixels, texts },
  );
  const ref = f32('logits.bin');
  const diff = maxAbsDiff(run.logits, ref);
  // Reference labels: argmax of the PyTorch logits (one class a prompt).
  const P = 352 * 352;
  const refLabels = new Uint8Array(P);
  for (let i = 0; i < P; i++) {
    const v = texts.map((_, k) => ref[k * P + i]!);
    refLabels[i] = v.indexOf(Math.max(...v)) + 1;
  }
  const same = agreement(run.labels, refLabels);
  console.log(
    `[clipseg ${app.ep}] split logits vs PyTorch: max abs ${diff.toExponential(2)}, argmax agreement ${(100 * same).toFixed(3)}%`,
  );
  // The fixture README measured 6e-4 (ONNX Runtime CPU vs PyTorch, logits spanning about ±360).
  expect(diff).toBeLessThan(1e-3);
  expect(same).toBeGreaterThan(0.9999);
});
