import { describe, expect, it, vi } from 'vitest';
import { SEGMENT_FLOOR_MS } from './deadlines';
import { WorkerHungError } from '../errors';
import { WorkerClient } from './workerClient';
import { bitmap, FakeWorker, fakeResult, segReq, vocabReq } from './fakeWorker.testing';

describe('WorkerClient watchdog', () => {
  const loadReq = { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' } as const;
  const setup = () => {
    vi.useFakeTimers();
    const workers: FakeWorker[] = [];
    const client = new WorkerClient(() => {
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
      const v = client.setVocabulary(vocabReq('a', 'b', 'c', 'd'));
      const s = client.segment(segReq());
      workers[0]!.send({ kind: 'stage', id: 1, stage: 'vocabulary' });
      // No warm-up known: the floor, doubled for 4 names.
      await vi.advanceTimersByTimeAsync(2 * SEGMENT_FLOOR_MS - 1);
      workers[0]!.reply(1, { unknown: [], encoded: 4, textMs: 1 });
      await expect(v).resolves.toMatchObject({ encoded: 4 });
      workers[0]!.send({ kind: 'stage', id: 2, stage: 'combine' });
      await vi.advanceTimersByTimeAsync(SEGMENT_FLOOR_MS - 1);
      expect(workers).toHaveLength(1);
      workers[0]!.reply(2, fakeResult(1));
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
      const client = new WorkerClient(w);
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

  it('a vocabulary that hangs is named as the vocabulary step, and its queued segmentation fails too', async () => {
    const { client, workers, restarts } = setup();
    try {
      client.overrides = { segmentMs: 100 };
      const v = client.setVocabulary(vocabReq('sky')).catch((e: unknown) => e);
      const s = client.segment(segReq(bitmap('b'))).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(100);
      expect(await v).toBeInstanceOf(WorkerHungError);
      expect((await v) as WorkerHungError).toMatchObject({ kind: 'vocabulary', code: 'worker-hung' });
      expect(((await v) as Error).message).toBe(
        'The model stopped responding (encoding the vocabulary (tokenizer and text model) took over 0.1 s)',
      );
      expect(await s).toBeInstanceOf(WorkerHungError);
      expect(restarts.map((e) => e.kind)).toEqual(['vocabulary']);
      expect(workers[1]!.posted).toEqual([]);
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
