import type { Browser, BrowserContext } from '@playwright/test';

/**
 * A browser context for timed runs. No service worker: the app's would precache its files in the
 * background of the timed work. And a `__name` in every page: `npm run bench` runs under tsx, whose
 * compiler wraps each named function (`const f = () => …`) in a `__name(f, "f")` helper, and the
 * functions handed to `page.evaluate` carry that call into a page that has no such helper.
 */
export async function benchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.addInitScript('globalThis.__name = (f) => f;');
  return context;
}
