/**
 * A hung worker is replaced: a request past its bound terminates the worker, a fresh one comes up
 * on the last good model, and a notice says what hung. Two hostile bundles (fixtures/hostile/,
 * made by tools/make-hostile-fixtures.ts): a tokenizer whose pre-tokenizer regex backtracks
 * catastrophically, and an image model whose graph loops 2^62 times. The bounds are set through
 * the debug API from the model's measured timings, so the test does not wait the real default.
 */
import type { AppPage } from './support/app';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

/**
 * What the worker holds: sessions, GPU buffers, queued requests. Not its WebAssembly memory: the
 * restarted worker runs other shapes than the first did (its text cache hits differ, so its text
 * runs do), memory never shrinks, and the first worker's figure is no bound on the second's. Leaks
 * there are the soak test's business.
 */
const held = async (app: AppPage) => {
  const { sessions, buffers, queued } = await app.debug.counts();
  return { sessions, buffers, queued };
};

/** Why the WebGPU project skips these (it says so in its output). */
const WASM_ONLY =
  'the watchdog runs on the main thread whatever the backend; on software WebGPU the bounds, scaled from a ~30 s warm-up, would make each test take many minutes';

test('a catastrophic tokenizer regex: the worker is replaced on the same model, which works again', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, WASM_ONLY);
  await app.open({ model: `${FIXTURE_ORIGIN}/hostile/regex/ovseg.json`, classes: 'red, blue', debug: true });
  await expect(app.modelManager.modelName).toHaveText(/hostile-regex/);
  const { warmupMs } = await app.debug.modelTimes();
  // Sized from the model's own warm-up (a busy machine slows both alike).
  const segmentMs = Math.max(5_000, 5 * warmupMs);
  await app.debug.setDeadlines({ segmentMs });
  test.setTimeout(3 * segmentMs + 4 * app.slow);
  await app.segmentImage(toPng(shapesScene(160, 128, 5)), 'shapes.png');
  await app.waitForResult(['red', 'blue']);
  const before = await held(app);

  // 40 "a" then "b": the pattern (a+)+$ tries 2^40 ways before giving up.
  await app.setClasses(`red, ${'a'.repeat(40)}b`);
  const notice = app.notices.filter({ hasText: /stopped responding/ });
  await expect(notice).toHaveCount(1, { timeout: 2 * segmentMs + app.slow });
  await expect(notice).toContainText(
    /encoding the vocabulary \(tokenizer and text model\) took over \d+(\.\d)? s\); restarted on hostile-regex \(test fixture\)\./,
  );
  await expect(app.statusBar.ready).toBeVisible({ timeout: app.slow });
  expect(await app.debug.restarts()).toBe(1);
  // The request that hung is not sent again by itself.
  await page.waitForTimeout(segmentMs + 1_000);
  expect(await app.debug.restarts()).toBe(1);

  // Editing the vocabulary back works on the fresh worker, with the same image.
  await app.debug.markResult();
  await app.setClasses('red, blue');
  await app.debug.waitNewResult(app.slow);
  await app.waitForResult(['red', 'blue']);
  await expect(app.modelManager.modelName).toHaveText(/hostile-regex/);
  expect(await held(app)).toEqual(before);
});

test('an image model that loops: its load is abandoned, the worker restarts on the previous model', async ({
  app,
}) => {
  onlyOnWasm(app.ep, WASM_ONLY);
  await app.open({ classes: 'red, blue', debug: true });
  const colours = await app.debug.modelTimes();
  await app.segmentImage(toPng(shapesScene(160, 128, 5)), 'shapes.png');
  await app.waitForResult(['red', 'blue']);
  const before = await held(app);
  // Between signs of progress; the hostile bundle is a few MB from the local fixture server.
  const loadMs = Math.max(15_000, 5 * (colours.loadMs + colours.warmupMs));
  await app.debug.setDeadlines({ loadMs });
  test.setTimeout(4 * loadMs + 4 * app.slow);

  await app.modelManager.loadUrl(`${FIXTURE_ORIGIN}/hostile/loop/ovseg.json`);
  const notice = app.notices.filter({ hasText: /stopped responding/ });
  await expect(notice).toHaveCount(1, { timeout: 3 * loadMs + app.slow });
  await expect(notice).toContainText(
    /Could not load loop\/ovseg.json: The model stopped responding \(the warm-up run took over \d+(\.\d)? s\); restarted on Colours/,
  );
  await expect(app.statusBar.ready).toBeVisible({ timeout: app.slow });
  await expect(app.modelManager.modelName).toHaveText(colours.name);
  expect(await app.debug.restarts()).toBe(1);

  // The previous model segments the same image again, and holds what it held before.
  await app.debug.markResult();
  await app.setClasses('red, blue, black');
  await app.debug.waitNewResult(app.slow);
  await app.waitForResult(['red', 'blue', 'black']);
  await app.debug.markResult();
  await app.setClasses('red, blue');
  await app.debug.waitNewResult(app.slow);
  await app.waitForResult(['red', 'blue']);
  expect(await held(app)).toEqual(before);
});
