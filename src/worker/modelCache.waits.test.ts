import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachingFetcher } from './modelCache';
import { readCapped } from './download';

/** A body that sends `bytes` per `everyMs`, for ever (or nothing at all), noting a cancel. */
function trickle(bytes: number, everyMs: number) {
  const seen = { cancelled: false };
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      if (bytes > 0) timer = setInterval(() => c.enqueue(new Uint8Array(bytes)), everyMs);
    },
    cancel() {
      clearInterval(timer);
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

afterEach(() => vi.unstubAllGlobals());

describe('the waits of a download', () => {
  it('stops a body that stalls, or trickles under the least pace, naming the host', async () => {
    for (const { body, seen } of [trickle(0, 10), trickle(10, 5)]) {
      await expect(
        readCapped(new Response(body), 'ovseg.json', 2 ** 20, { windowMs: 60, host: 'slow.example' }),
      ).rejects.toMatchObject({
        code: 'download-failed',
        message: expect.stringMatching(
          /ovseg\.json from slow\.example stopped: \d+ bytes came in the last 0\.06 s/,
        ),
      });
      expect(seen.cancelled).toBe(true);
    }
  });

  it('lets a body at a fair pace finish', async () => {
    const chunks = [new Uint8Array(20_000), new Uint8Array(20_000)];
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        const next = chunks.shift();
        if (!next) return c.close();
        await new Promise((r) => setTimeout(r, 30));
        c.enqueue(next);
      },
    });
    const bytes = await readCapped(new Response(body), 'a.onnx', 2 ** 20, { windowMs: 50 });
    expect(bytes.length).toBe(40_000);
  });

  it('fails a server that never answers within the bound, naming the host; a cancel stays a cancel', async () => {
    // As a real fetch: held until its signal aborts (at once if it already has).
    const never = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_, reject) => {
          const abort = () => reject(new DOMException('aborted', 'AbortError'));
          if (init.signal!.aborted) abort();
          else init.signal!.addEventListener('abort', abort);
        }),
    );
    vi.stubGlobal('fetch', never);
    const get = cachingFetcher('https://silent.example/m/', { cache: null, responseMs: 40 });
    await expect(get('ovseg.json')).rejects.toMatchObject({
      code: 'download-failed',
      message:
        'silent.example did not answer the request for ovseg.json within 0.04 s: the server is not responding (try again later, or check the address)',
    });
    const user = new AbortController();
    const cancelled = cachingFetcher('https://silent.example/m/', { cache: null, signal: user.signal });
    const pending = cancelled('ovseg.json');
    user.abort();
    await expect(pending).rejects.toMatchObject({ code: 'download-cancelled' });
  });
});
