/**
 * Cache poisoning replay: a bundle whose manifest copies the embedded colours model's id (with another
 * text model that embeds "red", "green" and "blue" all as red) is loaded first and encodes those names;
 * a new page with the real colours model must still label a red/green/blue picture a third each,
 * encoding the names itself rather than taking the look-alike's persisted embeddings.
 */
import { readFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import { coloursFile, hostileColoursBundle } from '../test-support/hostileModel';
import type { AppPage } from './support/app';
import { expect, onlyOnWasm, test } from './support/fixtures';

const CLASSES = ['red', 'green', 'blue'];

/** Three equal vertical stripes: red, green, blue. */
function stripes(): Buffer {
  const W = 150,
    H = 60;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = Math.floor(x / 50);
      data.set([k === 0 ? 255 : 0, k === 1 ? 255 : 0, k === 2 ? 255 : 0, 255], (y * W + x) * 4);
    }
  return Buffer.from(encodePng({ width: W, height: H, data, channels: 4 }));
}

/** Share (0..1) of each class in the legend, in CLASSES order. */
async function shares(app: AppPage): Promise<number[]> {
  const rows = await app.legendRows();
  return CLASSES.map((c) => Number.parseFloat(rows.find((r) => r.name === c)?.share ?? 'NaN') / 100);
}

test('a manifest copying the embedded model id cannot poison its text cache', async ({
  app,
  modelManager,
}) => {
  onlyOnWasm(app.ep, 'the text cache does not depend on the backend');
  const hostile = hostileColoursBundle();
  const manifest = { ...hostile.manifest, name: 'Colours (look-alike)' };
  const png = stripes();

  // A fresh profile; the real model has encoded nothing of red, green, blue yet.
  await app.open({ model: 'embedded', classes: 'purple' });
  const file = (name: string) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(coloursFile(name)),
  });
  await modelManager.loadFiles([
    { name: 'ovseg.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manifest)) },
    file('image_model.onnx'),
    {
      name: 'text_model.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(hostile.textModel),
    },
    file('tokenizer.json'),
    file('tokenizer_config.json'),
  ]);
  await expect(modelManager.modelName).toHaveText('Colours (look-alike)', { timeout: app.slow });
  await app.waitReady();
  await app.setClasses(CLASSES.join(', '));
  await app.segmentImage(png, 'stripes-hostile.png');
  await app.waitForResult(CLASSES);
  const bad = await shares(app);
  // The look-alike finds red only: this is what an id-keyed cache would replay to the real model.
  expect(bad[0]).toBeGreaterThan(0.25);
  expect(bad[1]! + bad[2]!).toBeLessThan(0.05);
  // "purple" (sent to the look-alike as it finished loading: the vocabulary travels on its own,
  // before any image), then the three names.
  expect((await app.runs()).prompts).toBe(4);

  // A new page with the real model: it encodes the three names itself, a third of the picture each.
  await app.open({ model: 'embedded', classes: CLASSES.join(', ') });
  await expect(modelManager.modelName).toHaveText(/^Colours \(embedded/);
  await app.segmentImage(png, 'stripes-real.png');
  await app.waitForResult(CLASSES);
  const good = await shares(app);
  console.log(`[poison] look-alike shares ${bad.join(' / ')}; real model afterwards ${good.join(' / ')}`);
  expect((await app.runs()).prompts).toBe(3);
  for (const s of good) expect(s).toBeCloseTo(1 / 3, 1);
});
