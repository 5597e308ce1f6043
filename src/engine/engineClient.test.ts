import { describe, expect, it, vi } from 'vitest';
import { SEGMENT_FLOOR_MS } from './deadlines';
import { EngineClient, EngineError, SupersededError, WorkerHungError, type WorkerLike } from './engineClient';
import type { RequestMessage, Requests, SegmentResult, WorkerMessage } from './protocol';

/** Test double of a Worker: records posted messages and lets the test answer them. */
class FakeWorker implements WorkerLike {
  posted: { msg: RequestMessage; transfer: Transferable[] }[] = [];
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(msg: RequestMessage, transfer: Transferable[]): void {
    this.posted.push({ msg, transfer });
  }
  terminate(): void {
    this.terminated = true;
  }
  send(msg: WorkerMessage): void {
    this.onmessage?.({ data: msg } as MessageEvent<WorkerMessage>);
  }
  reply(id: number, result: unknown): void {
    this.send({ kind: 'reply', id, result } as WorkerMessage);
  }
  crash(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

const bitmap = (name: string) =>
  ({ name, close: vi.fn() }) as unknown as ImageBitmap & { close: ReturnType<typeof vi.fn> };
const flush = () => new Promise((r) => setTimeout(r, 0));
const segReq = (bitmap?: ImageBitmap): Requests['segment']['req'] => ({
  classes: [{ label: 'sky', names: ['sky'] }],
  threshold: 0,
  ...(bitmap ? { bitmap } : {}),
});
const fakeResult = (tag: number) => ({ width: tag }) as unknown as SegmentResult;

describe('EngineClient.request', () => {
  it('posts {kind, id, ...payload} with the transfer list and resolves with the matching reply', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const buf = new ArrayBuffer(4);
    const a = client.request('init', {});
    const b = client.request('load', { source: { kind: 'url', manifestUrl: '/m/ovseg.json' }, ep: 'wasm' }, [
      buf,
    ]);
    expect(w.posted.map((p) => p.msg)).toEqual([
      { kind: 'init', id: 1 },
      { kind: 'load', id: 2, source: { kind: 'url', manifestUrl: '/m/ovseg.json' }, ep: 'wasm' },
    ]);
    expect(w.posted[1]!.transfer).toEqual([buf]);
    // Replies out of order still reach their own requests.
    w.reply(2, { id: 'colours' });
    w.reply(1, { gpu: { available: false } });
    await expect(b).resolves.toEqual({ id: 'colours' });
    await expect(a).resolves.toEqual({ gpu: { available: false } });
  });

  it('ignores replies for unknown or finished ids', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const a = client.request('init', {});
    w.reply(99, 'nobody');
    w.reply(1, 'first');
    w.reply(1, 'second');
    await expect(a).resolves.toBe('first');
  });

  it('rejects with the worker error name and message', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const p = client.request('export', {});
    w.send({ kind: 'error', id: 1, name: 'BundleError', message: 'Could not download x.onnx: HTTP 404' });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).name).toBe('BundleError');
    expect((err as Error).message).toBe('Could not download x.onnx: HTTP 404');
  });

  it('passes progress messages to the callback before the reply', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const onProgress = vi.fn();
    const p = client.request(
      'load',
      { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' },
      [],
      onProgress,
    );
    w.send({ kind: 'progress', id: 1, progress: { file: 'a.onnx', loaded: 5, total: 10 } });
    w.send({ kind: 'progress', id: 1, progress: { file: 'a.onnx', loaded: 10, total: 10 } });
    expect(onProgress).toHaveBeenCalledTimes(2);
    expect(onProgress).toHaveBeenNthCalledWith(1, { file: 'a.onnx', loaded: 5, total: 10 });
    w.reply(1, 'done');
    await expect(p).resolves.toBe('done');
    // Progress after the reply goes nowhere.
    w.send({ kind: 'progress', id: 1, progress: { file: 'a.onnx', loaded: 11, total: 10 } });
    expect(onProgress).toHaveBeenCalledTimes(2);
  });

  it('rejects every pending request when the worker crashes', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const a = client.request('init', {});
    const b = client.request('load', { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' });
    w.crash('out of memory');
    for (const p of [a, b]) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as Error).message).toContain('crashed');
      expect((err as Error).message).toContain('out of memory');
    }
  });

  it('terminate() rejects pending requests and stops the worker', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const a = client.request('init', {});
    client.terminate();
    await expect(a).rejects.toThrow('stopped');
    expect(w.terminated).toBe(true);
  });
});

describe('EngineClient.segment', () => {
  it('runs one at a time, queues the next, and a newer request replaces the queued one', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const b1 = bitmap('b1'),
      b2 = bitmap('b2');

    const s1 = client.segment(segReq(b1));
    expect(w.posted).toHaveLength(1);
    expect(w.posted[0]!.msg).toMatchObject({ kind: 'segment', id: 1, bitmap: b1 });
    expect(w.posted[0]!.transfer).toEqual([b1]);
    expect(client.busy).toBe(true);

    const s2 = client.segment(segReq(b2));
    expect(w.posted).toHaveLength(1); // queued, not sent

    // The third (no image of its own) replaces the second and takes over its image.
    const s3 = client.segment(segReq());
    await expect(s2).rejects.toBeInstanceOf(SupersededError);
    expect(w.posted).toHaveLength(1);
    expect(b2.close).not.toHaveBeenCalled();

    w.reply(1, fakeResult(1));
    await expect(s1).resolves.toEqual(fakeResult(1));
    await flush();
    expect(w.posted).toHaveLength(2);
    expect(w.posted[1]!.msg).toMatchObject({ kind: 'segment', id: 2, bitmap: b2 });
    expect(w.posted[1]!.transfer).toEqual([b2]);

    w.reply(2, fakeResult(3));
    await expect(s3).resolves.toEqual(fakeResult(3));
    await flush();
    expect(client.busy).toBe(false);
    expect(w.posted).toHaveLength(2);
    expect(b1.close).not.toHaveBeenCalled();
  });

  it('closes a replaced image when the newer request brings its own', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const b2 = bitmap('b2'),
      b3 = bitmap('b3');
    const s1 = client.segment(segReq());
    const s2 = client.segment(segReq(b2));
    const s3 = client.segment(segReq(b3));
    await expect(s2).rejects.toThrow(SupersededError);
    expect(b2.close).toHaveBeenCalledTimes(1);
    expect(w.posted[0]!.transfer).toEqual([]);
    w.reply(1, fakeResult(1));
    await s1;
    await flush();
    expect(w.posted[1]!.msg).toMatchObject({ id: 2, bitmap: b3 });
    expect(w.posted[1]!.transfer).toEqual([b3]);
    w.reply(2, fakeResult(3));
    await expect(s3).resolves.toEqual(fakeResult(3));
    expect(b3.close).not.toHaveBeenCalled();
  });

  it('moves on to the queued request after an error reply', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const s1 = client.segment(segReq());
    const s2 = client.segment(segReq());
    w.send({ kind: 'error', id: 1, name: 'EngineError', message: 'No model is loaded' });
    await expect(s1).rejects.toThrow('No model is loaded');
    await flush();
    expect(w.posted).toHaveLength(2);
    w.reply(2, fakeResult(2));
    await expect(s2).resolves.toEqual(fakeResult(2));
  });

  it('rejects the running segmentation when the worker crashes', async () => {
    const w = new FakeWorker();
    const client = new EngineClient(w);
    const s1 = client.segment(segReq(bitmap('b1')));
    w.crash('');
    const err = await s1.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toContain('crashed');
    await flush();
    expect(client.busy).toBe(false);
  });
});

describe('EngineClient watchdog', () => {
  const loadReq = { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' } as const;
  const setup = () => {
    vi.useFakeTimers();
    const workers: FakeWorker[] = [];
    const client = new EngineClient(() => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    });
    const restarts: WorkerHungError[] = [];
    client.onRestart = (e) => restarts.push(e);
    return { client, workers, restarts };
  };

  it('replaces a worker whose segmentation outlives 10x the warm-up, naming the stage that hung', async () => {
    const { client, workers, restarts } = setup();
    try {
      const load = client.request('load', loadReq);
      workers[0]!.reply(1, { warmupMs: 5_000 });
      await load;
      const s = client.segment(segReq(bitmap('b'))).catch((e: unknown) => e);
      const queued = client.segment(segReq(bitmap('q'))).catch((e: unknown) => e);
      workers[0]!.send({ kind: 'stage', id: 2, stage: 'image' });
      // 10 x 5 s = 50 s: alive just before, replaced at the bound.
      await vi.advanceTimersByTimeAsync(49_000);
      expect(workers).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(workers[0]!.terminated).toBe(true);
      expect(workers).toHaveLength(2);
      const err = await s;
      expect(err).toBeInstanceOf(WorkerHungError);
      expect((err as Error).message).toBe('The model stopped responding (the image model took over 50 s)');
      expect(await queued).toBeInstanceOf(WorkerHungError);
      expect(restarts).toHaveLength(1);
      // Late messages of the old worker are ignored; the new one serves requests.
      workers[0]!.reply(2, fakeResult(1));
      expect(workers[1]!.posted).toEqual([]);
      const next = client.request('init', {});
      workers[1]!.reply(3, 'fresh');
      await expect(next).resolves.toBe('fresh');
      expect(client.busy).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('each stage gets its own bound; the vocabulary step grows with the names; a floor applies', async () => {
    const { client, workers } = setup();
    try {
      const s = client.segment({ ...segReq(), classes: [{ label: 'a', names: ['a', 'b', 'c', 'd'] }] });
      workers[0]!.send({ kind: 'stage', id: 1, stage: 'vocabulary' });
      // No warm-up known: the floor, doubled for 4 names.
      await vi.advanceTimersByTimeAsync(2 * SEGMENT_FLOOR_MS - 1);
      workers[0]!.send({ kind: 'stage', id: 1, stage: 'combine' });
      await vi.advanceTimersByTimeAsync(SEGMENT_FLOOR_MS - 1);
      expect(workers).toHaveLength(1);
      workers[0]!.reply(1, fakeResult(1));
      await expect(s).resolves.toEqual(fakeResult(1));
      await vi.advanceTimersByTimeAsync(10 * SEGMENT_FLOOR_MS);
      expect(workers).toHaveLength(1); // no clock left running
    } finally {
      vi.useRealTimers();
    }
  });

  it('a request waiting behind another starts its clock only when that one ends', async () => {
    const { client, workers } = setup();
    try {
      client.overrides = { segmentMs: 1_000, loadMs: 1_000 };
      const s = client.segment(segReq());
      const load = client.request('load', loadReq).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(900);
      workers[0]!.reply(1, fakeResult(1));
      await s;
      await vi.advanceTimersByTimeAsync(900);
      // Download progress keeps a load alive.
      workers[0]!.send({ kind: 'progress', id: 2, progress: { file: 'm.onnx', loaded: 1, total: 9 } });
      await vi.advanceTimersByTimeAsync(900);
      expect(workers).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(((await load) as Error).message).toBe('The model stopped responding (loading took over 1 s)');
      expect(workers).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('without a factory, a hung worker is stopped and every request fails with the reason', async () => {
    vi.useFakeTimers();
    try {
      const w = new FakeWorker();
      const client = new EngineClient(w);
      client.overrides = { segmentMs: 100 };
      const s = client.segment(segReq()).catch((e: unknown) => e);
      const other = client.request('storage', { prefixes: [] }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(100);
      expect(w.terminated).toBe(true);
      expect(await s).toBeInstanceOf(WorkerHungError);
      expect(((await s) as Error).message).toBe(
        'The model stopped responding (the segmentation took over 0.1 s)',
      );
      expect(await other).toBeInstanceOf(WorkerHungError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('re-sends requests that mean the same to the fresh worker (cache figures, counts)', async () => {
    const { client, workers } = setup();
    try {
      client.overrides = { segmentMs: 100 };
      const s = client.segment(segReq()).catch((e: unknown) => e);
      const storage = client.request('storage', { prefixes: ['p'] });
      const exported = client.request('export', {}).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(100);
      expect(await s).toBeInstanceOf(WorkerHungError);
      expect(await exported).toBeInstanceOf(WorkerHungError); // the fresh worker has nothing to export
      expect(workers[1]!.posted.map((p) => p.msg)).toEqual([{ kind: 'storage', id: 2, prefixes: ['p'] }]);
      workers[1]!.reply(2, { cached: [] });
      await expect(storage).resolves.toEqual({ cached: [] });
    } finally {
      vi.useRealTimers();
    }
  });
});
