import { describe, expect, it, vi } from 'vitest';
import {
  AppError,
  DownloadFailedError,
  RequestSupersededError,
  UnexpectedError,
  VocabularyEmptyError,
  WorkerCrashedError,
  WorkerStartFailedError,
  WorkerStoppedError,
} from '../errors';
import { WorkerClient } from './workerClient';
import { bitmap, FakeWorker, fakeResult, flush, segReq, vocabReq } from './fakeWorker.testing';

describe('WorkerClient.request', () => {
  it('posts {kind, id, ...payload} with the transfer list and resolves with the matching reply', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
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
    const client = new WorkerClient(w);
    const a = client.request('init', {});
    w.reply(99, 'nobody');
    w.reply(1, 'first');
    w.reply(1, 'second');
    await expect(a).resolves.toBe('first');
  });

  it('rejects with the class of the error code the worker sent, and its message', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const p = client.request('export', {});
    w.send({ kind: 'error', id: 1, code: 'download-failed', message: 'Could not download x.onnx: HTTP 404' });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadFailedError);
    expect(err).toMatchObject({ code: 'download-failed', name: 'DownloadFailedError' });
    expect((err as Error).message).toBe('Could not download x.onnx: HTTP 404');
  });

  it('a code it does not know becomes an unexpected error, message kept', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const p = client.request('export', {});
    w.send({ kind: 'error', id: 1, code: 'from-a-newer-worker', message: 'odd' } as never);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as Error).message).toBe('odd');
  });

  it('passes progress messages to the callback before the reply', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
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
    const client = new WorkerClient(w);
    const started = client.request('init', {});
    w.reply(1, { gpu: { available: false } });
    await started;
    const a = client.request('storage', { prefixes: [] });
    const b = client.request('load', { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' });
    w.crash('out of memory');
    for (const p of [a, b]) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect((err as Error).message).toBe('The engine worker crashed: out of memory');
    }
  });

  it('a worker that dies before its first answer failed to start; the next request gets a fresh one', async () => {
    const workers: FakeWorker[] = [];
    const client = new WorkerClient(() => {
      workers.push(new FakeWorker());
      return workers.at(-1)!;
    });
    const a = client.request('init', {});
    // A module worker whose script did not load reports an error event without a message.
    workers[0]!.crash('');
    const err = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerStartFailedError);
    expect((err as Error).message).toMatch(/^The engine worker could not start: its script did not load/);
    const retry = client.request('init', {});
    expect(workers).toHaveLength(2);
    expect(workers[1]!.posted.map((p) => p.msg.kind)).toEqual(['init']);
    workers[1]!.reply(2, 'fresh');
    await expect(retry).resolves.toBe('fresh');
  });

  it('renewIfGrown() replaces an idle worker whose WebAssembly memory grew past the bound, only then', async () => {
    const workers: FakeWorker[] = [];
    const client = new WorkerClient(() => {
      workers.push(new FakeWorker());
      return workers.at(-1)!;
    });
    const counts = (wasmBytes: number | null) => ({ sessions: 2, buffers: 0, queued: 0, wasmBytes });
    const small = client.renewIfGrown(100);
    workers[0]!.reply(1, counts(100));
    await expect(small).resolves.toBe(false);
    const busy = client.request('segment', segReq());
    const whileBusy = client.renewIfGrown(100);
    workers[0]!.reply(3, counts(101));
    await expect(whileBusy).resolves.toBe(false); // a request in flight would be lost
    workers[0]!.reply(2, fakeResult(1));
    await busy;
    const grown = client.renewIfGrown(100);
    workers[0]!.reply(4, counts(101));
    await expect(grown).resolves.toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.restarts).toBe(1);
  });

  it('terminate() rejects pending requests and stops the worker', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const a = client.request('init', {});
    client.terminate();
    await expect(a).rejects.toThrow(WorkerStoppedError);
    await expect(a).rejects.toThrow('The engine was stopped');
    expect(w.terminated).toBe(true);
  });
});

describe('WorkerClient.segment', () => {
  it('runs one at a time, queues the next, and a newer request replaces the queued one', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
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
    await expect(s2).rejects.toBeInstanceOf(RequestSupersededError);
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
    const client = new WorkerClient(w);
    const b2 = bitmap('b2'),
      b3 = bitmap('b3');
    const s1 = client.segment(segReq());
    const s2 = client.segment(segReq(b2));
    const s3 = client.segment(segReq(b3));
    await expect(s2).rejects.toThrow(RequestSupersededError);
    expect(b2.close).toHaveBeenCalledTimes(1);
    expect(w.posted[0]!.transfer).toEqual([]);
    w.reply(1, fakeResult(1));
    await s1;
    await flush();
    expect(w.posted[1]!.msg).toMatchObject({ id: 2, bitmap: b3 });
    expect(w.posted[1]!.transfer).toEqual([b3]);
    // Each newer picture asked the worker to stop the running segmentation between model runs.
    expect(w.stops).toBe(2);
    w.reply(2, fakeResult(3));
    await expect(s3).resolves.toEqual(fakeResult(3));
    expect(b3.close).not.toHaveBeenCalled();
  });

  it('moves on to the queued request after an error reply', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const s1 = client.segment(segReq());
    const s2 = client.segment(segReq());
    w.send({ kind: 'error', id: 1, code: 'vocabulary-empty', message: 'The vocabulary is empty' });
    await expect(s1).rejects.toThrow(VocabularyEmptyError);
    await flush();
    expect(w.posted).toHaveLength(2);
    w.reply(2, fakeResult(2));
    await expect(s2).resolves.toEqual(fakeResult(2));
  });

  it('rejects the running segmentation when the worker crashes', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const s1 = client.segment(segReq(bitmap('b1')));
    w.send({ kind: 'stage', id: 1, stage: 'image' });
    w.crash('');
    const err = await s1.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as Error).message).toBe('The engine worker crashed: unknown error');
    await flush();
    expect(client.busy).toBe(false);
  });
});

describe('WorkerClient.setVocabulary', () => {
  it('shares the lane with segmentations: a queued vocabulary goes first, a newer one replaces it', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const s1 = client.segment(segReq(bitmap('b1')));
    const s2 = client.segment(segReq());
    const v1 = client.setVocabulary(vocabReq('sky'));
    const v2 = client.setVocabulary(vocabReq('grass', 'lawn'));
    await expect(v1).rejects.toBeInstanceOf(RequestSupersededError);
    expect(w.posted).toHaveLength(1);
    w.reply(1, fakeResult(1));
    await s1;
    await flush();
    // The newest vocabulary, then the segmentation queued before it: it runs with that vocabulary.
    expect(w.posted[1]!.msg).toEqual({ kind: 'vocabulary', id: 2, ...vocabReq('grass', 'lawn') });
    expect(w.posted).toHaveLength(2);
    w.reply(2, { unknown: ['lawn'], encoded: 2, textMs: 3 });
    await expect(v2).resolves.toEqual({ unknown: ['lawn'], encoded: 2, textMs: 3 });
    await flush();
    expect(w.posted[2]!.msg).toEqual({ kind: 'segment', id: 3, threshold: 0 });
    w.reply(3, fakeResult(2));
    await expect(s2).resolves.toEqual(fakeResult(2));
  });

  it('dropQueued() drops a queued vocabulary and segmentation alike', async () => {
    const w = new FakeWorker();
    const client = new WorkerClient(w);
    const s1 = client.segment(segReq());
    const v = client.setVocabulary(vocabReq('sky'));
    const b = bitmap('b');
    const s2 = client.segment(segReq(b));
    client.dropQueued();
    await expect(v).rejects.toBeInstanceOf(RequestSupersededError);
    await expect(s2).rejects.toBeInstanceOf(RequestSupersededError);
    expect(b.close).toHaveBeenCalledTimes(1);
    w.reply(1, fakeResult(1));
    await s1;
    await flush();
    expect(w.posted).toHaveLength(1);
  });
});
