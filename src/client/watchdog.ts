import { WorkerHungError } from '../errors';
import { aliveForMs, loadStepMs, segmentStepMs, type DeadlineOverrides } from './deadlines';
import {
  hungWords,
  type ModelInfo,
  type RequestKind,
  type RequestMessage,
  type Stage,
  type WorkerMessage,
} from '../shared/protocol';
import type { RequestObserver } from './transport';

/** Requests that run model code and so can hang; the others answer quickly or are answered at once. */
const BOUNDED: ReadonlySet<RequestKind> = new Set(['load', 'vocabulary', 'segment', 'prompt', 'instances']);

interface Clock {
  kind: RequestKind;
  /** Vocabulary: its names (the vocabulary step's bound grows with them). */
  names: number;
  stage: Stage | null;
  /** When the current stage began (Date.now()): a warm-up's notes that it waits count for so long. */
  stageAt: number;
  /** Load: largest `loaded` seen per file. */
  bytes: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Bounds the requests that run model code. The worker runs requests one at a time, so the oldest
 * bounded request is the running one: only its clock runs, restarted by each sign of life (download
 * progress, a new stage). A request that outlives its bound is reported to `onHung` once.
 */
export class Watchdog implements RequestObserver {
  /** Bounded requests in the order the worker runs them (the head is the running one). */
  private clocks = new Map<number, Clock>();
  /** The loaded model's warm-up time: segmentation bounds scale with it. */
  private warmupMs: number | null = null;
  overrides: DeadlineOverrides = {};

  constructor(private readonly onHung: (err: WorkerHungError) => void) {}

  sent(msg: RequestMessage): void {
    if (!BOUNDED.has(msg.kind)) return;
    const names = msg.kind === 'vocabulary' ? msg.classes.reduce((n, c) => n + c.names.length, 0) : 0;
    const c = { kind: msg.kind, names, stage: null, stageAt: Date.now(), bytes: new Map(), timer: null };
    this.clocks.set(msg.id, c);
    this.arm(msg.id);
  }

  received(msg: WorkerMessage): void {
    const c = this.clocks.get(msg.id);
    if (!c) return;
    if (msg.kind === 'progress') {
      c.bytes.set(msg.progress.file, msg.progress.loaded);
      this.arm(msg.id); // a download that moves is alive
    } else if (msg.kind === 'stage') {
      c.stage = msg.stage;
      c.stageAt = Date.now();
      this.arm(msg.id);
    } else if (msg.kind === 'steps') {
      this.arm(msg.id); // a long job that finished a model run is alive
    } else if (msg.kind === 'alive') {
      if (Date.now() - c.stageAt < aliveForMs(this.loadBytes(c), this.overrides)) this.arm(msg.id);
    } else {
      this.settle(msg.id);
      if (msg.kind === 'reply' && c.kind === 'load') this.warmupMs = (msg.result as ModelInfo).warmupMs;
    }
  }

  cleared(): void {
    for (const c of this.clocks.values()) if (c.timer) clearTimeout(c.timer);
    this.clocks.clear();
  }

  /** A fresh worker has no model: bounds go back to those of an unknown warm-up. */
  forgetWarmup(): void {
    this.warmupMs = null;
  }

  /** Forgets a finished request and starts the clock of the next one the worker runs. */
  private settle(id: number): void {
    const c = this.clocks.get(id);
    if (c?.timer) clearTimeout(c.timer);
    this.clocks.delete(id);
    const next = this.clocks.keys().next();
    if (!next.done) this.arm(next.value);
  }

  /** (Re)starts the running request's clock; requests waiting behind it have none yet. */
  private arm(id: number): void {
    const c = this.clocks.get(id);
    if (!c || this.clocks.keys().next().value !== id) return;
    if (c.timer) clearTimeout(c.timer);
    const ms = this.boundMs(c);
    c.timer = setTimeout(
      () => this.onHung(new WorkerHungError(c.kind, c.stage, ms, hungWords(c.kind, c.stage))),
      ms,
    );
  }

  private boundMs(c: Clock): number {
    if (c.kind !== 'load') return segmentStepMs(this.warmupMs, c.names, c.stage, this.overrides);
    return loadStepMs(this.loadBytes(c), this.overrides);
  }

  private loadBytes(c: Clock): number {
    return [...c.bytes.values()].reduce((a, b) => a + b, 0);
  }
}
