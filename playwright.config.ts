import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/browser';
import type { EpOptions } from './e2e/support/fixtures';
import { APP_PORT, FIXTURE_PORT } from './e2e/support/ports';

/**
 * End-to-end tests in headless Debian Chromium, once per backend. `npm run test:e2e` builds first:
 * the tests run against the production build (`vite preview`, cross-origin isolated).
 */

export default defineConfig<EpOptions>({
  testDir: './e2e',
  // Two cores, and SwiftShader keeps one busy: parallel workers only make each test slower.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    acceptDownloads: true,
    // Every spec measures a first visit: the offline shell's service worker would precache about 33 MB
    // in each fresh context and then answer the requests the specs watch. e2e/offline.spec.ts, about
    // that worker, allows it.
    serviceWorkers: 'block',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: 'wasm', use: { ep: 'wasm', slowMs: 30_000 } },
    { name: 'webgpu', use: { ep: 'webgpu', slowMs: 90_000 }, timeout: 180_000 },
  ],
  webServer: [
    {
      command: `npx vite preview --port ${APP_PORT} --strictPort`,
      url: `http://localhost:${APP_PORT}/`,
      // A preview already serving this checkout's dist/ is as good as a new one.
      reuseExistingServer: true,
      timeout: 60_000,
    },
    {
      command: `npx tsx e2e/fixtureServer.ts --port ${FIXTURE_PORT}`,
      url: `http://127.0.0.1:${FIXTURE_PORT}/query-ovseg-tiny/ovseg.json`,
      reuseExistingServer: true,
      timeout: 60_000,
    },
  ],
});
