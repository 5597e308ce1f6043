import type { FileProgress, RequestKind, RequestMessage, Requests, WorkerMessage } from './protocol';

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

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: FileProgress) => void;
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

/**
 * Main-thread side of the worker boundary: ids, a pending map, transfer lists, and the
 * segmentation queue (one in flight; a newer request replaces the queued one, latest wins).
 */
export class EngineClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private inFlight = false;
  private queued: { req: SegmentReq; resolve(v: SegmentRes): void; reject(e: Error): void } | null = null;

  constructor(private worker: WorkerLike) {
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) =>
      this.failAll(new EngineError(`The engine worker crashed: ${e.message || 'unknown error'}`));
  }

  private receive(msg: WorkerMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.kind === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.kind === 'reply') p.resolve(msg.result);
    else p.reject(new EngineError(msg.message, msg.name));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request<K extends RequestKind>(
    kind: K,
    payload: Requests[K]['req'],
    transfer: Transferable[] = [],
    onProgress?: (p: FileProgress) => void,
  ): Promise<Requests[K]['res']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.worker.postMessage({ kind, id, ...payload } as RequestMessage, transfer);
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
