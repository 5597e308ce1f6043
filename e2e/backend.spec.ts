/**
 * The default backend: this browser's only WebGPU adapter is SwiftShader (software), which runs the
 * models far slower than WASM, so the app starts on WASM and says why; WebGPU stays one pick away.
 */
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';

test('a software WebGPU adapter is not the default: WASM runs, the status says why, WebGPU can be picked', async ({
  app,
  page,
  statusBar,
}) => {
  onlyOnWasm(
    app.ep,
    'opens the app without ?ep= and switches to WebGPU itself: one run covers both backends',
  );
  // Without ?ep=, on the embedded model.
  await page.goto(`/?${new URLSearchParams({ model: 'embedded', classes: 'red, blue, green, yellow' })}`);
  // The precondition: the browser grants a WebGPU adapter, and it is a software one.
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const a = await gpu?.requestAdapter();
    return a ? [a.info.vendor, a.info.architecture, a.info.description].join(' ') : null;
  });
  expect(adapter, 'this test needs the SwiftShader WebGPU adapter (--enable-unsafe-webgpu)').toMatch(
    /swiftshader/i,
  );
  await statusBar.waitSettled(app.slow);
  await expect(statusBar.root).toHaveAttribute('data-backend', 'wasm');
  await expect(statusBar.backendReason).toHaveText(
    '(WebGPU adapter is a software fallback; using WASM — pick WebGPU to try it)',
  );
  await expect(app.backend).toHaveValue('wasm');
  await app.segmentImage(toPng(shapesScene(160, 128)), 'default.png');
  await app.waitForResult(['red', 'blue', 'green', 'yellow']);

  // The user picks WebGPU: it runs, and the explanation goes. SwiftShader's warm-up alone took 20 s
  // on a busy 2-core machine: waits on the WebGPU side get the WebGPU project's allowance (3x the
  // WASM one), scaled like every wait to the load measured before the test; the load itself is
  // awaited on the app's own signal (the status leaves "loading"; an error fails at once).
  test.slow();
  const gpuWait = 3 * app.slow;
  await app.modelManager.backend.selectOption('webgpu');
  await expect(statusBar.root).toHaveAttribute('data-backend', 'webgpu', { timeout: app.slow });
  await statusBar.waitSettled(gpuWait);
  await expect(statusBar.backendReason).toHaveCount(0);
  await expect(statusBar.root).toContainText('WebGPU (software adapter)');
  // A reload resets the engine's counters: a result with one image run is the WebGPU one.
  await expect(statusBar.runsCounter).toHaveAttribute('data-image-runs', '1', { timeout: gpuWait });
  await expect(app.legendItems).toHaveCount(5);
});
