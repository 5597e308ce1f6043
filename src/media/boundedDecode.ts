import { ImageInvalidError } from '../errors';

/**
 * How long a picture whose size could not be read may take to decode. Settable (diagnostics,
 * `?debug`: `__ovseg.setImageDecodeMs`) so that a test need not wait for it.
 */
let deadlineMs = 15_000;

/** How long the last decode that finished took (ms), for diagnostics; null before any. */
let lastMs: number | null = null;

export function setImageDecodeMs(ms: number): void {
  deadlineMs = ms;
}

export const lastImageDecodeMs = (): number | null => lastMs;

type Reply = { bitmap: ImageBitmap } | { error: string };

/**
 * Decodes a picture in a worker of its own, under a deadline: for files whose size could not be
 * read before decoding (an unknown format, a header beyond what the page reads). A decode past the
 * deadline is stopped by ending the worker, which frees all it allocated; the page stays responsive
 * meanwhile. The caller checks the decoded size.
 */
export function boundedDecode(file: Blob, name: string): Promise<ImageBitmap> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./decodeWorker.ts', import.meta.url), { type: 'module' });
    const end = (settle: () => void) => {
      clearTimeout(timer);
      worker.terminate();
      settle();
    };
    const timer = setTimeout(
      () =>
        end(() =>
          reject(
            new ImageInvalidError(
              `"${name}" was still decoding after ${deadlineMs / 1000} s, so it was stopped: its size could not be read ` +
                'before decoding, and a picture that takes this long is too big for the page.',
            ),
          ),
        ),
      deadlineMs,
    );
    const start = performance.now();
    worker.onmessage = (e: MessageEvent<Reply>) =>
      end(() => {
        lastMs = performance.now() - start;
        if ('bitmap' in e.data) resolve(e.data.bitmap);
        else reject(new Error(e.data.error));
      });
    worker.onerror = (e) => end(() => reject(new Error(e.message)));
    worker.postMessage(file);
  });
}
