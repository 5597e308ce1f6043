/**
 * The `test` every spec uses: the backend (`ep`) comes from the Playwright project, and `app` is
 * a page object bound to it, with waits sized for that backend.
 */
import { test as base } from '@playwright/test';
import { AppPage, type Ep } from './app';

export interface EpOptions {
  ep: Ep;
  /** Longest wait for one model load or segmentation, in ms. */
  slowMs: number;
}

export const test = base.extend<EpOptions & { app: AppPage }>({
  ep: ['wasm', { option: true }],
  slowMs: [30_000, { option: true }],
  app: async ({ page, ep, slowMs }, use) => {
    // Surface page crashes and uncaught errors in the test output: a failing test then says why.
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    page.on('crash', () => console.log('[crash] the page crashed'));
    await use(new AppPage(page, ep, slowMs));
  },
});

/** Skips the calling test outside the WASM project, saying why in the output (never silently). */
export function onlyOnWasm(ep: Ep, reason: string): void {
  if (ep !== 'wasm') console.log(`[skipped on ${ep}] ${test.info().title}: ${reason}`);
  test.skip(ep !== 'wasm', reason);
}

export { expect } from '@playwright/test';
