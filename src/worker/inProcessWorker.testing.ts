/**
 * The engine worker's message handler in this process, on the real engine and a bundle's files from
 * disk, behind the page's WorkerLike: messages cross as separate tasks both ways, as between a page
 * and its worker. Pictures are plain RGBA objects standing in for ImageBitmaps (tests only).
 */
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import type { RgbaImage } from '../processing/resize';
import type { RequestMessage, WorkerMessage } from '../shared/protocol';
import { createHandler } from './handler';
import type { ImageSource } from './segmenter';
import { NO_GPU } from './noGpu';

/** What stands in for an ImageBitmap here: its pixels ride along. */
export interface FakeBitmap {
  width: number;
  height: number;
  rgba: RgbaImage;
  close(): void;
}

/** A 64x48 picture of deterministic noise, different for each `seed`. */
export function fakePicture(seed: number): FakeBitmap {
  const [width, height] = [64, 48];
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101) % 251;
  return { width, height, rgba: { width, height, data }, close: () => undefined };
}

/** The page's createImageBitmap on a fake bitmap: a copy, a task later (as the browser answers). */
export const copyBitmap = (b: FakeBitmap) =>
  new Promise<FakeBitmap>((resolve) => setTimeout(() => resolve({ ...b }), 0));

/** The page's view of a worker (its WorkerLike; the worker's folder may not import the page's). */
interface PageWorker {
  postMessage(msg: RequestMessage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface InProcessWorker {
  worker: PageWorker;
  /** The handler itself: a message handed to it at once, not a task later. */
  handle(msg: RequestMessage): Promise<void>;
  /** Every message the handler posted so far, with the kind of the request it answers. */
  posted: { msg: WorkerMessage; request?: RequestMessage['kind'] }[];
  /** Resolves once the handler posts a message that `pred` accepts (now, if one was posted). */
  untilPosted(pred: (m: WorkerMessage, request?: RequestMessage['kind']) => boolean): Promise<void>;
}

export function inProcessWorker(dir: string): InProcessWorker {
  const read = fsFetcher(dir);
  const kinds = new Map<number, RequestMessage['kind']>();
  const posted: InProcessWorker['posted'] = [];
  const waiters = new Set<() => void>();
  const worker: PageWorker = {
    onmessage: null,
    onerror: null,
    postMessage: (msg: RequestMessage) => {
      kinds.set(msg.id, msg.kind);
      setTimeout(() => void handle(msg), 0);
    },
    terminate: () => undefined,
  };
  const handle = createHandler({
    engine: newSegmenter(),
    post: (msg: WorkerMessage) => {
      posted.push({ msg, request: 'id' in msg ? kinds.get(msg.id) : undefined });
      for (const w of [...waiters]) w();
      setTimeout(() => worker.onmessage?.({ data: msg } as MessageEvent<WorkerMessage>), 0);
    },
    fetcher: () => (file) => read(file),
    gpuInfo: async () => NO_GPU,
    sourceFromBitmap: (b): ImageSource => {
      const f = b as unknown as FakeBitmap;
      return { width: f.width, height: f.height, rgba: () => f.rgba };
    },
    toBitmap: async () => null,
  });
  const untilPosted: InProcessWorker['untilPosted'] = (pred) =>
    new Promise((resolve) => {
      const check = () => {
        if (!posted.some((p) => pred(p.msg, p.request))) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { worker, handle, posted, untilPosted };
}
