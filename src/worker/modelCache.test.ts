import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachingFetcher, originAllowed, type CacheLike } from './modelCache';
import { readCapped } from './download';
import { capFor, LIMITS } from './limits';

const CHUNK = 64 * 1024;

/**
 * A body that never ends (or ends after `chunks`), counting what the reader pulled; it errors when
 * `signal` aborts, as a real fetch's body does.
 */
function stream(chunks = Infinity, signal?: AbortSignal) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
    },
    pull(c) {
      if (seen.pulled >= chunks) return c.close();
      seen.pulled++;
      c.enqueue(new Uint8Array(CHUNK).fill(seen.pulled & 0xff));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

const response = (body: ReadableStream<Uint8Array>, length?: number) =>
  new Response(body, { headers: length === undefined ? {} : { 'content-length': String(length) } });

describe('readCapped', () => {
  it('stops an endless body at the cap and cancels the connection', async () => {
    const { body, seen } = stream();
    const cap = 10 * CHUNK + 5;
    await expect(readCapped(response(body), 'model.onnx', cap)).rejects.toMatchObject({
      code: 'model-file-too-large',
      message: expect.stringMatching(/model\.onnx stopped: .*more than the .* this file may take/),
    });
    expect(seen.cancelled).toBe(true);
    // Read no further than the chunk that crossed the cap (plus the stream's one-chunk read-ahead).
    expect(seen.pulled).toBeLessThanOrEqual(12);
  });

  it('refuses an announced length over the cap before reading', async () => {
    const { body, seen } = stream();
    await expect(readCapped(response(body, 5 * CHUNK), 'tokenizer.json', 4 * CHUNK)).rejects.toThrow(
      /announced 320 kB, more than the 256 kB/,
    );
    expect(seen.pulled).toBeLessThanOrEqual(1);
  });

  it('stops a body longer than its announced length', async () => {
    const { body, seen } = stream();
    await expect(readCapped(response(body, 3 * CHUNK), 'model.onnx', LIMITS.onnx)).rejects.toThrow(
      /sent more than it announced \(192 kB\)/,
    );
    expect(seen.cancelled).toBe(true);
  });

  it('reads a complete body, with or without an announced length', async () => {
    for (const length of [4 * CHUNK, undefined]) {
      const { body } = stream(4);
      const progress: number[] = [];
      const bytes = await readCapped(response(body, length), 'f', 4 * CHUNK, {
        onProgress: (p) => progress.push(p.loaded),
      });
      expect(bytes.length).toBe(4 * CHUNK);
      expect([bytes[0], bytes[CHUNK], bytes[4 * CHUNK - 1]]).toEqual([1, 2, 4]);
      expect(progress).toEqual([1, 2, 3, 4].map((k) => k * CHUNK));
    }
  });

  it('reports a body shorter than announced', async () => {
    const { body } = stream(2);
    await expect(readCapped(response(body, 3 * CHUNK), 'f', LIMITS.onnx)).rejects.toThrow(/cut short/);
  });
});

describe('capFor', () => {
  it('allows a declared size plus a margin, and the general cap without one', () => {
    expect(capFor(undefined)).toBe(LIMITS.onnx);
    expect(capFor(1e6)).toBe(1.25e6 + 1024 * 1024);
    expect(capFor(1e12)).toBe(LIMITS.onnx);
    expect(capFor(-5)).toBe(LIMITS.onnx);
  });
});

describe('originAllowed', () => {
  it('matches exact origins and subdomain wildcards', () => {
    const allowed = ['https://huggingface.co', 'https://*.hf.co', 'http://127.0.0.1:4174'];
    expect(originAllowed('https://huggingface.co/x/resolve/main/a.onnx', allowed)).toBe(true);
    expect(originAllowed('https://cas-bridge.xethub.hf.co/a', allowed)).toBe(true);
    expect(originAllowed('http://127.0.0.1:4174/hub/a', allowed)).toBe(true);
    expect(originAllowed('http://127.0.0.1:4175/hub/a', allowed)).toBe(false);
    expect(originAllowed('https://evilhf.co/a', allowed)).toBe(false);
    expect(originAllowed('http://huggingface.co/a', allowed)).toBe(false);
  });
});

describe('cachingFetcher', () => {
  afterEach(() => vi.unstubAllGlobals());

  class MapCache implements CacheLike {
    map = new Map<string, Response>();
    async match(url: string) {
      return this.map.get(url)?.clone();
    }
    async put(url: string, res: Response) {
      this.map.set(url, res);
    }
    async delete(url: string) {
      return this.map.delete(url);
    }
    async keys() {
      return [...this.map.keys()].map((u) => new Request(u));
    }
  }

  it('stops the other downloads of a load when one file fails, and caches nothing', async () => {
    let endless: ReturnType<typeof stream> | null = null;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      if (url.endsWith('big.json')) return response(stream().body, 100 * CHUNK);
      endless = stream(Infinity, init.signal ?? undefined);
      return response(endless.body);
    });
    const cache = new MapCache();
    const f = cachingFetcher('http://hub.test/m/', { cache });
    const model = f('model.onnx');
    await expect(f('big.json', undefined, LIMITS.tokenizerJson / 64)).rejects.toThrow(/announced/);
    await expect(model).rejects.toThrow(/model\.onnx was cancelled/);
    await expect(model).rejects.toMatchObject({ code: 'download-cancelled' });
    // Stopped long before its 2 GiB cap.
    expect(endless!.seen.pulled).toBeLessThan(1000);
    await f.commit();
    expect(cache.map.size).toBe(0);
  });

  it('refuses hosts outside the allowed origins without fetching', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const f = cachingFetcher('https://elsewhere.test/m/', {
      cache: null,
      allowedOrigins: ['https://huggingface.co'],
    });
    await expect(f('ovseg.json')).rejects.toThrow(/not on a host this app may download from/);
    expect(fetch).not.toHaveBeenCalled();
  });
});
