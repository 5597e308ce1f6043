import type {
  GpuInfo,
  ModelSource,
  RequestKind,
  RequestMessage,
  Requests,
  SegmentResult,
  Stage,
  WorkerCounts,
  WorkerMessage,
} from '../shared/protocol';
import {
  describeError,
  ModelFileMissingError,
  ModelFileTooLargeError,
  NothingToExportError,
} from '../errors';
import { encodeLabelPng, labelLegendJson } from '../processing/labelPng';
import { colourizeLabels, paletteFor } from '../processing/palette';
import type { VocabClass } from '../processing/vocabulary';
import type { Fetcher, FileProgress, ManifestSource } from './bundle';
import { Segmenter, type ImageSource } from './segmenter';
import { formatBytes } from './limits';

/** What the handler needs from its environment (a real worker, or a test). */
export interface HandlerDeps {
  engine: Segmenter;
  post(msg: WorkerMessage, transfer?: Transferable[]): void;
  /**
   * Files relative to `base` (a URL, or a folder in Node), downloaded or read; `commit` (if any) keeps
   * the downloads once the model has loaded.
   */
  fetcher(
    base: string,
    o: { signal: AbortSignal; onProgress: (p: FileProgress) => void },
  ): Fetcher & { commit?: () => Promise<void> };
  gpuInfo(): Promise<GpuInfo>;
  /** Turns a transferred bitmap into an image source (OffscreenCanvas in a worker). */
  sourceFromBitmap(bitmap: ImageBitmap): ImageSource;
  /** Draws RGBA pixels into a transferable bitmap, or null where that is impossible. */
  toBitmap(rgba: Uint8ClampedArray, width: number, height: number): Promise<ImageBitmap | null>;
  /** Model cache maintenance (Cache Storage in the browser). */
  storage?(prefixes: string[]): Promise<Requests['storage']['res']>;
  evict?(prefixes: string[]): Promise<number>;
  /** Live ORT sessions and ORT's WebAssembly memory size (diagnostics). */
  sessions?(): number;
  wasmBytes?(): number | null;
}

const now = () => performance.now();

/**
 * Reads dropped files by name (paths in the manifest are matched on their last segment too). Names
 * are user text: only the object's own entries count, so "constructor" is not Object's.
 */
export function blobFetcher(files: Record<string, Blob>): Fetcher {
  const byName = new Map(Object.entries(files));
  return async (path, _progress, cap) => {
    const blob = byName.get(path) ?? byName.get(path.split('/').pop()!);
    if (!blob) throw new ModelFileMissingError(`The dropped files do not include ${path}`);
    if (cap !== undefined && blob.size > cap)
      throw new ModelFileTooLargeError(
        `${path} is ${formatBytes(blob.size)}, more than the ${formatBytes(cap)} this file may take`,
      );
    return new Uint8Array(await blob.arrayBuffer());
  };
}

/** A request's answer, and the buffers it hands over (transferred, never copied). */
interface Answer<K extends RequestKind> {
  result: Requests[K]['res'];
  transfer?: Transferable[];
}
type Handler<K extends RequestKind> = (m: Requests[K]['req'] & { id: number }) => Promise<Answer<K>>;

/** Requests answered at once, outside the queue: `cancel` must reach a download in progress. */
const IMMEDIATE: ReadonlySet<RequestKind> = new Set(['cancel', 'counts']);

/**
 * Message handler: one request at a time, in arrival order, each answered with one reply or error
 * (`cancel` and `counts` at once). One table holds a handler for every request kind (a kind
 * without one is a type error). Result buffers are transferred, never copied twice.
 */
export function createHandler(deps: HandlerDeps): (msg: RequestMessage) => Promise<void> {
  const { engine, post } = deps;
  let queue: Promise<void> = Promise.resolve();
  let last: { labels: Uint16Array; width: number; height: number; classes: VocabClass[] } | null = null;
  /** The vocabulary the engine holds (for the export's legend). */
  let vocab: VocabClass[] = [];
  let loading: AbortController | null = null;
  /** Bitmaps received and not yet closed, and requests not yet answered (diagnostics). */
  let openBitmaps = 0;
  let waiting = 0;
  const stage = (id: number, st: Stage) => post({ kind: 'stage', id, stage: st });
  const counts = (): WorkerCounts => ({
    sessions: deps.sessions?.() ?? 0,
    buffers: openBitmaps + (last ? 1 : 0) + engine.heldBuffers,
    queued: waiting,
    wasmBytes: deps.wasmBytes?.() ?? null,
  });

  const sourceOf = (s: ModelSource, signal: AbortSignal, onProgress: (p: FileProgress) => void) => {
    if (s.kind === 'url')
      return {
        fetcher: deps.fetcher(s.manifestUrl, { signal, onProgress }),
        source: { path: s.manifestUrl },
      };
    const manifest = { manifest: s.manifest } as ManifestSource;
    if (s.kind === 'inline')
      return {
        fetcher: deps.fetcher(s.baseUrl, { signal, onProgress }),
        source: { ...manifest, base: s.baseUrl },
      };
    return { fetcher: blobFetcher(s.files), source: manifest };
  };

  const handlers = {
    init: async () => ({ result: { gpu: await deps.gpuInfo() } }),

    load: async (m) => {
      last = null;
      vocab = [];
      const ctl = (loading = new AbortController());
      try {
        const onProgress = (progress: FileProgress) => post({ kind: 'progress', id: m.id, progress });
        stage(m.id, 'download');
        const { fetcher, source } = sourceOf(m.source, ctl.signal, onProgress);
        const gpuBufferLimit =
          m.ep === 'webgpu'
            ? (m.gpuBufferLimit ?? (await deps.gpuInfo()).maxStorageBufferBindingSize)
            : undefined;
        const info = await engine.load(fetcher, source, m.ep, {
          dtype: m.dtype,
          hub: m.hub,
          onProgress,
          onStage: (st) => stage(m.id, st),
          gpuBufferLimit,
        });
        // Downloads enter the cache only now that they proved loadable.
        await (fetcher as { commit?: () => Promise<void> }).commit?.();
        return { result: info };
      } finally {
        if (loading === ctl) loading = null;
      }
    },

    cancel: async () => {
      const cancelled = loading !== null;
      loading?.abort();
      return { result: { cancelled } };
    },

    vocabulary: async (m) => {
      stage(m.id, 'vocabulary');
      const v = await engine.setVocabulary(m.classes, m.settings);
      vocab = m.classes;
      return { result: { unknown: v.unknown, encoded: v.encoded, textMs: v.ms } };
    },

    segment: async (m) => {
      const t0 = now();
      try {
        stage(m.id, 'image');
        if (m.bitmap) await engine.setImage(deps.sourceFromBitmap(m.bitmap));
        else if (m.pixels) await engine.setPixelValues(m.pixels.data, m.pixels.width, m.pixels.height);
      } finally {
        // Released even when the image is refused: the bitmap was transferred to us.
        if (m.bitmap) {
          m.bitmap.close();
          openBitmaps--;
        }
      }
      stage(m.id, 'combine');
      const out = await engine.segment({
        threshold: m.threshold,
        debug: m.debug ?? false,
        fresh: !!m.bitmap || !!m.pixels,
        live: m.live,
      });
      const t1 = now();
      const rgba = colourizeLabels(out.labels, paletteFor(out.classes));
      const overlay = await deps.toBitmap(rgba, out.width, out.height);
      last = { labels: out.labels, width: out.width, height: out.height, classes: vocab };
      // The worker keeps its label map for export; the page gets its own copy.
      const labels = out.labels.slice();
      const { semseg: _scores, ...rest } = out;
      const result: SegmentResult = {
        ...rest,
        labels,
        overlay,
        timings: { ...out.timings, render: now() - t1, total: now() - t0 },
      };
      const transfer: Transferable[] = [labels.buffer, out.scores.buffer, out.counts.buffer];
      if (overlay) transfer.push(overlay);
      return { result, transfer };
    },

    export: async () => {
      if (!last) throw new NothingToExportError();
      const png = encodeLabelPng(last.labels, last.width, last.height, last.classes.length);
      const buf = png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer;
      return {
        result: { png: buf, json: labelLegendJson(last.classes, engine.info?.id ?? 'unknown') },
        transfer: [buf],
      };
    },

    storage: async (m) => ({
      result: deps.storage ? await deps.storage(m.prefixes) : { cached: [], usage: null, quota: null },
    }),

    evict: async (m) => ({ result: { deleted: deps.evict ? await deps.evict(m.prefixes) : 0 } }),

    counts: async () => ({ result: counts() }),
  } satisfies { [K in RequestKind]: Handler<K> };

  /** Runs a request's handler and answers it: one reply, or one error with its code. */
  async function answer(msg: RequestMessage): Promise<void> {
    try {
      // The table is indexed by the message's own kind: its handler takes exactly this message.
      const run = handlers[msg.kind] as Handler<RequestKind>;
      const { result, transfer } = await run(msg as never);
      post({ kind: 'reply', id: msg.id, result }, transfer ?? []);
    } catch (e) {
      post({ kind: 'error', id: msg.id, ...describeError(e) });
    }
  }

  return (msg) => {
    if (IMMEDIATE.has(msg.kind)) return answer(msg);
    waiting++;
    if (msg.kind === 'segment' && msg.bitmap) openBitmaps++;
    return (queue = queue.then(() => answer(msg).finally(() => waiting--)));
  };
}
