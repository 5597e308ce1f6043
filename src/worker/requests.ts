import type {
  GpuInfo,
  LoadCacheReport,
  ModelSource,
  RequestKind,
  Requests,
  SegmentResult,
  Stage,
  WorkerCounts,
  WorkerMessage,
} from '../shared/protocol';
import { ModelFileMissingError, ModelFileTooLargeError, NothingToExportError } from '../errors';
import { encodeLabelPng, labelLegendJson } from '../processing/labelPng';
import { colourizeLabels, paletteFor } from '../processing/palette';
import type { VocabClass } from '../processing/vocabulary';
import type { Fetcher, FileProgress, ManifestSource } from './bundle';
import { formatBytes } from '../shared/format';
import { JobSlot } from './jobs';
import type { ImageSource, Segmenter } from './segmenter';
import { inlineBundleKey, type BundleIdentity } from './bundleRecord';

/** A load's download options: its cancel signal, progress, bundle identity and answer bound. */
export interface FetcherOptions {
  signal: AbortSignal;
  onProgress: (p: FileProgress) => void;
  bundle?: BundleIdentity;
  responseMs?: number | undefined;
}

/** What the handler needs from its environment (a real worker, or a test). */
export interface HandlerDeps {
  engine: Segmenter;
  post(msg: WorkerMessage, transfer?: Transferable[]): void;
  /**
   * Files relative to `base` (a URL, or a folder in Node), downloaded or read; `commit` (if any) keeps
   * the downloads once the model has loaded, and says what it kept. `bundle`: the bundle they
   * belong to, whose cached copy is used only while it is the same version.
   */
  fetcher(base: string, o: FetcherOptions): Fetcher & { commit?: () => Promise<LoadCacheReport> };
  gpuInfo(): Promise<GpuInfo>;
  /** Turns a transferred bitmap into an image source (OffscreenCanvas in a worker). */
  sourceFromBitmap(bitmap: ImageBitmap): ImageSource;
  /** Draws RGBA pixels into a transferable bitmap, or null where that is impossible. */
  toBitmap(rgba: Uint8ClampedArray, width: number, height: number): Promise<ImageBitmap | null>;
  /** Model cache maintenance (Cache Storage and the text caches in the browser). */
  storage?(prefixes: string[], models: string[]): Promise<Requests['storage']['res']>;
  evict?(prefixes: string[], models: string[]): Promise<number>;
  /** Bytes the in-memory text caches hold (diagnostics). */
  textCacheBytes?(): number;
  /** Live ORT sessions and ORT's WebAssembly memory size (diagnostics). */
  sessions?(): number;
  wasmBytes?(): number | null;
}

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
export interface Answer<K extends RequestKind> {
  result: Requests[K]['res'];
  transfer?: Transferable[];
}
type Message<K extends RequestKind> = Requests[K]['req'] & { id: number };

const now = () => performance.now();
/** How often a WebGPU warm-up says it is alive while the worker's thread waits on the GPU. */
export const ALIVE_MS = 10_000;

/**
 * What the worker does for each request, and what it holds between them: the last label map (for
 * export), the vocabulary the engine holds (for the export's legend), the load in progress (for
 * cancel) and the diagnostics' counts. `createHandler` runs these one at a time.
 */
export class WorkerRequests {
  private last: { labels: Uint16Array; width: number; height: number; classes: VocabClass[] } | null = null;
  private vocab: VocabClass[] = [];
  private loading: AbortController | null = null;
  /** The running vocabulary's or segmentation's job: stopped between runs by `supersede`. */
  private readonly jobs: JobSlot;
  /** Bitmaps received and not yet closed, and requests not yet answered (diagnostics). */
  openBitmaps = 0;
  waiting = 0;

  constructor(private deps: HandlerDeps) {
    this.jobs = new JobSlot((msg) => deps.post(msg));
  }

  /** A vocabulary or segmentation request arrived: a stop heard from now on covers it. */
  arrived(id: number): void {
    this.jobs.arrived(id);
  }

  private stage(id: number, st: Stage): void {
    this.deps.post({ kind: 'stage', id, stage: st });
  }

  counts(): WorkerCounts {
    return {
      sessions: this.deps.sessions?.() ?? 0,
      buffers: this.openBitmaps + (this.last ? 1 : 0) + this.deps.engine.heldBuffers,
      queued: this.waiting,
      wasmBytes: this.deps.wasmBytes?.() ?? null,
      textCacheBytes: this.deps.textCacheBytes?.(),
    };
  }

  /** Where a bundle's files come from: beside a manifest URL, a preset's base, or dropped files. */
  private sourceOf(
    s: ModelSource,
    signal: AbortSignal,
    onProgress: (p: FileProgress) => void,
    responseMs?: number,
  ) {
    if (s.kind === 'url') {
      const bundle = { key: s.manifestUrl, ...(s.version && { version: s.version }) };
      return {
        fetcher: this.deps.fetcher(s.manifestUrl, { signal, onProgress, bundle, responseMs }),
        source: { path: s.manifestUrl },
      };
    }
    const manifest = { manifest: s.manifest } as ManifestSource;
    if (s.kind === 'inline') {
      // The app's own manifest: an app update that changes it replaces the cached copy.
      const id = String((s.manifest as { id?: unknown } | null)?.id ?? '');
      const bundle = {
        key: inlineBundleKey(s.baseUrl, id),
        manifest: new TextEncoder().encode(JSON.stringify(s.manifest)),
      };
      return {
        fetcher: this.deps.fetcher(s.baseUrl, { signal, onProgress, bundle, responseMs }),
        source: { ...manifest, base: s.baseUrl },
      };
    }
    return { fetcher: blobFetcher(s.files), source: manifest };
  }

  async init(): Promise<Answer<'init'>> {
    return { result: { gpu: await this.deps.gpuInfo() } };
  }

  async load(m: Message<'load'>): Promise<Answer<'load'>> {
    const { deps } = this;
    this.last = null;
    this.vocab = [];
    const ctl = (this.loading = new AbortController());
    // Timers run only while the thread is free: on WebGPU that is while the GPU works (minutes of
    // shader work on a software adapter); a run that holds the thread stops them, so the page's
    // watchdog still catches it.
    let alive: ReturnType<typeof setInterval> | undefined;
    try {
      const onProgress = (progress: FileProgress) => deps.post({ kind: 'progress', id: m.id, progress });
      this.stage(m.id, 'download');
      const { fetcher, source } = this.sourceOf(m.source, ctl.signal, onProgress, m.responseMs);
      const gpuBufferLimit =
        m.ep === 'webgpu'
          ? (m.gpuBufferLimit ?? (await deps.gpuInfo()).maxStorageBufferBindingSize)
          : undefined;
      const info = await deps.engine.load(fetcher, source, m.ep, {
        dtype: m.dtype,
        hub: m.hub,
        onProgress,
        onStage: (st) => {
          this.stage(m.id, st);
          if (st === 'warm-up' && m.ep === 'webgpu')
            alive = setInterval(() => deps.post({ kind: 'alive', id: m.id }), ALIVE_MS);
        },
        warmUpJob: {
          step: (what, done, total) =>
            Promise.resolve(deps.post({ kind: 'steps', id: m.id, steps: { what, done, total } })),
        },
        gpuBufferLimit,
      });
      // Downloads enter the cache only now that they proved loadable.
      const cache = await (fetcher as { commit?: () => Promise<LoadCacheReport> }).commit?.();
      return { result: cache ? { ...info, cache } : info };
    } finally {
      clearInterval(alive);
      if (this.loading === ctl) this.loading = null;
    }
  }

  async cancel(): Promise<Answer<'cancel'>> {
    const cancelled = this.loading !== null;
    this.loading?.abort();
    return { result: { cancelled } };
  }

  async supersede(): Promise<Answer<'supersede'>> {
    return { result: { stopped: this.jobs.stop() } };
  }

  async vocabulary(m: Message<'vocabulary'>): Promise<Answer<'vocabulary'>> {
    this.jobs.check(m.id); // replaced while it waited: the engine keeps its vocabulary until the newer one
    this.stage(m.id, 'vocabulary');
    this.vocab = [];
    const v = await this.jobs.run(m.id, (job) => this.deps.engine.setVocabulary(m.classes, m.settings, job));
    this.vocab = m.classes;
    return { result: { unknown: v.unknown, encoded: v.encoded, textMs: v.ms } };
  }

  /** The new picture (if any) into the engine; its bitmap is closed whatever happens. */
  private async takeImage(m: Message<'segment'>): Promise<void> {
    const { engine } = this.deps;
    try {
      // Stopped while it waited: the picture about to be replaced is not even read.
      this.jobs.check(m.id);
      this.stage(m.id, 'image');
      if (m.bitmap) await engine.setImage(this.deps.sourceFromBitmap(m.bitmap));
      else if (m.pixels) await engine.setPixelValues(m.pixels.data, m.pixels.width, m.pixels.height);
    } finally {
      // Released even when the image is refused: the bitmap was transferred to us.
      if (m.bitmap) {
        m.bitmap.close();
        this.openBitmaps--;
      }
    }
  }

  async segment(m: Message<'segment'>): Promise<Answer<'segment'>> {
    const t0 = now();
    await this.takeImage(m);
    this.stage(m.id, 'combine');
    const out = await this.jobs.run(m.id, (job) =>
      this.deps.engine.segment({
        threshold: m.threshold,
        debug: m.debug ?? false,
        fresh: !!m.bitmap || !!m.pixels,
        live: m.live,
        job,
      }),
    );
    const t1 = now();
    const rgba = colourizeLabels(out.labels, paletteFor(out.classes));
    const overlay = await this.deps.toBitmap(rgba, out.width, out.height);
    this.last = { labels: out.labels, width: out.width, height: out.height, classes: this.vocab };
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
  }

  async export(): Promise<Answer<'export'>> {
    const last = this.last;
    if (!last) throw new NothingToExportError();
    const png = encodeLabelPng(last.labels, last.width, last.height, last.classes.length);
    const buf = png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer;
    return {
      result: { png: buf, json: labelLegendJson(last.classes, this.deps.engine.info?.id ?? 'unknown') },
      transfer: [buf],
    };
  }

  async prompt(m: Message<'prompt'>): Promise<Answer<'prompt'>> {
    this.stage(m.id, 'image');
    const result = await this.deps.engine.prompt(m.points);
    return { result, transfer: [result.mask.buffer] };
  }

  async instances(): Promise<Answer<'instances'>> {
    return { result: { json: this.deps.engine.instances() } };
  }

  async storage(m: Message<'storage'>): Promise<Answer<'storage'>> {
    const { deps } = this;
    const none = { cached: [], usage: null, quota: null };
    return { result: deps.storage ? await deps.storage(m.prefixes, m.models ?? []) : none };
  }

  async evict(m: Message<'evict'>): Promise<Answer<'evict'>> {
    const deleted = this.deps.evict ? await this.deps.evict(m.prefixes, m.models ?? []) : 0;
    return { result: { deleted } };
  }
}
