/**
 * A WebGPU warm-up that waits on the GPU tells the page it is alive (the watchdog restarts its
 * clock); a WASM one does not: its runs hold the worker's thread, and the watchdog must still catch
 * one that never ends. (A WebGPU run that holds the thread stops the timer as well: JavaScript runs
 * no timer while a call is running.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ep, ModelInfo, WorkerMessage } from '../shared/protocol';
import { createHandler } from './handler';
import { ALIVE_MS } from './requests';
import type { LoadOptions, Segmenter } from './segmenter';

/** An engine whose warm-up waits `waitMs` with the thread free, as ORT's WebGPU runs wait on the GPU. */
function engine(waitMs: number): Segmenter {
  const load = async (_f: unknown, _s: unknown, _ep: Ep, o: LoadOptions) => {
    o.onStage?.('compile');
    o.onStage?.('warm-up');
    await new Promise((r) => setTimeout(r, waitMs));
    return { name: 'stub' } as unknown as ModelInfo;
  };
  return { load } as unknown as Segmenter;
}

function run(ep: Ep, waitMs: number) {
  const posted: WorkerMessage[] = [];
  const handle = createHandler({
    engine: engine(waitMs),
    post: (msg) => posted.push(msg),
    fetcher: () => async () => new Uint8Array(),
    gpuInfo: async () => ({
      available: true,
      fallback: true,
      f16: false,
      description: 'software',
      maxBufferSize: 2 ** 28,
      maxStorageBufferBindingSize: 2 ** 27,
    }),
    sourceFromBitmap: () => {
      throw new Error('no images here');
    },
    toBitmap: async () => null,
  });
  const done = handle({ kind: 'load', id: 1, source: { kind: 'url', manifestUrl: 'm/ovseg.json' }, ep });
  return { posted, done, alive: () => posted.filter((m) => m.kind === 'alive').length };
}

describe('a warm-up waiting on the GPU', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says it is alive every ALIVE_MS on WebGPU, and stops once the load has answered', async () => {
    const r = run('webgpu', 5.5 * ALIVE_MS);
    await vi.advanceTimersByTimeAsync(5.5 * ALIVE_MS);
    await r.done;
    expect(r.alive()).toBe(5);
    expect(r.posted.at(-1)).toMatchObject({ kind: 'reply', id: 1 });
    await vi.advanceTimersByTimeAsync(3 * ALIVE_MS);
    expect(r.alive()).toBe(5);
  });

  it('says nothing on WASM, where a run holds the thread', async () => {
    const r = run('wasm', 5.5 * ALIVE_MS);
    await vi.advanceTimersByTimeAsync(5.5 * ALIVE_MS);
    await r.done;
    expect(r.alive()).toBe(0);
  });
});
