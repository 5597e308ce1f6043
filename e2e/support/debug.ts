/**
 * The app's debug API (`?debug` -> window.__ovseg): worker counts, watchdog bounds, model timings.
 */
import type { Page } from '@playwright/test';

export interface Counts {
  sessions: number;
  buffers: number;
  queued: number;
  wasmBytes: number | null;
}

interface DebugApi {
  counts(): Promise<Counts>;
  setDeadlines(d: { segmentMs?: number; loadMs?: number }): void;
  controller: { client: { restarts: number } };
  store: { getState(): { model: { name: string; loadMs: number; warmupMs: number } | null } };
}
type Win = Window & { __ovseg: DebugApi };

export const counts = (page: Page): Promise<Counts> =>
  page.evaluate(() => (window as unknown as Win).__ovseg.counts());

export const setDeadlines = (page: Page, d: { segmentMs?: number; loadMs?: number }): Promise<void> =>
  page.evaluate((d) => (window as unknown as Win).__ovseg.setDeadlines(d), d);

export const restarts = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as Win).__ovseg.controller.client.restarts);

/** The loaded model's measured load and warm-up times (ms). */
export const modelTimes = (page: Page): Promise<{ name: string; loadMs: number; warmupMs: number }> =>
  page.evaluate(() => {
    const m = (window as unknown as Win).__ovseg.store.getState().model;
    if (!m) throw new Error('no model loaded');
    return { name: m.name, loadMs: m.loadMs, warmupMs: m.warmupMs };
  });

/** Remembers the result on screen, so that waitNewResult() can tell a fresh one from it. */
export const markResult = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const w = window as unknown as Win & { __marked: unknown };
    w.__marked = (w.__ovseg.store.getState() as unknown as { result: unknown }).result;
  });

/** Waits for a result other than the marked one, with nothing left in flight. */
export async function waitNewResult(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = window as unknown as Win & { __marked: unknown };
      const s = w.__ovseg.store.getState() as unknown as { result: unknown; busy: boolean };
      return s.result !== null && s.result !== w.__marked && !s.busy;
    },
    undefined,
    { timeout },
  );
}
