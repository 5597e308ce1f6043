/**
 * A replaced model gives its memory back. A model whose warm-up output is hundreds of MB grows ONNX
 * Runtime's WebAssembly memory, which never shrinks; switching to another model past the bound
 * starts a fresh worker, so the memory returns (the worker's WebAssembly memory and the browser's
 * RSS, before and after). The embedded model's bundle with a memory-hungry image model of its own.
 */
import { readFileSync } from 'node:fs';
import { coloursFile, memoryHogImage } from '../test-support/hostileModel';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/browser';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { CHROMIUM_MEMORY_ARGS, settledRss } from './support/memory';

test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...CHROMIUM_MEMORY_ARGS] },
});

const MiB = 2 ** 20;
/** The app's bound (src/client/workerClient.ts WORKER_MEMORY_BOUND). */
const BOUND = 512 * MiB;
/** 420 copies of the 384 x 384 warm-up input (the embedded model's long side): 709 MiB of output. */
const COPIES = 420;

const file = (name: string, buffer: Buffer | Uint8Array, mimeType = 'application/octet-stream') => ({
  name,
  mimeType,
  buffer: Buffer.from(buffer),
});

test('switching away from a model that grew the WebAssembly memory past the bound gives it back', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, "ONNX Runtime's WebAssembly memory is the WASM backend's");
  await app.open({ model: 'embedded', classes: 'red, blue', debug: true });
  const wasm = async () => (await app.debug.counts()).wasmBytes ?? 0;
  const before = { wasm: await wasm(), rss: await settledRss(page) };

  const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  await modelManager.loadFiles([
    file(
      'ovseg.json',
      Buffer.from(JSON.stringify({ ...manifest, id: 'memory-hog', name: 'Colours (memory hog)' })),
      'application/json',
    ),
    file('image_model.onnx', memoryHogImage(COPIES)),
    file('text_model.onnx', readFileSync(coloursFile('text_model.onnx'))),
    file('tokenizer.json', readFileSync(coloursFile('tokenizer.json'))),
    file('tokenizer_config.json', readFileSync(coloursFile('tokenizer_config.json'))),
  ]);
  await expect(modelManager.modelName).toHaveText('Colours (memory hog)', { timeout: 2 * app.slow });
  await app.waitReady(2 * app.slow);
  const grown = { wasm: await wasm(), rss: await settledRss(page) };
  expect(grown.wasm).toBeGreaterThan(BOUND);
  expect(await app.debug.restarts()).toBe(0);

  const engine = page.workers().filter((w) => !w.url().includes('ort-wasm'));
  await modelManager.use('embedded');
  await expect(modelManager.modelName).toHaveText(/^Colours \(embedded/, { timeout: app.slow });
  await app.waitReady();
  // The replaced worker is gone before the memory is read (it cannot collect garbage any more).
  await expect.poll(() => page.workers().some((w) => engine.includes(w))).toBe(false);
  const after = { wasm: await wasm(), rss: await settledRss(page) };
  console.log(
    `[memory] WebAssembly memory ${Math.round(before.wasm / MiB)} -> ${Math.round(grown.wasm / MiB)} -> ` +
      `${Math.round(after.wasm / MiB)} MiB; browser RSS ${Math.round(before.rss / MiB)} -> ` +
      `${Math.round(grown.rss / MiB)} -> ${Math.round(after.rss / MiB)} MiB`,
  );
  expect(await app.debug.restarts()).toBe(1); // a fresh worker took the embedded model
  expect(after.wasm).toBeLessThan(BOUND);
  expect(after.wasm).toBeLessThanOrEqual(2 * before.wasm);
  // What the old worker held went with it: the browser is back near where it started.
  expect(after.rss - before.rss).toBeLessThan((grown.wasm - before.wasm) / 2);

  // The fresh worker runs the embedded model as before.
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), 'after-memory.png');
  await app.waitForResult(['red', 'blue']);
});
