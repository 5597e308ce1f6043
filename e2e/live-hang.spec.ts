/**
 * Live input does not loop a hung model. A model that passes its warm-up but hangs on the webcam's
 * frame shape (the embedded bundle with an image model of its own that spins on any input height
 * but the warm-up's): the first live frame hangs the worker, which is restarted on that model; the
 * live loop stops and says why, and no further frame hangs it again until the user starts the
 * camera. The watchdog's bound is set from the model's measured timings.
 */
import { readFileSync } from 'node:fs';
import { coloursFile, hangsOffShape } from '../test-support/hostileModel';
import { CAMERA_PAGE, cameraBrowser } from './support/camera';
import { expect, onlyOnWasm, test } from './support/fixtures';

const file = (name: string, buffer: Buffer | Uint8Array, mimeType = 'application/octet-stream') => ({
  name,
  mimeType,
  buffer: Buffer.from(buffer),
});

test('a model that hangs on live frames: the webcam stops with the reason, and it is not retried', async ({
  app,
}) => {
  onlyOnWasm(app.ep, 'the watchdog and the live loop run on the main thread whatever the backend');
  const browser = await cameraBrowser('moving');
  try {
    const page = await browser.newPage(CAMERA_PAGE);
    const live = app.onPage(page);
    await live.open({ model: 'embedded', classes: 'red, blue', debug: true });
    const colours = await live.debug.modelTimes();
    const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
    await live.modelManager.loadFiles([
      file(
        'ovseg.json',
        Buffer.from(JSON.stringify({ ...manifest, id: 'live-hang', name: 'Colours (hangs live)' })),
        'application/json',
      ),
      // 384: the embedded model's long side, so its square warm-up passes; camera frames are 4:3.
      file('image_model.onnx', hangsOffShape(384)),
      file('text_model.onnx', readFileSync(coloursFile('text_model.onnx'))),
      file('tokenizer.json', readFileSync(coloursFile('tokenizer.json'))),
      file('tokenizer_config.json', readFileSync(coloursFile('tokenizer_config.json'))),
    ]);
    await expect(live.modelManager.modelName).toHaveText('Colours (hangs live)', { timeout: live.slow });
    await live.waitReady();
    const segmentMs = Math.max(5_000, 10 * (colours.loadMs + colours.warmupMs));
    await live.debug.setDeadlines({ segmentMs });
    test.setTimeout(6 * segmentMs + 4 * live.slow);

    await live.webcam.start();
    const stopped = live.notices.filter({ hasText: /The webcam stopped/ });
    await expect(stopped).toHaveText(
      /The webcam stopped: the model hung on a 320 × 240 camera frame, so frames of that size are not sent again\. Start the camera to retry\./,
      { timeout: 2 * segmentMs + live.slow },
    );
    await expect(live.webcam.video).toHaveCount(0);
    await expect(live.webcam.toggle).toHaveAttribute('aria-pressed', 'false');
    await expect(live.statusBar.ready).toBeVisible({ timeout: live.slow });
    await expect(live.modelManager.modelName).toHaveText('Colours (hangs live)');
    expect(await live.debug.restarts()).toBe(1);
    // Twice the bound later: no frame was sent again, so nothing hung again.
    const quiet = Date.now() + 2 * segmentMs;
    await expect.poll(() => Date.now() > quiet, { timeout: 3 * segmentMs, intervals: [1_000] }).toBe(true);
    expect(await live.debug.restarts()).toBe(1);
    await expect(stopped).toHaveCount(1);
  } finally {
    await browser.close();
  }
});
