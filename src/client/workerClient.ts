import {
  errorFromCode,
  RequestSupersededError,
  WorkerCrashedError,
  WorkerHungError,
  WorkerStartFailedError,
  WorkerStoppedError,
} from '../errors';
import { loadStepMs, segmentStepMs, type DeadlineOverrides } from './deadlines';
import {
  hungWords,
  type FileProgress,
  type ModelInfo,
  type RequestKind,
  type RequestMessage,
  type Requests,
  type Stage,
  type WorkerMessage,
} from '../shared/protocol';

interface Pending {
  kind: RequestKind;
  /** The message, kept for requests that are re-sent to a replacement worker. */
  msg: RequestMessage;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: ((p: FileProgress) => void) | undefined;
  /** Vocabulary: its names (the vocabulary step's bound grows with them). */
  names: number;
  stage: Stage | null;
  /** Load: largest `loaded` seen per file. */
  bytes: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
}

type SegmentReq = Requests['segment']['req'];
type SegmentRes = Requests['segment']['res'];
type VocabReq = Requests['vocabulary']['req'];
type VocabRes = Requests['vocabulary']['res'];

/** A request of the ordered lane (vocabulary and segmentation), waiting to be sent. */
type Job<Req, Res> = { req: Req; resolve(v: Res): void; reject(e: Error): void };

/** The part of a Worker the client uses (a real worker, or a test double). */
export interface WorkerLike {
  postMessage(msg: RequestMessage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Requests that run model code and so can hang; the others answer quickly or are answered at once. */
const BOUNDED: ReadonlySet<RequestKind> = new Set(['load', 'vocabulary', 'segment']);
/** Requests that mean the same to a fresh worker: re-sent to it rather than failed. */
const RESENT: ReadonlySet<RequestKind> = new Set(['init', 'storage', 'counts']);
const NO_START = 'its script did not load or run (a missing or blocked file, or no module workers here)';

/**
 * Main-thread side of the worker boundary: ids, a pending map, transfer lists, the lane of
 * vocabulary and segmentation requests (one in flight; a newer request of a kind replaces the
 * queued one of that kind, latest wins; a queued vocabulary goes before a queued segmentation, so
 * a segmentation always runs with the newest vocabulary sent before it), and the watchdog:
 * the worker runs requests one at a time, so the oldest bounded request is the one running; when it
 * outlives its bound the worker is terminated and, given a factory, replaced by a fresh one.
 */
export class WorkerClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Bounded requests in the order the worker runs them (the head is the running one). */
  private order: number[] = [];
  private inFlight = false;
  private queued: Job<SegmentReq, SegmentRes> | null = null;
  private queuedVocab: Job<VocabReq, VocabRes> | null = null;
  /** The worker answered something: a worker that dies before that never started. */
  private started = false;
  /** The worker failed to start: the next request gets a fresh one (when the client can make one). */
  private startFailed = false;
  private worker!: WorkerLike;
  private readonly make: (() => WorkerLike) | null;
  /** The loaded model's warm-up time: segmentation bounds scale with it. */
  private warmupMs: number | null = null;
  overrides: DeadlineOverrides = {};
  /** Called after a hung worker was replaced (the new worker has no model yet). */
  onRestart: ((err: WorkerHungError) => void) | null = null;
  /** Workers replaced so far (diagnostics). */
  restarts = 0;

  constructor(worker: WorkerLike | (() => WorkerLike)) {
    this.make = typeof worker === 'function' ? worker : null;
    this.attach(typeof worker === 'function' ? worker() : worker);
  }

  private attach(worker: WorkerLike): void {
    this.worker = worker;
    this.started = false;
    worker.onmessage = (e) => {
      if (this.worker !== worker) return;
      this.started = true;
      this.receive(e.data);
    };
    // A module worker whose script fails to load reports a bare Event, without a message.
    worker.onerror = (e) => {
      if (this.worker !== worker) return;
      this.startFailed = !this.started;
      const why = e.message || (this.started ? 'unknown error' : NO_START);
      this.failAll(
        this.started
          ? new WorkerCrashedError(`The engine worker crashed: ${why}`)
          : new WorkerStartFailedError(`The engine worker could not start: ${why}`),
      );
    };
  }

  private receive(msg: WorkerMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.kind === 'progress') {
      p.bytes.set(msg.progress.file, msg.progress.loaded);
      this.arm(msg.id); // a download that moves is alive
      p.onProgress?.(msg.progress);
      return;
    }
    if (msg.kind === 'stage') {
      p.stage = msg.stage;
      this.arm(msg.id);
      return;
    }
    this.settle(msg.id);
    if (msg.kind === 'reply') {
      if (p.kind === 'load') this.warmupMs = (msg.result as ModelInfo).warmupMs;
      p.resolve(msg.result);
    } else p.reject(errorFromCode(msg.code, msg.message));
  }

  /** Forgets a finished request and starts the clock of the next one the worker runs. */
  private settle(id: number): void {
    const p = this.pending.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.pending.delete(id);
    this.order = this.order.filter((x) => x !== id);
    if (this.order[0] !== undefined) this.arm(this.order[0]);
  }

  /** (Re)starts the running request's clock; requests waiting behind it have none yet. */
  private arm(id: number): void {
    const p = this.pending.get(id);
    if (!p || this.order[0] !== id) return;
    if (p.timer) clearTimeout(p.timer);
    const bytes = [...p.bytes.values()].reduce((a, b) => a + b, 0);
    const ms =
      p.kind === 'load'
        ? loadStepMs(bytes, this.overrides)
        : segmentStepMs(this.warmupMs, p.names, p.stage, this.overrides);
    p.timer = setTimeout(
      () => this.hung(new WorkerHungError(p.kind, p.stage, ms, hungWords(p.kind, p.stage))),
      ms,
    );
  }

  private hung(err: WorkerHungError): void {
    const old = this.worker;
    old.onmessage = null;
    old.onerror = null;
    old.terminate();
    if (this.queued) {
      this.queued.req.bitmap?.close();
      this.queued.reject(err);
      this.queued = null;
    }
    this.queuedVocab?.reject(err);
    this.queuedVocab = null;
    const resend = this.make ? [...this.pending.values()].filter((p) => RESENT.has(p.kind)) : [];
    for (const p of resend) this.pending.delete(p.msg.id);
    this.failAll(err);
    if (!this.make) return;
    this.restarts++;
    this.warmupMs = null;
    this.attach(this.make());
    for (const p of resend) {
      this.pending.set(p.msg.id, p);
      this.worker.postMessage(p.msg, []);
    }
    this.onRestart?.(err);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
    this.order = [];
  }

  request<K extends RequestKind>(
    kind: K,
    payload: Requests[K]['req'],
    transfer: Transferable[] = [],
    onProgress?: (p: FileProgress) => void,
  ): Promise<Requests[K]['res']> {
    const id = this.nextId++;
    if (this.startFailed && this.make) this.attach(this.make()); // a retry gets a fresh worker
    this.startFailed = false;
    return new Promise((resolve, reject) => {
      const names =
        kind === 'vocabulary' ? (payload as VocabReq).classes.reduce((n, c) => n + c.names.length, 0) : 0;
      const msg = { kind, id, ...payload } as RequestMessage;
      this.pending.set(id, {
        kind,
        msg,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress,
        names,
        stage: null,
        bytes: new Map(),
        timer: null,
      });
      if (BOUNDED.has(kind)) {
        this.order.push(id);
        this.arm(id);
      }
      this.worker.postMessage(msg, transfer);
    });
  }

  /**
   * Sets the vocabulary of the segmentations that follow. Waits while a request of the lane runs;
   * a later vocabulary replaces a queued one (the replaced promise rejects with
   * RequestSupersededError).
   */
  setVocabulary(req: VocabReq): Promise<VocabRes> {
    return new Promise((resolve, reject) => {
      this.queuedVocab?.reject(new RequestSupersededError());
      this.queuedVocab = { req, resolve, reject };
      this.pump();
    });
  }

  /**
   * Segments with at most one request in flight. A request made while one runs waits; a later one
   * replaces it (the replaced promise rejects with RequestSupersededError). A replaced request's new
   * image is carried over when the newer request brings none, so no image is lost.
   */
  segment(req: SegmentReq): Promise<SegmentRes> {
    return new Promise((resolve, reject) => {
      if (this.queued) {
        const old = this.queued;
        if (!req.bitmap && old.req.bitmap) req = { ...req, bitmap: old.req.bitmap };
        else if (req.bitmap && old.req.bitmap && req.bitmap !== old.req.bitmap) old.req.bitmap.close();
        old.reject(new RequestSupersededError());
      }
      this.queued = { req, resolve, reject };
      this.pump();
    });
  }

  /** Drops the queued (not yet sent) vocabulary and segmentation, e.g. because a model load comes first. */
  dropQueued(): void {
    const old = this.queued;
    this.queued = null;
    old?.req.bitmap?.close();
    old?.reject(new RequestSupersededError());
    this.queuedVocab?.reject(new RequestSupersededError());
    this.queuedVocab = null;
  }

  private pump(): void {
    if (this.inFlight) return;
    let sent: Promise<unknown>;
    if (this.queuedVocab) {
      const job = this.queuedVocab;
      this.queuedVocab = null;
      sent = this.request('vocabulary', job.req).then(job.resolve, job.reject);
    } else if (this.queued) {
      const job = this.queued;
      this.queued = null;
      const transfer: Transferable[] = job.req.bitmap ? [job.req.bitmap] : [];
      sent = this.request('segment', job.req, transfer).then(job.resolve, job.reject);
    } else return;
    this.inFlight = true;
    void sent.finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  get busy(): boolean {
    return this.inFlight;
  }

  terminate(): void {
    this.failAll(new WorkerStoppedError());
    this.worker.terminate();
  }
}
