/**
 * A model's outputs are checked against its family's contract at load: the warm-up runs the text
 * model on two prompts, and an output of the wrong dtype, batch size or with values that are not
 * numbers fails the load with the output named (not "offset is out of bounds", "Cannot mix BigInt"
 * or a silent "100 % unlabelled" later); so does an image model whose masks have the wrong rank or
 * are not numbers. The embedded model's bundle with one of its graphs broken, loaded as a
 * bring-your-own folder on the real engine; the app goes back to the model it had and still segments.
 */
import { readFileSync } from 'node:fs';
import {
  brokenColoursImage,
  brokenColoursText,
  coloursFile,
  type ImageFault,
  type TextFault,
} from '../test-support/hostileModel';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';

const CASES: Record<TextFault, RegExp> = {
  int64: /The text model's output "text_embeds" is int64: it must be float32 \[2, width\]/,
  'one-row': /The text model's output "text_embeds" has shape \[1, \d+\]: it must be \[2, width\]/,
  'not-finite':
    /The text model's output "text_embeds" has [\d,]+ of [\d,]+ values that are NaN or infinite \(the first for "a photo of a cat\."\)/,
};

const IMAGE_CASES: Record<ImageFault, RegExp> = {
  'mask-rank':
    /The image model's output "pred_masks" has shape \[1, 1, \d+, \d+, \d+\]: it must be \[1, queries, height, width\]/,
  'not-finite-masks':
    /The image model's output "pred_masks" has [\d,]+ of [\d,]+ values that are NaN or infinite/,
};

const file = (name: string, buffer: Buffer | Uint8Array, mimeType = 'application/octet-stream') => ({
  name,
  mimeType,
  buffer: Buffer.from(buffer),
});

test('a text model that breaks the contract fails its load naming the output; the app goes back', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, 'the output checks run on what any backend returns; the WASM project covers them');
  test.setTimeout(Object.keys(CASES).length * 2 * app.slow);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  for (const [fault, message] of Object.entries(CASES) as [TextFault, RegExp][]) {
    await modelManager.loadFiles([
      file(
        'ovseg.json',
        Buffer.from(JSON.stringify({ ...manifest, id: `broken-${fault}`, name: `Broken text (${fault})` })),
        'application/json',
      ),
      file('image_model.onnx', readFileSync(coloursFile('image_model.onnx'))),
      file('text_model.onnx', brokenColoursText(fault)),
      file('tokenizer.json', readFileSync(coloursFile('tokenizer.json'))),
      file('tokenizer_config.json', readFileSync(coloursFile('tokenizer_config.json'))),
    ]);
    const notice = app.notices.filter({ hasText: message });
    await expect(notice, fault).toBeVisible({ timeout: app.slow });
    await expect(app.notices.filter({ hasText: /out of bounds|BigInt|vocabulary is empty/ })).toHaveCount(0);
    await app.waitReady();
    await expect(modelManager.modelName).toHaveText(/^Colours \(embedded/);
    console.log(`[contract] ${fault}: ${((await notice.textContent()) ?? '').slice(0, 220)}`);
    for (const close of await page.getByRole('button', { name: 'Dismiss' }).all()) await close.click();
  }
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), 'after-broken.png');
  await app.waitForResult(['red', 'blue']);
});

test('an image model whose masks break the contract (rank, NaN) fails its load naming the output', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, 'the output checks run on what any backend returns; the WASM project covers them');
  test.setTimeout(Object.keys(IMAGE_CASES).length * 2 * app.slow);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  for (const [fault, message] of Object.entries(IMAGE_CASES) as [ImageFault, RegExp][]) {
    await modelManager.loadFiles([
      file(
        'ovseg.json',
        Buffer.from(JSON.stringify({ ...manifest, id: `broken-${fault}`, name: `Broken image (${fault})` })),
        'application/json',
      ),
      file('image_model.onnx', brokenColoursImage(fault)),
      file('text_model.onnx', readFileSync(coloursFile('text_model.onnx'))),
      file('tokenizer.json', readFileSync(coloursFile('tokenizer.json'))),
      file('tokenizer_config.json', readFileSync(coloursFile('tokenizer_config.json'))),
    ]);
    const notice = app.notices.filter({ hasText: message });
    await expect(notice, fault).toBeVisible({ timeout: app.slow });
    await expect(app.notices.filter({ hasText: /out of bounds|unlabelled/ })).toHaveCount(0);
    await app.waitReady();
    await expect(modelManager.modelName).toHaveText(/^Colours \(embedded/);
    console.log(`[contract] ${fault}: ${((await notice.textContent()) ?? '').slice(0, 220)}`);
    for (const close of await page.getByRole('button', { name: 'Dismiss' }).all()) await close.click();
  }
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), 'after-broken-image.png');
  await app.waitForResult(['red', 'blue']);
});
