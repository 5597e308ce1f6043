import { RequestSupersededError } from '../errors';
import type { Job } from '../models/job';
import type { WorkerMessage } from '../shared/protocol';

/** Progress messages at most this often (each also restarts the page's watchdog clock). */
const REPORT_MS = 200;

/**
 * Lets the messages that arrived meanwhile in: a model run keeps the worker's thread, so a stop
 * (`supersede`) is heard only between runs, and only if the job gives way there.
 */
const giveWay = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The long job of the running vocabulary or segmentation request, if any: each step is reported to
 * the page (throttled, the last always) and gives way to queued messages; once `stop()` was called
 * the job's next step rejects with RequestSupersededError, so the request ends between two runs.
 *
 * A stop also holds for a request that arrived before it and has not started its job yet (waiting
 * in the worker's queue, or reading its picture): the page stops only a request it already sent, and
 * on WebGPU a picture's vision run lets messages in, so a stop heard then must not be lost (the
 * request would then run all its decoder rows for a picture about to be replaced).
 */
export class JobSlot {
  private running: AbortController | null = null;
  /** The newest vocabulary or segmentation request received, and the newest one a stop covers. */
  private received = 0;
  private stoppedUpTo = 0;

  constructor(private readonly post: (msg: WorkerMessage) => void) {}

  /** A vocabulary or segmentation request arrived (called on arrival, before it waits its turn). */
  arrived(id: number): void {
    this.received = Math.max(this.received, id);
  }

  /** Throws RequestSupersededError when a stop heard since request `id` arrived covers it. */
  check(id: number): void {
    if (id <= this.stoppedUpTo)
      throw new RequestSupersededError('stopped before it ran: a newer request replaced it');
  }

  /** Runs `work` as request `id`'s job; the slot is free again when it ends. */
  async run<T>(id: number, work: (job: Job) => Promise<T>): Promise<T> {
    this.check(id);
    const ctl = (this.running = new AbortController());
    let last = -Infinity;
    const job: Job = {
      step: async (what, done, total) => {
        const t = performance.now();
        if (done >= total || t - last >= REPORT_MS) {
          last = t;
          this.post({ kind: 'steps', id, steps: { what, done, total } });
        }
        if (done >= total) return; // finished: nothing left to stop
        await giveWay();
        if (ctl.signal.aborted)
          throw new RequestSupersededError(
            `stopped after ${done} of ${total} ${what}: a newer request replaced it`,
          );
      },
    };
    try {
      return await work(job);
    } finally {
      if (this.running === ctl) this.running = null;
    }
  }

  /**
   * Stops the running job at its next step, and any request received so far that has not started
   * its job yet; says whether a job was running.
   */
  stop(): boolean {
    this.stoppedUpTo = this.received;
    const ctl = this.running;
    if (!ctl || ctl.signal.aborted) return false;
    ctl.abort();
    return true;
  }
}
