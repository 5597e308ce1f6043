import { RequestSupersededError } from '../errors';
import type { Requests } from '../shared/protocol';

type LaneKind = 'vocabulary' | 'segment';
type SegmentReq = Requests['segment']['req'];
type SegmentRes = Requests['segment']['res'];
type VocabReq = Requests['vocabulary']['req'];
type VocabRes = Requests['vocabulary']['res'];

/** Sends one request of the lane to the worker (the transport's `send`). */
export type LaneSender = <K extends LaneKind>(
  kind: K,
  req: Requests[K]['req'],
  transfer: Transferable[],
) => Promise<Requests[K]['res']>;

/** A request of the lane, waiting to be sent. */
type Job<Req, Res> = { req: Req; resolve(v: Res): void; reject(e: Error): void };

/**
 * The ordered lane of vocabulary and segmentation requests: one in flight; a newer request of a
 * kind replaces the queued one of that kind (latest wins); a queued vocabulary goes before a queued
 * segmentation, so a segmentation always runs with the newest vocabulary sent before it.
 */
export class Lane {
  private inFlight = false;
  private queuedSegment: Job<SegmentReq, SegmentRes> | null = null;
  private queuedVocab: Job<VocabReq, VocabRes> | null = null;

  constructor(private readonly send: LaneSender) {}

  get busy(): boolean {
    return this.inFlight;
  }

  /** Queues a vocabulary; one already queued is replaced (it rejects with RequestSupersededError). */
  vocabulary(req: VocabReq): Promise<VocabRes> {
    return new Promise((resolve, reject) => {
      this.queuedVocab?.reject(new RequestSupersededError());
      this.queuedVocab = { req, resolve, reject };
      this.pump();
    });
  }

  /**
   * Queues a segmentation; one already queued is replaced (it rejects with RequestSupersededError).
   * The replaced request's image is carried over when the newer request brings none, so no image is
   * lost; one that no request will send any more is closed.
   */
  segment(req: SegmentReq): Promise<SegmentRes> {
    return new Promise((resolve, reject) => {
      const old = this.queuedSegment;
      if (old) {
        if (!req.bitmap && old.req.bitmap) req = { ...req, bitmap: old.req.bitmap };
        else if (req.bitmap && old.req.bitmap && req.bitmap !== old.req.bitmap) old.req.bitmap.close();
        old.reject(new RequestSupersededError());
      }
      this.queuedSegment = { req, resolve, reject };
      this.pump();
    });
  }

  /**
   * Drops the queued (not yet sent) segmentation and vocabulary, closing the queued image: by default
   * as superseded (e.g. a model load comes first), or with `reason` (the worker hung).
   */
  dropQueued(reason?: Error): void {
    const old = this.queuedSegment;
    this.queuedSegment = null;
    old?.req.bitmap?.close();
    old?.reject(reason ?? new RequestSupersededError());
    this.queuedVocab?.reject(reason ?? new RequestSupersededError());
    this.queuedVocab = null;
  }

  private pump(): void {
    if (this.inFlight) return;
    const sent = this.sendNext();
    if (!sent) return;
    this.inFlight = true;
    void sent.finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  private sendNext(): Promise<unknown> | null {
    const vocab = this.queuedVocab;
    if (vocab) {
      this.queuedVocab = null;
      return this.send('vocabulary', vocab.req, []).then(vocab.resolve, vocab.reject);
    }
    const seg = this.queuedSegment;
    if (!seg) return null;
    this.queuedSegment = null;
    const transfer: Transferable[] = seg.req.bitmap ? [seg.req.bitmap] : [];
    return this.send('segment', seg.req, transfer).then(seg.resolve, seg.reject);
  }
}
