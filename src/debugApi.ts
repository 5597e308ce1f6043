import type { DeadlineOverrides } from './client/deadlines';
import { lastImageDecodeMs, setImageDecodeMs } from './media/boundedDecode';
import type { WorkerCounts } from './shared/protocol';
import type { Controller } from './services/controller';
import type { LiveController } from './services/liveController';
import { useApp } from './store/store';

/**
 * The test and debugging hook (`?debug` in the page address -> `window.__ovseg`). The end-to-end
 * suite reads its type from here, so a change to the hook is a type error there, not a silent cast.
 */
export interface DebugApi {
  controller: Controller;
  live: LiveController;
  store: typeof useApp;
  /** Live ORT sessions, worker-held buffers, queued requests, ORT's wasm memory. */
  counts(): Promise<WorkerCounts>;
  /** Fixed watchdog bounds (ms) instead of the model-scaled ones, so hung-worker tests need not wait minutes. */
  setDeadlines(d: DeadlineOverrides): void;
  /** The deadline of a picture decoded without a readable size (ms), so a test need not wait for it. */
  setImageDecodeMs(ms: number): void;
  /** How long the last picture decoded in a worker of its own took (ms). */
  lastImageDecodeMs(): number | null;
}

declare global {
  interface Window {
    /** Set only with `?debug` in the page address. */
    __ovseg?: DebugApi;
  }
}

export function installDebugApi(controller: Controller, live: LiveController): void {
  const api: DebugApi = {
    controller,
    live,
    store: useApp,
    counts: () => controller.client.request('counts', {}),
    setDeadlines: (d) => (controller.client.overrides = d),
    setImageDecodeMs,
    lastImageDecodeMs,
  };
  window.__ovseg = api;
}
