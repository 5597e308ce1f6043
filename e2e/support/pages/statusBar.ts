/** Page object: the status bar (state, backend, why a load failed, timings, run counters). */
import { expect, type Locator, type Page } from '@playwright/test';

export type AppState = 'loading' | 'working' | 'ready' | 'error';

export interface Runs {
  image: number;
  text: number;
  prompts: number;
}

export class StatusBar {
  readonly root: Locator;
  readonly ready: Locator;
  readonly failure: Locator;
  readonly retry: Locator;
  readonly backendReason: Locator;
  readonly namesStatus: Locator;
  readonly timings: Locator;
  readonly runsCounter: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('status');
    this.ready = page.locator('[data-testid=status][data-state=ready]');
    this.failure = page.getByTestId('load-failure');
    this.retry = page.getByTestId('retry-load');
    this.backendReason = page.getByTestId('backend-reason');
    this.namesStatus = page.getByTestId('names-status');
    this.timings = page.getByTestId('timings');
    this.runsCounter = page.getByTestId('runs');
  }

  async state(): Promise<AppState> {
    return (await this.root.getAttribute('data-state')) as AppState;
  }

  /**
   * Waits until a load ends, on the app's own signal: the status leaves "loading"/"working" for
   * "ready", or for "error", which fails at once with the app's reason instead of running out the
   * budget.
   */
  async waitSettled(timeout: number): Promise<void> {
    const settled = this.page.locator('[data-testid=status]:is([data-state=ready], [data-state=error])');
    await settled.waitFor({ timeout });
    if ((await this.state()) === 'error')
      throw new Error(`the app reports a failed load: ${(await this.failure.textContent()) ?? ''}`);
  }

  /** The model's load and warm-up times as the app measured and shows them (ms), or null. */
  async loadTimes(): Promise<{ loadMs: number; warmupMs: number } | null> {
    const m = /Load (\d+) ms \+ warm-up (\d+) ms/.exec((await this.root.textContent()) ?? '');
    return m ? { loadMs: Number(m[1]), warmupMs: Number(m[2]) } : null;
  }

  async runs(): Promise<Runs> {
    await expect(this.runsCounter).toBeVisible();
    const text = (await this.runsCounter.textContent()) ?? '';
    const prompts = /\((\d+) prompts?\)/.exec(text);
    if (!prompts) throw new Error(`no prompt count in "${text}"`);
    return {
      image: Number(await this.runsCounter.getAttribute('data-image-runs')),
      text: Number(await this.runsCounter.getAttribute('data-text-runs')),
      prompts: Number(prompts[1]),
    };
  }
}
