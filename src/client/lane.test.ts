import { describe, expect, it } from 'vitest';
import { RequestSupersededError, WorkerHungError } from '../errors';
import { bitmap, fakeResult, flush, segReq, vocabReq } from './fakeWorker.testing';
import { Lane, type LaneSender } from './lane';

/** A sender that records what the lane sends and lets the test settle each request. */
function stubSender() {
  const sent: {
    kind: string;
    req: unknown;
    transfer: Transferable[];
    resolve(v: unknown): void;
    reject(e: Error): void;
  }[] = [];
  const send = ((kind: string, req: unknown, transfer: Transferable[]) =>
    new Promise((resolve, reject) => sent.push({ kind, req, transfer, resolve, reject }))) as LaneSender;
  const stops: string[] = [];
  const lane = new Lane(send, () => stops.push(sent.at(-1)?.kind ?? 'none'));
  return { sent, lane, stops };
}

describe('Lane', () => {
  it('a newer vocabulary stops the one being encoded; a newer still picture the running segmentation', async () => {
    const { sent, lane, stops } = stubSender();
    void lane.vocabulary(vocabReq('sky')).catch(() => {});
    void lane.vocabulary(vocabReq('grass'));
    expect(stops).toEqual(['vocabulary']);
    sent[0]!.reject(new RequestSupersededError());
    await flush();
    sent[1]!.resolve({ unknown: [], encoded: 1, textMs: 1 });
    await flush();
    const replaced = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(RequestSupersededError);
    void lane.segment(segReq(bitmap('p')));
    const waits = lane.segment(segReq()); // no new picture: waits, stops nothing
    const frame = lane.segment({ ...segReq(bitmap('p')), live: { smoothing: 0 } }); // a live frame: waits
    expect(stops).toEqual(['vocabulary']);
    void lane.segment(segReq(bitmap('p')));
    await replaced(waits);
    await replaced(frame);
    expect(stops).toEqual(['vocabulary', 'segment']);
    void lane.vocabulary(vocabReq('sea')); // a segmentation runs: the vocabulary waits for it
    expect(stops).toHaveLength(2);
  });

  it('sends one request at a time; the next waits and is sent when the running one settles', async () => {
    const { sent, lane } = stubSender();
    expect(lane.busy).toBe(false);
    const s1 = lane.segment(segReq());
    const s2 = lane.segment(segReq());
    expect(sent).toHaveLength(1);
    expect(lane.busy).toBe(true);
    sent[0]!.resolve(fakeResult(1));
    await expect(s1).resolves.toEqual(fakeResult(1));
    await flush();
    expect(sent).toHaveLength(2);
    sent[1]!.resolve(fakeResult(2));
    await expect(s2).resolves.toEqual(fakeResult(2));
    await flush();
    expect(lane.busy).toBe(false);
  });

  it('a newer request of a kind replaces the queued one of that kind, not the other kind', async () => {
    const { sent, lane } = stubSender();
    void lane.segment(segReq());
    const v1 = lane.vocabulary(vocabReq('sky'));
    const s2 = lane.segment(segReq());
    const v2 = lane.vocabulary(vocabReq('grass'));
    const s3 = lane.segment(segReq());
    await expect(v1).rejects.toBeInstanceOf(RequestSupersededError);
    await expect(s2).rejects.toBeInstanceOf(RequestSupersededError);
    sent[0]!.resolve(fakeResult(1));
    await flush();
    expect(sent.map((s) => s.kind)).toEqual(['segment', 'vocabulary']);
    expect(sent[1]!.req).toEqual(vocabReq('grass'));
    sent[1]!.resolve({ unknown: [], encoded: 1, textMs: 1 });
    await expect(v2).resolves.toMatchObject({ encoded: 1 });
    await flush();
    sent[2]!.resolve(fakeResult(3));
    await expect(s3).resolves.toEqual(fakeResult(3));
  });

  it('a queued vocabulary goes before a segmentation queued earlier', async () => {
    const { sent, lane } = stubSender();
    void lane.vocabulary(vocabReq('sky'));
    void lane.segment(segReq());
    void lane.vocabulary(vocabReq('grass'));
    sent[0]!.resolve({ unknown: [], encoded: 1, textMs: 1 });
    await flush();
    expect(sent.map((s) => [s.kind, s.transfer])).toEqual([
      ['vocabulary', []],
      ['vocabulary', []],
    ]);
    sent[1]!.resolve({ unknown: [], encoded: 1, textMs: 1 });
    await flush();
    expect(sent[2]!.kind).toBe('segment');
  });

  it('a replaced image is carried over to a newer request without one, closed for one with its own', async () => {
    const { sent, lane } = stubSender();
    const b1 = bitmap('b1'),
      b2 = bitmap('b2'),
      b3 = bitmap('b3');
    void lane.segment(segReq());
    void lane.segment(segReq(b1)).catch(() => undefined);
    void lane.segment(segReq()).catch(() => undefined); // takes over b1
    void lane.segment(segReq(b2)).catch(() => undefined); // b1 can no longer be sent
    expect(b1.close).toHaveBeenCalledTimes(1);
    void lane.segment(segReq(b2)).catch(() => undefined); // the same image again: kept
    void lane.segment(segReq(b3));
    expect(b2.close).toHaveBeenCalledTimes(1);
    sent[0]!.resolve(fakeResult(1));
    await flush();
    expect(sent[1]!.req).toEqual(segReq(b3));
    expect(sent[1]!.transfer).toEqual([b3]);
    expect(b3.close).not.toHaveBeenCalled();
  });

  it('while a picture is on its way, a segmentation without one waits for it (vocabularies go)', async () => {
    const { sent, lane, stops } = stubSender();
    void lane.vocabulary(vocabReq('sky'));
    const stale = lane.segment(segReq()); // the vocabulary's segmentation of the current picture
    lane.holdForPicture();
    expect(stops).toEqual([]); // a vocabulary runs: it goes on
    sent[0]!.resolve({ unknown: [], encoded: 1, textMs: 1 });
    await flush();
    expect(sent).toHaveLength(1); // the stale segmentation waits
    const b = bitmap('b');
    const fresh = lane.segment(segReq(b));
    await expect(stale).rejects.toBeInstanceOf(RequestSupersededError);
    expect(sent.map((s) => [s.kind, s.transfer])).toEqual([
      ['vocabulary', []],
      ['segment', [b]],
    ]);
    sent[1]!.resolve(fakeResult(1));
    await expect(fresh).resolves.toEqual(fakeResult(1));
  });

  it('holding for a picture stops a running segmentation without one, not one that brings its own', async () => {
    const { sent, lane, stops } = stubSender();
    void lane.segment(segReq(bitmap('a'))).catch(() => undefined);
    lane.holdForPicture();
    expect(stops).toEqual([]); // stopped, the worker might lack this picture
    sent[0]!.resolve(fakeResult(1));
    await flush();
    lane.release();
    void lane.segment(segReq()).catch(() => undefined);
    lane.holdForPicture();
    expect(stops).toEqual(['segment']);
  });

  it('a picture that will not come: release sends what waited', async () => {
    const { sent, lane } = stubSender();
    lane.holdForPicture();
    const waited = lane.segment(segReq());
    await flush();
    expect(sent).toHaveLength(0);
    lane.release();
    expect(sent.map((s) => s.kind)).toEqual(['segment']);
    sent[0]!.resolve(fakeResult(2));
    await expect(waited).resolves.toEqual(fakeResult(2));
  });

  it('moves on after a request fails', async () => {
    const { sent, lane } = stubSender();
    const s1 = lane.segment(segReq());
    void lane.segment(segReq());
    sent[0]!.reject(new Error('boom'));
    await expect(s1).rejects.toThrow('boom');
    await flush();
    expect(sent).toHaveLength(2);
  });

  it('dropQueued() rejects both queued requests as superseded and closes the queued image', async () => {
    const { sent, lane } = stubSender();
    void lane.segment(segReq());
    const b = bitmap('b');
    const v = lane.vocabulary(vocabReq('sky'));
    const s = lane.segment(segReq(b));
    lane.dropQueued();
    await expect(v).rejects.toBeInstanceOf(RequestSupersededError);
    await expect(s).rejects.toBeInstanceOf(RequestSupersededError);
    expect(b.close).toHaveBeenCalledTimes(1);
    sent[0]!.resolve(fakeResult(1));
    await flush();
    expect(sent).toHaveLength(1);
    expect(lane.busy).toBe(false);
  });

  it('dropQueued(reason) rejects them with that reason', async () => {
    const { lane } = stubSender();
    void lane.segment(segReq());
    const v = lane.vocabulary(vocabReq('sky'));
    const s = lane.segment(segReq());
    const hung = new WorkerHungError('segment', 'image', 100, 'the image model');
    lane.dropQueued(hung);
    await expect(v).rejects.toBe(hung);
    await expect(s).rejects.toBe(hung);
  });
});
