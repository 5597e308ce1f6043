import type { Dtype } from '../models/manifest';
import type { Ep, GpuInfo, RequestMessage, Requests, SegmentResult, WorkerMessage } from '../engine/protocol';
import { encodeLabelPng, labelLegendJson } from '../processing/labelPng';
import { buildPalette, colourizeLabels } from '../processing/palette';
import type { VocabClass } from '../processing/vocabulary';
import type { Fetcher } from './bundle';
import { Engine, type ImageSource } from './engine';

/** What the handler needs from its environment (a real worker, or a test). */
export interface HandlerDeps {
  engine: Engine;
  post(msg: WorkerMessage, transfer?: Transferable[]): void;
  fetcherFor(manifestUrl: string): { fetcher: Fetcher; path: string };
  gpuInfo(): Promise<GpuInfo>;
  /** Turns a transferred bitmap into an image source (OffscreenCanvas in a worker). */
  sourceFromBitmap(bitmap: ImageBitmap): ImageSource;
  /** Draws RGBA pixels into a transferable bitmap, or null where that is impossible. */
  toBitmap(rgba: Uint8ClampedArray, width: number, height: number): Promise<ImageBitmap | null>;
}

const now = () => performance.now();

/**
 * Message handler: one request at a time, in arrival order, each answered with one reply or error.
 * Result buffers are transferred, never copied twice.
 */
export function createHandler(deps: HandlerDeps): (msg: RequestMessage) => Promise<void> {
  const { engine, post } = deps;
  let queue: Promise<void> = Promise.resolve();
  let last: { labels: Uint16Array; width: number; height: number; classes: VocabClass[] } | null = null;

  const handlers = {
    init: async (): Promise<Requests['init']['res']> => ({ gpu: await deps.gpuInfo() }),

    load: async (m: { id: number; manifestUrl: string; ep: Ep; dtype?: Dtype | undefined }) => {
      const { fetcher, path } = deps.fetcherFor(m.manifestUrl);
      last = null;
      return engine.load(
        fetcher,
        path,
        m.ep,
        (progress) => post({ kind: 'progress', id: m.id, progress }),
        m.dtype,
      );
    },

    segment: async (m: Requests['segment']['req']): Promise<[SegmentResult, Transferable[]]> => {
      const t0 = now();
      let textMs: number;
      try {
        textMs = await engine.setVocabulary(m.classes);
        if (m.bitmap) await engine.setImage(deps.sourceFromBitmap(m.bitmap));
      } finally {
        // Released even when the vocabulary is refused: the bitmap was transferred to us.
        m.bitmap?.close();
      }
      const out = engine.segment({
        threshold: m.threshold,
        debug: m.debug ?? false,
        textMs,
        fresh: !!m.bitmap,
        live: m.live,
      });
      const t1 = now();
      const rgba = colourizeLabels(out.labels, buildPalette(out.classes.length));
      const overlay = await deps.toBitmap(rgba, out.width, out.height);
      last = { labels: out.labels, width: out.width, height: out.height, classes: m.classes };
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
      return [result, transfer];
    },

    export: async (): Promise<[Requests['export']['res'], Transferable[]]> => {
      if (!last) throw new Error('Nothing to export yet: segment an image first');
      const png = encodeLabelPng(last.labels, last.width, last.height, last.classes.length);
      const buf = png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer;
      return [{ png: buf, json: labelLegendJson(last.classes, engine.info?.id ?? 'unknown') }, [buf]];
    },
  };

  async function handle(msg: RequestMessage): Promise<void> {
    try {
      switch (msg.kind) {
        case 'init':
          post({ kind: 'reply', id: msg.id, result: await handlers.init() });
          break;
        case 'load':
          post({ kind: 'reply', id: msg.id, result: await handlers.load(msg) });
          break;
        case 'segment': {
          const [result, transfer] = await handlers.segment(msg);
          post({ kind: 'reply', id: msg.id, result }, transfer);
          break;
        }
        case 'export': {
          const [result, transfer] = await handlers.export();
          post({ kind: 'reply', id: msg.id, result }, transfer);
          break;
        }
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ kind: 'error', id: msg.id, name: err.name, message: err.message });
    }
  }

  return (msg) => (queue = queue.then(() => handle(msg)));
}
