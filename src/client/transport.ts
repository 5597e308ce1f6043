import { errorFromCode, WorkerCrashedError, WorkerStartFailedError, WorkerStoppedError } from '../errors';
import type {
  FileProgress,
  RequestKind,
  RequestMessage,
  Requests,
  WorkerMessage,
  WorkSteps,
} from '../shared/protocol';

/** The part of a Worker the client uses (a real worker, or a test double). */
export interface WorkerLike {
  postMessage(msg: RequestMessage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/**
 * Sees the traffic of the requests still pending (the watchdog): told of each request before it is
 * posted, of each message for a pending request before the request hears of it, and when every
 * pending request was dropped at once.
 */
export interface RequestObserver {
  sent(msg: RequestMessage): void;
  received(msg: WorkerMessage): void;
  cleared(): void;
}

interface Pending {
  /** The message, kept for requests that are re-sent to a replacement worker. */
  msg: RequestMessage;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: ((p: FileProgress) => void) | undefined;
}

/** Requests that mean the same to a fresh worker: re-sent to it rather than failed. */
const RESENT: ReadonlySet<RequestKind> = new Set(['init', 'storage', 'counts']);
const NO_START = 'its script did not load or run (a missing or blocked file, or no module workers here)';

/**
 * One worker at a time and its messages: ids, the pending map, transfer lists, progress and
 * replies routed to their requests, a worker that never started told apart from one that crashed,
 * and, given a factory, a fresh worker in place of a stopped one.
 */
export class Transport {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** The worker answered something: a worker that dies before that never started. */
  private started = false;
  /** The worker failed to start: the next request gets a fresh one (when there is a factory). */
  private startFailed = false;
  private worker!: WorkerLike;
  private readonly make: (() => WorkerLike) | null;
  /** Workers replaced so far (diagnostics). */
  restarts = 0;
  /** Told how far the running long job got (a vocabulary's prompts, a picture's decoder rows), null when it ended. */
  onSteps: ((steps: WorkSteps | null) => void) | null = null;
  /** The request whose job last reported steps. */
  private stepping: number | null = null;

  constructor(
    worker: WorkerLike | (() => WorkerLike),
    private readonly observer: RequestObserver,
  ) {
    this.make = typeof worker === 'function' ? worker : null;
    this.attach(typeof worker === 'function' ? worker() : worker);
  }

  send<K extends RequestKind>(
    kind: K,
    payload: Requests[K]['req'],
    transfer: Transferable[] = [],
    onProgress?: (p: FileProgress) => void,
  ): Promise<Requests[K]['res']> {
    const id = this.nextId++;
    if (this.startFailed && this.make) this.attach(this.make()); // a retry gets a fresh worker
    this.startFailed = false;
    return new Promise((resolve, reject) => {
      const msg = { kind, id, ...payload } as RequestMessage;
      this.pending.set(id, { msg, resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.observer.sent(msg);
      this.worker.postMessage(msg, transfer);
    });
  }

  /**
   * Posts a request whose answer nobody waits for (id 0, never pending): `supersede`, which the
   * worker answers at once and which means nothing once the job it stops has ended.
   */
  signal(kind: 'supersede'): void {
    this.worker.postMessage({ kind, id: 0 } as RequestMessage, []);
  }

  /**
   * Stops the worker and fails what it was doing with `err`; given a factory, attaches a fresh
   * worker and re-sends to it the requests that mean the same there. Says whether it replaced one.
   */
  replace(err: Error): boolean {
    const old = this.worker;
    old.onmessage = null;
    old.onerror = null;
    old.terminate();
    const resend = this.make ? [...this.pending.values()].filter((p) => RESENT.has(p.msg.kind)) : [];
    for (const p of resend) this.pending.delete(p.msg.id);
    this.failAll(err);
    if (!this.make) return false;
    this.restarts++;
    this.attach(this.make());
    for (const p of resend) {
      this.pending.set(p.msg.id, p);
      this.worker.postMessage(p.msg, []);
    }
    return true;
  }

  /** Every request waiting for an answer means the same to a fresh worker (a replacement loses none). */
  get replaceable(): boolean {
    return [...this.pending.values()].every((p) => RESENT.has(p.msg.kind));
  }

  terminate(): void {
    this.failAll(new WorkerStoppedError());
    this.worker.terminate();
  }

  private attach(worker: WorkerLike): void {
    this.worker = worker;
    this.started = false;
    // A replaced worker may still answer: only the current one is heard.
    worker.onmessage = (e) => {
      if (this.worker !== worker) return;
      this.started = true;
      this.receive(e.data);
    };
    worker.onerror = (e) => {
      if (this.worker === worker) this.died(e);
    };
  }

  private died(e: ErrorEvent): void {
    this.startFailed = !this.started;
    // A module worker whose script fails to load reports a bare Event, without a message.
    const why = e.message || (this.started ? 'unknown error' : NO_START);
    this.failAll(
      this.started
        ? new WorkerCrashedError(`The engine worker crashed: ${why}`)
        : new WorkerStartFailedError(`The engine worker could not start: ${why}`),
    );
  }

  private receive(msg: WorkerMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.observer.received(msg);
    if (msg.kind === 'progress') p.onProgress?.(msg.progress);
    if (msg.kind === 'steps') {
      this.stepping = msg.id;
      this.onSteps?.(msg.steps);
    }
    if (msg.kind === 'progress' || msg.kind === 'stage' || msg.kind === 'steps' || msg.kind === 'alive')
      return;
    this.pending.delete(msg.id);
    if (this.stepping === msg.id) this.endSteps();
    if (msg.kind === 'reply') p.resolve(msg.result);
    else p.reject(errorFromCode(msg.code, msg.message));
  }

  private endSteps(): void {
    this.stepping = null;
    this.onSteps?.(null);
  }

  private failAll(err: Error): void {
    this.observer.cleared();
    if (this.stepping !== null) this.endSteps();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
