/**
 * The `test` every spec uses: the backend (`ep`) comes from the Playwright project; `app` is a page
 * object bound to it; each panel has its page object (`modelManager`, `webcam`, `classes`,
 * `exportPanel`, `statusBar`), and `debug` is the typed debug API (pages opened with `debug: true`).
 * Waits and the test's time limit are scaled to the machine's measured load (`load`).
 */
import { test as base } from '@playwright/test';
import { AppPage, type Ep } from './app';
import type { DebugHook } from './debug';
import { measureContention } from './load';
import type { ClassesPanel } from './pages/classes';
import type { ExportPanel } from './pages/exportPanel';
import type { ModelManagerPanel } from './pages/modelManager';
import type { StatusBar } from './pages/statusBar';
import type { WebcamPanel } from './pages/webcam';

export interface EpOptions {
  ep: Ep;
  /** Longest wait for one model load or segmentation on a quiet machine, in ms. */
  slowMs: number;
}

interface Fixtures {
  /** How much slower than CPU time the machine runs now (1 = idle), measured before each test. */
  load: number;
  app: AppPage;
  modelManager: ModelManagerPanel;
  webcam: WebcamPanel;
  classes: ClassesPanel;
  exportPanel: ExportPanel;
  statusBar: StatusBar;
  debug: DebugHook;
}

export const test = base.extend<EpOptions & Fixtures>({
  ep: ['wasm', { option: true }],
  slowMs: [30_000, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructured first argument
  load: async ({}, use, testInfo) => {
    const load = measureContention();
    // The test's own limit grows with the waits inside it.
    testInfo.setTimeout(Math.round(testInfo.timeout * load));
    if (load > 1.2) console.log(`[load] ${testInfo.title}: machine ×${load.toFixed(1)} slower than idle`);
    testInfo.annotations.push({ type: 'load', description: `×${load.toFixed(2)}` });
    await use(load);
  },
  app: async ({ page, ep, slowMs, load }, use) => {
    // Surface page crashes and uncaught errors in the test output: a failing test then says why.
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    page.on('crash', () => console.log('[crash] the page crashed'));
    await use(new AppPage(page, ep, Math.round(slowMs * load), load));
  },
  modelManager: async ({ app }, use) => use(app.modelManager),
  webcam: async ({ app }, use) => use(app.webcam),
  classes: async ({ app }, use) => use(app.classes),
  exportPanel: async ({ app }, use) => use(app.exportPanel),
  statusBar: async ({ app }, use) => use(app.statusBar),
  debug: async ({ app }, use) => use(app.debug),
});

/** Skips the calling test outside the WASM project, saying why in the output (never silently). */
export function onlyOnWasm(ep: Ep, reason: string): void {
  if (ep !== 'wasm') console.log(`[skipped on ${ep}] ${test.info().title}: ${reason}`);
  test.skip(ep !== 'wasm', reason);
}

export { expect } from '@playwright/test';
