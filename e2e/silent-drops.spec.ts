/**
 * Silent drops are said (issue 18, item 11). Many files dropped or pasted at once: the one used is
 * named, and how many were not opened. A bring-your-own bundle whose files share a name, or that
 * holds several JSON files that could each be its manifest: which one was used is said. A manifest
 * chosen from disk has the cap a downloaded one has.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { coloursFile } from '../test-support/hostileModel';

const ON_THE_PAGE =
  'which file is used is decided on the page before any model runs: the WASM project covers it';

type Spec = { name: string; type: string; bytes: number[] };

/** Dispatches a drop of the files on the drop zone, or a paste of them on the page, as a browser does. */
function give(page: Page, how: 'drop' | 'paste', files: Spec[]): Promise<void> {
  return page.evaluate(
    ([how, files]) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
      if (how === 'drop')
        document
          .querySelector('.dropzone')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      else window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, cancelable: true }));
    },
    [how, files] as const,
  );
}

const png = (name: string, seed: number): Spec => ({
  name,
  type: 'image/png',
  bytes: [...toPng(shapesScene(96, 64, seed))],
});

test('fifty files dropped at once: the first image is used, and that is said', async ({ app, page }) => {
  onlyOnWasm(app.ep, ON_THE_PAGE);
  await app.open({ classes: 'red, blue' });
  const shown = page.locator('.viewer canvas[aria-label]').first();
  // A text file first: the first image is the second file.
  const files = [
    { name: 'notes.txt', type: 'text/plain', bytes: [...Buffer.from('not a picture')] },
    png('chosen.png', 1),
    ...Array.from({ length: 48 }, (_, i) => png(`other-${i}.png`, 2 + (i % 3))),
  ];
  await give(page, 'drop', files);
  await expect(
    app.notices.filter({
      hasText:
        '50 files were dropped: one picture is segmented at a time, so the first image, "chosen.png", is used; the other 49 were not opened.',
    }),
  ).toHaveCount(1, { timeout: app.slow });
  await expect(shown).toHaveAttribute('aria-label', 'Image chosen.png', { timeout: app.slow });
  await app.waitForResult();

  // Three pictures pasted at once: the first is used, and said.
  await give(page, 'paste', [png('pasted-a.png', 4), png('pasted-b.png', 5), png('pasted-c.png', 6)]);
  await expect(
    app.notices.filter({
      hasText: '3 files were pasted: one picture is segmented at a time, so the first, "pasted-a.png"',
    }),
  ).toHaveCount(1, { timeout: app.slow });
  await expect(shown).toHaveAttribute('aria-label', 'Image pasted-a.png', { timeout: app.slow });
  await app.waitForResult();
});

test('a bundle with files of one name and rival manifests: the one used is said; a huge manifest is refused', async ({
  app,
  modelManager,
}) => {
  onlyOnWasm(app.ep, ON_THE_PAGE);
  await app.open({ classes: 'red, blue' });
  const colours = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  const json = (name: string, m: unknown) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)),
  });
  const file = (name: string) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(coloursFile(name)),
  });
  await modelManager.loadFiles([
    json('model-card.json', { ...colours, name: 'Colours (rival manifest)' }),
    json('ovseg.json', { ...colours, name: 'Colours (first ovseg.json)' }),
    file('image_model.onnx'),
    file('text_model.onnx'),
    // A second text model of the same name: garbage that would fail the load if it were used.
    { name: 'text_model.onnx', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096, 7) },
    json('ovseg.json', { ...colours, name: 'Colours (second ovseg.json)' }),
    file('tokenizer.json'),
    file('tokenizer_config.json'),
  ]);
  await expect(modelManager.modelName).toHaveText('Colours (first ovseg.json)', { timeout: app.slow });
  await app.waitReady();
  const said = (text: string) => expect(app.notices.filter({ hasText: text })).toHaveCount(1);
  await said('2 of the chosen files are named "ovseg.json": the first, "ovseg.json"');
  await said('2 of the chosen files are named "text_model.onnx": the first, "text_model.onnx" (');
  await said(
    '2 of the chosen files could be the manifest: "ovseg.json" is used (ovseg.json comes first), not "model-card.json".',
  );
  await app.segmentImage(toPng(shapesScene(160, 128, 7)), 'after-duplicates.png');

  // A valid manifest padded past 1 MiB (whitespace is valid JSON): refused before it is read.
  const padded = JSON.stringify({ ...colours, name: 'Colours (padded)' }) + ' '.repeat(1_100_000);
  await modelManager.loadFiles([
    json('ovseg.json', padded),
    file('image_model.onnx'),
    file('text_model.onnx'),
  ]);
  await expect(
    app.notices.filter({
      hasText: /its manifest "ovseg\.json" is 1\.\d MiB, more than the 1\.0 MiB a manifest may take/,
    }),
  ).toHaveCount(1, { timeout: app.slow });
  await expect(modelManager.modelName).toHaveText('Colours (first ovseg.json)');
  await app.segmentImage(toPng(shapesScene(160, 128, 8)), 'after-padded.png');
});
