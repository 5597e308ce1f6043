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
 * segmentation, so a segmentation always runs with the newest vocabulary sent before it. A newer
 * vocabulary also stops one being encoded, and a newer still picture a segmentation running
 * (`stop`: the worker ends that job between two model runs), so neither waits behind stale work.
 * While a new picture is on its way (`holdForPicture`), a queued segmentation of the picture it
 * replaces stays queued: the picture's own request replaces it, or `release` lets it go.
 */
export class Lane {
  private inFlight: LaneKind | null = null;
  private queuedSegment: Job<SegmentReq, SegmentRes> | null = null;
  private queuedVocab: Job<VocabReq, VocabRes> | null = null;
  /** A new picture is on its way: segmentations without one wait for it (vocabularies go). */
  private held = false;
  /** The running segmentation brings its own picture (the worker may not hold it otherwise). */
  private inFlightPicture = false;

  constructor(
    private readonly send: LaneSender,
    private readonly stop: () => void = () => {},
  ) {}

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Queues a vocabulary; one already queued is replaced (it rejects with RequestSupersededError). */
  vocabulary(req: VocabReq): Promise<VocabRes> {
    return new Promise((resolve, reject) => {
      if (this.inFlight === 'vocabulary') this.stop();
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
      // Live frames come one after another's result: only a still picture stops the running one.
      if (this.inFlight === 'segment' && req.bitmap && !req.live) this.stop();
      if (req.bitmap) this.held = false; // the picture (or a frame) came: nothing to wait for
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
   * A new picture is being decoded: a segmentation without a picture (of the one it replaces, e.g.
   * after a vocabulary change) is not sent until a request brings a picture or `release` is called,
   * and a running one is stopped (its caller asks again if the picture fails: its rows so far are
   * kept). One that brings a picture runs on: stopped, the worker might not hold that picture.
   */
  holdForPicture(): void {
    this.held = true;
    if (this.inFlight === 'segment' && !this.inFlightPicture) this.stop();
  }

  /** The picture that was on its way will not come (its decoding failed): what waited is sent. */
  release(): void {
    this.held = false;
    this.pump();
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
    const next = this.sendNext();
    if (!next) return;
    this.inFlight = next.kind;
    void next.sent.finally(() => {
      this.inFlight = null;
      this.pump();
    });
  }

  private sendNext(): { kind: LaneKind; sent: Promise<unknown> } | null {
    const vocab = this.queuedVocab;
    if (vocab) {
      this.queuedVocab = null;
      return {
        kind: 'vocabulary',
        sent: this.send('vocabulary', vocab.req, []).then(vocab.resolve, vocab.reject),
      };
    }
    const seg = this.queuedSegment;
    if (!seg || this.held) return null;
    this.queuedSegment = null;
    this.inFlightPicture = !!seg.req.bitmap;
    const transfer: Transferable[] = seg.req.bitmap ? [seg.req.bitmap] : [];
    return { kind: 'segment', sent: this.send('segment', seg.req, transfer).then(seg.resolve, seg.reject) };
  }
}
