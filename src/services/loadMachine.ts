/**
 * The page's model loading as a state machine, written down in one place. The controller feeds it
 * events and carries out what it answers; nothing else decides what a load's end means.
 *
 * States:
 * - `empty`    no model yet (before the first load);
 * - `loading`  a load runs (newer loads replace older ones: only the newest, by `seq`, counts);
 * - `ready`    a model is loaded (`loaded`);
 * - `failed`   no model and none loading: the status shows `message` and a Retry that runs `retry`.
 *
 * Events and what each does:
 * - `load`     -> `loading`; an older load still downloading is cancelled, the worker's queued
 *                 work is dropped (a picture must not run on the model being replaced);
 * - `loaded`   newest load -> `ready`; an older one: nothing (a newer load follows);
 * - `error`    decided by `afterError`: nothing (replaced), load the same model again (a hang of
 *              another request while this load waited), restore the previous model (it was
 *              working), or `failed` with a retry of this load;
 * - `hung`     (the worker was replaced while no load ran) -> load the last good model again;
 * - `retry`    `failed` -> run its retry (a load, or starting the engine);
 * - `cancel`   stops a download in progress: the load then ends with a cancelled error (above).
 */
import { DownloadCancelledError, WorkerHungError } from '../errors';
import type { ModelInfo } from '../shared/protocol';
import type { ModelEntry } from './catalogue';

export interface Loaded {
  entry: ModelEntry;
  model: ModelInfo;
}

export type LoadState =
  | { name: 'empty' }
  | { name: 'loading'; seq: number; entry: ModelEntry }
  | { name: 'ready'; loaded: Loaded }
  | { name: 'failed'; message: string; retry: () => Promise<unknown> };

/** How a load was asked for: `quiet` says nothing of its failure; `restoring` brings back the previous model. */
export interface LoadOptions {
  quiet?: boolean;
  restoring?: boolean;
}

/** A message for the page: a cancelled download is news, anything else an error. */
export interface Notice {
  level: 'info' | 'error';
  text: string;
}

/** What the controller does after a load failed, and what it says. */
export type AfterError =
  /** A newer load replaced this one: nothing to do (a hang of it is still said). */
  | { do: 'nothing'; notice?: Notice | undefined }
  /** The worker hung on another request while this load waited: the fresh worker tries it again. */
  | { do: 'again'; notice: Notice }
  /**
   * The model that ran before comes back (quietly). `notice` is said now; `ifRestored` only once it
   * did come back (after a hang: the hung load's message names the model running again).
   */
  | { do: 'restore'; notice?: Notice | undefined; ifRestored?: Notice | undefined }
  /** No model to go back to: the status shows `message` with a retry of this load. */
  | { do: 'fail'; message: string; notice?: Notice | undefined };

const error = (text: string): Notice => ({ level: 'error', text });

/**
 * The decision after a load of `name` failed with `err`. `newest`: no newer load was asked for
 * since; `previous`: the model to go back to (null: none, or this load is itself a restore).
 */
export function afterError(
  err: Error,
  name: string,
  o: { newest: boolean; previous: Loaded | null; quiet: boolean },
): AfterError {
  if (err instanceof WorkerHungError) {
    if (!o.newest) return { do: 'nothing', notice: error(`Could not load ${name}: ${err.message}.`) };
    if (err.kind !== 'load')
      return { do: 'again', notice: error(`${err.message}; the worker was restarted.`) };
    if (o.previous)
      return {
        do: 'restore',
        ifRestored: error(`Could not load ${name}: ${err.message}; restarted on ${o.previous.model.name}.`),
      };
  } else if (!o.newest) return { do: 'nothing' };
  const message = `Could not load ${name}: ${err.message}`;
  const notice = o.quiet
    ? undefined
    : {
        level: err instanceof DownloadCancelledError ? ('info' as const) : ('error' as const),
        text: message,
      };
  return o.previous ? { do: 'restore', notice } : { do: 'fail', message, notice };
}

/**
 * What the controller does after the worker hung and was replaced while no load ran: load the
 * last good model again, saying which, or say what happened when there is none.
 */
export function afterHang(
  err: WorkerHungError,
  loaded: Loaded | null,
): { reload: Loaded | null; notice?: Notice } {
  return loaded ? { reload: loaded } : { reload: null, notice: error(`${err.message}.`) };
}
