import type { FileProgress } from '../shared/protocol';
import { DownloadCancelledError, DownloadFailedError, ModelFileTooLargeError } from '../errors';
import { formatBytes } from '../shared/format';

/**
 * One download's primitives: the server's answer within a bound, and the body read within its cap and
 * a least pace. The cache around them is modelCache.ts.
 */

const cancelled = (file: string) => new DownloadCancelledError(`Download of ${file} was cancelled`);

/**
 * How long a server may take to answer a request, and the window in which a download must bring
 * MIN_WINDOW_BYTES: a server that never answers, stalls or trickles fails with a message naming it
 * instead of holding the load (settable per load for tests: `responseMs`).
 */
export const RESPONSE_MS = 20_000;
/** Bytes a download must bring in every window (16 kB in 20 s, under 1 kB/s: a dead link's pace). */
const MIN_WINDOW_BYTES = 16 * 1024;

/** Options of readCapped: the window in which the body must bring MIN_WINDOW_BYTES, and the host. */
export interface ReadOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: FileProgress & { cached?: boolean }) => void) | undefined;
  windowMs?: number;
  host?: string;
}

/**
 * Watches a body's pace: every `windowMs`, fewer than MIN_WINDOW_BYTES since the last look stops
 * the read (`cancel`) and keeps the reason for the reader to throw.
 */
function paceWatch(file: string, o: ReadOptions, loaded: () => number, cancel: () => void) {
  const state: { slow: Error | null; stop: () => void } = { slow: null, stop: () => undefined };
  if (!o.windowMs) return state;
  let mark = 0;
  const timer = setInterval(() => {
    const got = loaded() - mark;
    mark = loaded();
    if (got >= MIN_WINDOW_BYTES) return;
    state.slow = new DownloadFailedError(
      `Download of ${file} from ${o.host ?? 'the server'} stopped: ${got} bytes came in the last ` +
        `${o.windowMs! / 1000} s (a download must bring ${formatBytes(MIN_WINDOW_BYTES)} in each): the server is stalled or too slow`,
    );
    cancel();
  }, o.windowMs);
  state.stop = () => clearInterval(timer);
  return state;
}

/**
 * Reads a response body counting bytes against `cap`: refused before reading when the announced
 * length is over the cap, stopped (and the connection cancelled) as soon as the body passes the cap
 * or its announced length.
 */
export async function readCapped(
  res: Response,
  file: string,
  cap: number,
  o: ReadOptions = {},
): Promise<Uint8Array> {
  const announced = res.headers.get('content-length');
  const total = announced !== null && /^\d+$/.test(announced.trim()) ? Number(announced) : null;
  const tooBig = (what: string) =>
    new ModelFileTooLargeError(
      `Download of ${file} stopped: ${what}, more than the ${formatBytes(cap)} this file may take`,
    );
  if (total !== null && total > cap) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig(`the server announced ${formatBytes(total)}`);
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer()); // no stream: only tiny test doubles
  const reader = res.body.getReader();
  // A known length is read straight into its buffer; otherwise chunks are kept and joined only once
  // the whole file is in (a failed download never costs more than its cap).
  const whole = total !== null ? new Uint8Array(total) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const stop = async (err: Error): Promise<never> => {
    await reader.cancel().catch(() => undefined);
    throw err;
  };
  const pace = paceWatch(
    file,
    o,
    () => loaded,
    () => void reader.cancel().catch(() => undefined),
  );
  try {
    return await readAll();
  } finally {
    pace.stop();
  }

  async function readAll(): Promise<Uint8Array> {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (pace.slow) throw pace.slow;
        if (o.signal?.aborted) throw cancelled(file);
        throw new DownloadFailedError(
          `Download of ${file} broke off after ${loaded} bytes: ${(e as Error).message}`,
        );
      }
      if (pace.slow) throw pace.slow;
      if (chunk.done) break;
      if (o.signal?.aborted) return stop(cancelled(file));
      const value = chunk.value;
      const next = loaded + value.length;
      if (total !== null && next > total)
        return stop(
          new ModelFileTooLargeError(
            `Download of ${file} stopped: the server sent more than it announced (${formatBytes(total)})`,
          ),
        );
      if (next > cap) return stop(tooBig(`it sent over ${formatBytes(loaded)}`));
      if (whole) whole.set(value, loaded);
      else chunks.push(value);
      loaded = next;
      o.onProgress?.({ file, loaded, total });
    }
    if (whole) {
      if (loaded !== total)
        throw new DownloadFailedError(`Download of ${file} was cut short (${loaded} of ${total} bytes)`);
      return whole;
    }
    const out = new Uint8Array(loaded);
    let off = 0;
    for (const c of chunks.splice(0)) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/**
 * Requests the Content-Security-Policy refused, as the browser reports them (in a worker too). A
 * refused redirect is reported under the URL first asked for: browsers keep where a redirect pointed
 * from the page, so the message can name the server that redirected, not the host it pointed to.
 */
const refusedByPolicy = new Set<string>();
if (typeof self !== 'undefined' && 'addEventListener' in self)
  self.addEventListener('securitypolicyviolation', (e) => {
    // A worker's event map lacks this event (its type is declared; Chromium fires it in workers).
    const v = e as SecurityPolicyViolationEvent;
    if (v.effectiveDirective === 'connect-src') refusedByPolicy.add(v.blockedURI);
  });

/** Whether the server answers `url` with a redirect (an opaque answer: the target stays hidden). */
async function redirects(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    return (await fetch(url, { signal, redirect: 'manual', cache: 'no-store' })).type === 'opaqueredirect';
  } catch {
    return false;
  }
}

/** Why a request that reached no answer failed: a refused redirect, or the server out of reach. */
async function unreachable(url: string, path: string, signal: AbortSignal, allowed?: readonly string[]) {
  const host = new URL(url).host;
  const moved = await redirects(url, signal);
  // The violation is reported a task after the failure: the probe above has given it that time.
  const refused = refusedByPolicy.delete(url);
  const only = `this app's Content-Security-Policy lets it download only from ${allowed?.join(', ') ?? 'its own origin'}`;
  if (refused)
    return new DownloadFailedError(
      `${host} redirected the request for ${path} to another host, and the browser refused it: ${only} ` +
        '(a browser does not tell a page where a refused redirect pointed). Put the files on one of ' +
        'these hosts, or load them from disk.',
    );
  if (moved)
    return new DownloadFailedError(
      `${host} redirected the request for ${path} to another host, which could not be reached or which ` +
        `the browser refused (${only})`,
    );
  return null;
}

/** The server's answer (its headers) to a request, within `waitMs`: else a message naming the host. */
export async function answer(
  url: string,
  path: string,
  o: { signal: AbortSignal; waitMs: number; fresh: boolean; allowed?: readonly string[] | undefined },
): Promise<Response> {
  const { signal, waitMs, fresh } = o;
  const noAnswer = new AbortController();
  const timer = setTimeout(() => noAnswer.abort(), waitMs);
  try {
    const any = AbortSignal.any([signal, noAnswer.signal]);
    return await fetch(url, fresh ? { signal: any, cache: 'no-cache' } : { signal: any });
  } catch (e) {
    if (signal.aborted) throw cancelled(path);
    if (noAnswer.signal.aborted)
      throw new DownloadFailedError(
        `${new URL(url).host} did not answer the request for ${path} within ${waitMs / 1000} s: ` +
          'the server is not responding (try again later, or check the address)',
      );
    throw (
      (await unreachable(url, path, signal, o.allowed)) ??
      new DownloadFailedError(
        `Could not reach ${url} (offline, or the server is down): ${(e as Error).message}`,
      )
    );
  } finally {
    // Once answered, the body has its own bound (the pace watch): this one must not cut it.
    clearTimeout(timer);
  }
}
