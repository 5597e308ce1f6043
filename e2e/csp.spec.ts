/**
 * The built app's Content-Security-Policy: a normal session (embedded model, a hub model from the
 * local hub server, the webcam) raises no violation on either backend, in the page or its worker;
 * injected inline script and eval are refused in the page, downloads from other hosts in the worker.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { CAMERA_PAGE, cameraBrowser, nextLiveFrame } from './support/camera';
import { expect, test } from './support/fixtures';
import { FIXTURE_ORIGIN, FIXTURE_PORT } from './support/ports';

const clipsegDir = new URL('../fixtures/clipseg-tiny/', import.meta.url);
const TEXTS = (JSON.parse(readFileSync(new URL('golden.json', clipsegDir), 'utf8')) as { texts: string[] })
  .texts;

/** Collects CSP violations: the page's securitypolicyviolation events and the console of page and workers. */
async function recordViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`[csp-event] ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`),
    ),
  );
  page.on('console', (m) => {
    if (/\[csp-event\]|Content Security Policy/.test(m.text()))
      seen.push(`${m.worker() ? `worker ${m.worker()!.url()}` : 'page'}: ${m.text()}`);
  });
  return seen;
}

test('a normal session raises no CSP violation: embedded model, webcam, hub model', async ({ app }) => {
  test.setTimeout(app.slow * 8);
  const browser = await cameraBrowser('still');
  try {
    const page = await browser.newPage(CAMERA_PAGE);
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    const violations = await recordViolations(page);
    // Three models and a camera in one session: SwiftShader WebGPU on a busy machine needs the room.
    const ui = app.onPage(page, 2);

    await ui.open({ model: 'embedded', classes: 'red, blue, black, white', debug: true });
    await ui.segmentImage(
      readFileSync(new URL('../fixtures/query-ovseg-tiny/image.png', import.meta.url)),
      'a.png',
    );
    await ui.webcam.start();
    await expect(ui.webcam.stats).toBeVisible({ timeout: app.slow });
    await nextLiveFrame(page, app.slow);
    await ui.webcam.toggle.click();
    await expect(ui.webcam.toggle).toHaveText(/start webcam/i);

    // CLIPSeg from the local hub (the e2e build's hub): download, split and inference.
    await ui.open({ model: 'clipseg-rd64-refined', classes: TEXTS.join(', ') });
    await expect(ui.modelManager.modelName).toHaveText('CLIPSeg rd64-refined');
    await ui.segmentImage(readFileSync(new URL('image.png', clipsegDir)), 'clipseg.png');
    await ui.waitForResult(TEXTS);
    expect(violations).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('inline script and eval are refused in the page, other hosts in the worker', async ({ app, page }) => {
  const violations = await recordViolations(page);
  await app.open({ model: 'embedded', classes: 'red' });
  const injected = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.append(s);
    await new Promise((r) => setTimeout(r, 100));
    let evaluated = 'ran';
    try {
      (0, eval)('1 + 1');
    } catch (e) {
      evaluated = (e as Error).name;
    }
    return { ran: (window as unknown as { __injected?: boolean }).__injected ?? false, evaluated };
  });
  expect(injected).toEqual({ ran: false, evaluated: 'EvalError' });
  await expect.poll(() => violations.join('\n')).toMatch(/script-src/);

  // The worker runs under the same policy (a header on its script): no other hosts. The fixture
  // server answers on localhost too, but that is another origin than the allowed 127.0.0.1.
  const worker = page.workers().find((w) => !w.url().includes('ort-wasm'))!;
  const other = `http://localhost:${FIXTURE_PORT}/query-ovseg-tiny/ovseg.json`;
  const allowed = `${FIXTURE_ORIGIN}/query-ovseg-tiny/ovseg.json`;
  const fetched = await worker.evaluate(
    async (urls) =>
      Promise.all(
        urls.map((u) =>
          fetch(u).then(
            (r) => String(r.status),
            (e: Error) => e.name,
          ),
        ),
      ),
    [allowed, other],
  );
  expect(fetched).toEqual(['200', 'TypeError']);
  await expect.poll(() => violations.join('\n')).toMatch(/worker .*connect-src/);
});
