import type { WorkSteps } from '../shared/protocol';

/**
 * A long model job's link to the request that asked for it (text encoding of a big vocabulary, a
 * dense model's decoder rows). After each model run the job reports how far it got; the worker
 * then lets newer messages in, and stops the job there once a newer request superseded it. A run
 * itself cannot be stopped: a job never waits longer than its longest run.
 */
export interface Job {
  /** After a run: `done` of `total`. Rejects (RequestSupersededError) once the job was stopped. */
  step(what: WorkSteps['what'], done: number, total: number): Promise<void>;
}

/** A job nobody stops or watches (warm-ups, Node tools, tests). */
export const UNWATCHED: Job = { step: () => Promise.resolve() };
