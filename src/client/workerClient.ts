import { WorkerStoppedError, type WorkerHungError } from '../errors';
import type { DeadlineOverrides } from './deadlines';
import { Lane } from './lane';
import { Transport, type WorkerLike } from './transport';
import { Watchdog } from './watchdog';
import type { FileProgress, RequestKind, Requests, WorkSteps } from '../shared/protocol';

export type { WorkerLike } from './transport';

/**
 * WebAssembly memory a worker may keep across a model switch (the embedded model needs tens of MB,
 * full-size CLIP models on WASM a few hundred): past it the next load starts a fresh worker.
 */
const WORKER_MEMORY_BOUND = 512 * 2 ** 20;

/**
 * The page's side of the worker boundary, composed of three parts: the transport (one worker and
 * its messages), the lane (vocabulary and segmentation requests, one in flight, latest wins) and
 * the watchdog (bounds on the running request). A request that outlives its bound fails the lane's
 * queue and the worker's pending requests; given a factory, a fresh worker takes over.
 */
export class WorkerClient {
  private readonly watchdog = new Watchdog((err) => this.hung(err));
  private readonly transport: Transport;
  private readonly lane = new Lane(
    (kind, req, transfer) => this.request(kind, req, transfer),
    // Answered at once by the worker; a job that already ended makes it a no-op.
    () => this.transport.signal('supersede'),
  );
  /** Called after a hung worker was replaced (the new worker has no model yet). */
  onRestart: ((err: WorkerHungError) => void) | null = null;

  constructor(worker: WorkerLike | (() => WorkerLike)) {
    this.transport = new Transport(worker, this.watchdog);
  }

  /** Test/diagnostic bounds (?debug) in place of the scaled ones. */
  get overrides(): DeadlineOverrides {
    return this.watchdog.overrides;
  }

  set overrides(o: DeadlineOverrides) {
    this.watchdog.overrides = o;
  }

  /** Workers replaced so far (diagnostics). */
  get restarts(): number {
    return this.transport.restarts;
  }

  /** Told how far the running long job got, and null when it ended (progress in the status bar). */
  set onSteps(f: ((steps: WorkSteps | null) => void) | null) {
    this.transport.onSteps = f;
  }

  request<K extends RequestKind>(
    kind: K,
    payload: Requests[K]['req'],
    transfer: Transferable[] = [],
    onProgress?: (p: FileProgress) => void,
  ): Promise<Requests[K]['res']> {
    return this.transport.send(kind, payload, transfer, onProgress);
  }

  /**
   * Sets the vocabulary of the segmentations that follow. Waits while a request of the lane runs;
   * a later vocabulary replaces a queued one (the replaced promise rejects with
   * RequestSupersededError).
   */
  setVocabulary(req: Requests['vocabulary']['req']): Promise<Requests['vocabulary']['res']> {
    return this.lane.vocabulary(req);
  }

  /**
   * Segments with at most one request in flight. A request made while one runs waits; a later one
   * replaces it (the replaced promise rejects with RequestSupersededError). A replaced request's new
   * image is carried over when the newer request brings none, so no image is lost.
   */
  segment(req: Requests['segment']['req']): Promise<Requests['segment']['res']> {
    return this.lane.segment(req);
  }

  /**
   * A new still picture is on its way (being decoded): segmentations of the current one wait for it
   * and are replaced by its request, so a vocabulary change just before it runs no rows for the
   * picture it replaces. `releasePicture` when it will not come.
   */
  holdForPicture(): void {
    this.lane.holdForPicture();
  }

  releasePicture(): void {
    this.lane.release();
  }

  /** Drops the queued (not yet sent) vocabulary and segmentation, e.g. because a model load comes first. */
  dropQueued(): void {
    this.lane.dropQueued();
  }

  get busy(): boolean {
    return this.lane.busy;
  }

  terminate(): void {
    this.transport.terminate();
  }

  /**
   * Before a model is replaced: a worker whose WebAssembly memory grew past `bound` bytes (a model's
   * huge outputs) is replaced by a fresh one, since that memory never shrinks while it lives. Only
   * when no model work is pending (requests such as `storage` go to the fresh one). Says whether it
   * was replaced.
   */
  async renewIfGrown(bound = WORKER_MEMORY_BOUND): Promise<boolean> {
    const { wasmBytes } = await this.request('counts', {});
    if (wasmBytes === null || wasmBytes <= bound || !this.transport.replaceable) return false;
    this.transport.replace(new WorkerStoppedError());
    this.watchdog.forgetWarmup();
    return true;
  }

  /** Nothing queued can run on the stopped worker; a fresh one has no model, so no warm-up yet. */
  private hung(err: WorkerHungError): void {
    this.lane.dropQueued(err);
    if (!this.transport.replace(err)) return;
    this.watchdog.forgetWarmup();
    this.onRestart?.(err);
  }
}
