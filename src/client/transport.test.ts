import { describe, expect, it, vi } from 'vitest';
import { WorkerCrashedError, WorkerStoppedError } from '../errors';
import type { RequestMessage, WorkerMessage } from '../shared/protocol';
import { FakeWorker } from './fakeWorker.testing';
import { Transport, type RequestObserver } from './transport';

/** An observer that logs what it is told, into the same log as the test's callbacks. */
function recorder(log: string[]): RequestObserver {
  return {
    sent: (m: RequestMessage) => log.push(`sent ${m.kind} ${m.id}`),
    received: (m: WorkerMessage) => log.push(`received ${m.kind} ${m.id}`),
    cleared: () => log.push('cleared'),
  };
}

const loadReq = { source: { kind: 'url', manifestUrl: 'u' }, ep: 'wasm' } as const;

describe('Transport', () => {
  it('tells the observer of each request before it is posted, and of each message before the request hears it', async () => {
    const log: string[] = [];
    const w = new FakeWorker();
    const post = w.postMessage.bind(w);
    w.postMessage = (msg, transfer) => (log.push(`posted ${msg.id}`), post(msg, transfer));
    const t = new Transport(w, recorder(log));
    const p = t.send('load', loadReq, [], (pr) => log.push(`progress ${pr.loaded}`));
    w.send({ kind: 'progress', id: 1, progress: { file: 'a', loaded: 3, total: 9 } });
    w.send({ kind: 'stage', id: 1, stage: 'compile' });
    w.reply(7, 'nobody asked');
    w.reply(1, 'done');
    void p.then(() => log.push('resolved'));
    await p;
    expect(log).toEqual([
      'sent load 1',
      'posted 1',
      'received progress 1',
      'progress 3',
      'received stage 1',
      'received reply 1',
      'resolved',
    ]);
  });

  it('clears the observer when every pending request fails at once (crash, terminate)', async () => {
    const log: string[] = [];
    const w = new FakeWorker();
    const t = new Transport(w, recorder(log));
    void t.send('init', {});
    w.reply(1, {});
    const a = t.send('storage', { prefixes: [] });
    w.crash('gone');
    await expect(a).rejects.toBeInstanceOf(WorkerCrashedError);
    const b = t.send('counts', {});
    t.terminate();
    await expect(b).rejects.toBeInstanceOf(WorkerStoppedError);
    expect(log.filter((l) => l === 'cleared')).toHaveLength(2);
    expect(w.terminated).toBe(true);
  });

  it('replace(): a fresh worker gets the requests that mean the same to it; the others fail', async () => {
    const workers: FakeWorker[] = [];
    const t = new Transport(() => {
      workers.push(new FakeWorker());
      return workers.at(-1)!;
    }, recorder([]));
    const load = t.send('load', loadReq, [new ArrayBuffer(1)]).catch((e: unknown) => e);
    const storage = t.send('storage', { prefixes: ['p'] }, [new ArrayBuffer(1)]);
    const err = new Error('hung');
    expect(t.replace(err)).toBe(true);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[0]!.onmessage).toBeNull();
    expect(await load).toBe(err);
    expect(workers[1]!.posted).toEqual([{ msg: { kind: 'storage', id: 2, prefixes: ['p'] }, transfer: [] }]);
    expect(t.restarts).toBe(1);
    workers[1]!.reply(2, { cached: [] });
    await expect(storage).resolves.toEqual({ cached: [] });
    // A new request goes to the fresh worker, with the next id.
    void t.send('counts', {});
    expect(workers[1]!.posted.at(-1)!.msg).toEqual({ kind: 'counts', id: 3 });
  });

  it('replace() without a factory stops the worker and fails every request', async () => {
    const w = new FakeWorker();
    const t = new Transport(w, recorder([]));
    const storage = t.send('storage', { prefixes: [] }).catch((e: unknown) => e);
    const err = new Error('hung');
    expect(t.replace(err)).toBe(false);
    expect(w.terminated).toBe(true);
    expect(await storage).toBe(err);
    expect(t.restarts).toBe(0);
  });

  it('the worker is made when the transport is, and once more after it failed to start', async () => {
    const make = vi.fn(() => new FakeWorker());
    const t = new Transport(make, recorder([]));
    expect(make).toHaveBeenCalledTimes(1);
    const a = t.send('init', {}).catch((e: unknown) => e);
    make.mock.results[0]!.value.crash('');
    await a;
    void t.send('init', {});
    void t.send('init', {});
    expect(make).toHaveBeenCalledTimes(2);
  });
});
