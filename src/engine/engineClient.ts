import { loadStepMs, segmentStepMs, type DeadlineOverrides } from './deadlines';
import {
  STAGE_WORDS,
  type FileProgress,
  type ModelInfo,
  type RequestKind,
  type RequestMessage,
  type Requests,
  type Stage,
  type WorkerMessage,
} from './protocol';

export class EngineError extends Error {
  constructor(
    message: string,
    override readonly name: string = 'EngineError',
  ) {
    super(message);
  }
}

/** Raised for a segmentation request that a newer one replaced before it started. */
export class SupersededError extends EngineError {
  constructor() {
    super('superseded by a newer request', 'SupersededError');
  }
}

/** A request ran past its bound: the worker was stopped (and replaced, when the client can). */
export class WorkerHungError extends EngineError {
  constructor(
    readonly kind: RequestKind,
    readonly stage: Stage | null,
    readonly afterMs: number,
  ) {
    const what = stage ? STAGE_WORDS[stage] : kind === 'load' ? 'loading' : 'the segmentation';
    const secs = afterMs < 10_000 ? Number((afterMs / 1000).toFixed(1)) : Math.round(afterMs / 1000);
    super(`The model stopped responding (${what} took over ${secs} s)`, 'WorkerHungError');
  }
}

interface Pending {
  kind: RequestKind;
  /** The message, kept for requests that are re-sent to a replacement worker. */
  msg: RequestMessage;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: ((p: FileProgress) => void) | undefined;
  /** Segmentation: names in the vocabulary (the vocabulary step's bound grows with them). */
  names: number;
  stage: Stage | null;
  /** Load: largest `loaded` seen per file. */
  bytes: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
}

type SegmentReq = Requests['segment']['req'];
type SegmentRes = Requests['segment']['res'];

/** The part of a Worker the client uses (a real worker, or a test double). */
export interface WorkerLike {
  postMessage(msg: RequestMessage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Requests that run model code and so can hang; the others answer quickly or are answered at once. */
const BOUNDED: ReadonlySet<RequestKind> = new Set(['load', 'segment']);
/** Requests that mean the same to a fresh worker: re-sent to it rather than failed. */
const RESENT: ReadonlySet<RequestKind> = new Set(['init', 'storage', 'counts']);

/**
 * Main-thread side of the worker boundary: ids, a pending map, transfer lists, the segmentation
 * queue (one in flight; a newer request replaces the queued one, latest wins) and the watchdog:
 * the worker runs requests one at a time, so the oldest bounded request is the one running; when it
 * outlives its bound the worker is terminated and, given a factory, replaced by a fresh one.
 */
export class EngineClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Bounded requests in the order the worker runs them (the head is the running one). */
  private order: number[] = [];
  private inFlight = false;
  private queued: { req: SegmentReq; resolve(v: SegmentRes): void; reject(e: Error): void } | null = null;
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
    worker.onmessage = (e) => {
      if (this.worker === worker) this.receive(e.data);
    };
    worker.onerror = (e) => {
      if (this.worker === worker)
        this.failAll(new EngineError(`The engine worker crashed: ${e.message || 'unknown error'}`));
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
    } else p.reject(new EngineError(msg.message, msg.name));
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
    p.timer = setTimeout(() => this.hung(new WorkerHungError(p.kind, p.stage, ms)), ms);
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
    return new Promise((resolve, reject) => {
      const names =
        kind === 'segment' ? (payload as SegmentReq).classes.reduce((n, c) => n + c.names.length, 0) : 0;
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
   * Segments with at most one request in flight. A request made while one runs waits; a later one
   * replaces it (the replaced promise rejects with SupersededError). A replaced request's new image
   * is carried over when the newer request brings none, so no image is lost.
   */
  segment(req: SegmentReq): Promise<SegmentRes> {
    return new Promise((resolve, reject) => {
      if (this.queued) {
        const old = this.queued;
        if (!req.bitmap && old.req.bitmap) req = { ...req, bitmap: old.req.bitmap };
        else if (req.bitmap && old.req.bitmap && req.bitmap !== old.req.bitmap) old.req.bitmap.close();
        old.reject(new SupersededError());
      }
      this.queued = { req, resolve, reject };
      this.pump();
    });
  }

  /** Drops the queued (not yet sent) segmentation, e.g. because a model load comes first. */
  dropQueued(): void {
    const old = this.queued;
    this.queued = null;
    old?.req.bitmap?.close();
    old?.reject(new SupersededError());
  }

  private pump(): void {
    if (this.inFlight || !this.queued) return;
    const job = this.queued;
    this.queued = null;
    this.inFlight = true;
    const transfer: Transferable[] = job.req.bitmap ? [job.req.bitmap] : [];
    this.request('segment', job.req, transfer)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }

  get busy(): boolean {
    return this.inFlight;
  }

  terminate(): void {
    this.failAll(new EngineError('The engine was stopped'));
    this.worker.terminate();
  }
}
