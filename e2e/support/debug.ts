/**
 * The app's debug API (`?debug` -> window.__ovseg), typed by the app's own declaration
 * (src/debugApi.ts): worker counts, watchdog bounds, the store, model timings. Every spec and tool
 * reaches it through this (or `window.__ovseg` in code already running in the page), never a cast.
 */
import type { JSHandle, Page } from '@playwright/test';
import type { DebugApi } from '../../src/debugApi';
import type { WorkerCounts } from '../../src/shared/protocol';

export type { DebugApi };
export type Counts = WorkerCounts;

export class DebugHook {
  constructor(readonly page: Page) {}

  /**
   * Runs `fn` in the page with the debug API as its first argument (serialised like
   * page.evaluate's function: it may use only its arguments).
   */
  async run<R, A = undefined>(fn: (api: DebugApi, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const api: JSHandle<DebugApi> = await this.page.evaluateHandle(() => {
      if (!window.__ovseg) throw new Error('no debug hook: open the app with ?debug');
      return window.__ovseg;
    });
    try {
      // Playwright types the argument as its serialised form; plain data is the same type.
      return await api.evaluate(fn as (api: DebugApi, arg: unknown) => R | Promise<R>, arg);
    } finally {
      await api.dispose();
    }
  }

  counts(): Promise<Counts> {
    return this.run((d) => d.counts());
  }

  setDeadlines(d: { segmentMs?: number; loadMs?: number }): Promise<void> {
    return this.run((api, d) => api.setDeadlines(d), d);
  }

  restarts(): Promise<number> {
    return this.run((d) => d.controller.client.restarts);
  }

  /** The loaded model's measured load and warm-up times (ms). */
  modelTimes(): Promise<{ name: string; loadMs: number; warmupMs: number }> {
    return this.run((d) => {
      const m = d.store.getState().model;
      if (!m) throw new Error('no model loaded');
      return { name: m.name, loadMs: m.loadMs, warmupMs: m.warmupMs };
    });
  }

  /** Remembers the result on screen, so that waitNewResult() can tell a fresh one from it. */
  markResult(): Promise<void> {
    return this.page.evaluate(() => {
      (window as Window & { __marked?: unknown }).__marked = window.__ovseg!.store.getState().result;
    });
  }

  /** Waits for a result other than the marked one, with nothing left in flight. */
  async waitNewResult(timeout: number): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const s = window.__ovseg!.store.getState();
        return (
          s.result !== null && s.result !== (window as Window & { __marked?: unknown }).__marked && !s.busy
        );
      },
      undefined,
      { timeout },
    );
  }
}
