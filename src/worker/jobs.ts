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
 */
export class JobSlot {
  private running: AbortController | null = null;

  constructor(private readonly post: (msg: WorkerMessage) => void) {}

  /** Runs `work` as request `id`'s job; the slot is free again when it ends. */
  async run<T>(id: number, work: (job: Job) => Promise<T>): Promise<T> {
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

  /** Asks the running job to stop at its next step; says whether one was running. */
  stop(): boolean {
    const ctl = this.running;
    if (!ctl || ctl.signal.aborted) return false;
    ctl.abort();
    return true;
  }
}
