/**
 * Typed messages between the main thread and the engine worker. Requests carry an id; the worker
 * answers each with exactly one `reply` or `error`, and may send `progress` before that.
 */
import type { FamilyDebug, FamilyId, FamilyStats } from '../models/families';
import type { ErrorCode } from '../errors';
import type { Dtype } from '../models/manifest';
import type { VocabClass } from '../processing/vocabulary';

export type Ep = 'webgpu' | 'wasm';

/** Where a model bundle comes from. */
export type ModelSource =
  /**
   * A manifest (`ovseg.json`) at a URL; its files are relative to it. `version`: known before any
   * download (the embedded model's build hash); a cached copy of another version is replaced.
   */
  | { kind: 'url'; manifestUrl: string; version?: string | undefined }
  /** A manifest object (a preset) whose files are relative to `baseUrl`. */
  | { kind: 'inline'; manifest: unknown; baseUrl: string }
  /** Files the user dropped: the manifest and the files it names, by name. */
  | { kind: 'files'; manifest: unknown; files: Record<string, Blob> };

export interface GpuInfo {
  /** A WebGPU adapter was granted. */
  available: boolean;
  /** Software adapter (e.g. SwiftShader): correct but slow. */
  fallback: boolean;
  f16: boolean;
  description: string;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  family: FamilyId;
  description: string;
  ep: Ep;
  imageDtype: Dtype;
  textDtype: Dtype;
  threshold: number;
  vocabulary: string[];
  /** The value of each of the family's settings when the user chose none (the manifest's or the family's). */
  settings: Record<string, string>;
  loadMs: number;
  warmupMs: number;
  /** What computed the text side's cached values (LoadedBundle.textKey): names its cached prompts. */
  textKey?: string | undefined;
  /** What the load did with the model cache (from the worker's load only). */
  cache?: LoadCacheReport | undefined;
}

/** A load and the model cache: a newer version replaced the cached copy; the model is kept whole or not. */
export interface LoadCacheReport {
  replaced: boolean;
  /** Every file is kept now (false: none is); null: nothing to keep (files from disk, no cache). */
  complete: boolean | null;
  /** Why the model is not kept, in words. */
  problem?: string | undefined;
}

interface Timings {
  preprocess: number;
  image: number;
  text: number;
  combine: number;
  render?: number;
  total?: number;
}

/** How far a long job got: prompts of a vocabulary encoded, decoder rows of a picture run. */
export interface WorkSteps {
  what: 'prompts' | 'rows' | 'runs';
  done: number;
  total: number;
}

export interface FileProgress {
  file: string;
  loaded: number;
  total: number | null;
}

export interface SegmentResult {
  width: number;
  height: number;
  /** [H*W] 0 = unlabelled, k+1 = class k. */
  labels: Uint16Array;
  /** Best class score per pixel, at scoreWidth x scoreHeight. */
  scores: Float32Array;
  scoreWidth: number;
  scoreHeight: number;
  /** Pixels per label (index 0 = unlabelled). */
  counts: Uint32Array;
  /** Labels of the vocabulary this result was computed with. */
  classes: string[];
  timings: Timings;
  /** Counters since load: image-model and text-model runs, prompts encoded. */
  runs: { image: number; text: number; promptsEncoded: number };
  /** The family's own counters, under its id (e.g. `stats.dense.decoderRows`). */
  stats?: FamilyStats | undefined;
  /** Coloured label map, drawn over the image. */
  overlay: ImageBitmap | null;
  /**
   * Diagnostics (`?debug`): the family's own outputs under its id (e.g. `debug.query.classProbs`),
   * and the model input (`pixelValues`, NCHW at the model's input size), to check preprocessing
   * against the reference processors.
   */
  debug?: SegmentDebug | undefined;
  /** Live video: share of pixels whose label changed since the previous frame. */
  flicker?: number | undefined;
}

interface SegmentDebug extends FamilyDebug {
  pixelValues?: Float32Array | undefined;
  /** Milliseconds of the image's preprocessing: reading its pixels, resize + normalise. */
  preprocessMs?: { read: number; resize: number } | undefined;
}

/** A point the user gave on the picture (picture pixels): on the object (`positive`) or not. */
export interface PromptPoint {
  x: number;
  y: number;
  positive: boolean;
}

/** The object a family finds at the user's points: its mask at the picture's size and its best names. */
export interface PromptResult {
  width: number;
  height: number;
  /** [height*width] 1 inside the object. */
  mask: Uint8Array;
  /** The model's own estimate of the mask's quality (0..1). */
  score: number;
  /** The vocabulary's classes that fit the object best, best first (probabilities). */
  classes: { label: string; score: number }[];
}

export interface Requests {
  init: { req: Record<string, never>; res: { gpu: GpuInfo } };
  load: {
    req: {
      source: ModelSource;
      ep: Ep;
      dtype?: Dtype | undefined;
      hub?: string | undefined;
      /** Overrides the adapter's buffer limit (diagnostics: ?debug&gpuBufferLimit=bytes). */
      gpuBufferLimit?: number | undefined;
      /** How long a server may take to answer, and the download pace's window (tests; ?debug). */
      responseMs?: number | undefined;
    };
    res: ModelInfo;
  };
  /** Aborts the download of the model being loaded (answered at once, not queued). */
  cancel: { req: Record<string, never>; res: { cancelled: boolean } };
  /**
   * Stops the running vocabulary or segmentation at its next model run: a newer request replaces
   * it, which then fails with RequestSupersededError (answered at once, not queued).
   */
  supersede: { req: Record<string, never>; res: { stopped: boolean } };
  /**
   * Cached bytes for each URL prefix (one per model; `incomplete`: a model there lacks a file it
   * needs), the bytes of cached text values per model (its `textKey`), and the origin's storage.
   */
  storage: {
    req: { prefixes: string[]; models?: string[] | undefined };
    res: {
      cached: { prefix: string; files: number; bytes: number; incomplete?: boolean | undefined }[];
      embeddings?: { model: string; bytes: number }[] | undefined;
      usage: number | null;
      quota: number | null;
    };
  };
  /** Deletes cached files under these URL prefixes, and the cached text values of these models. */
  evict: { req: { prefixes: string[]; models?: string[] | undefined }; res: { deleted: number } };
  /**
   * The classes to segment with, sent when they change (and after a load): encodes what is not
   * cached and says at once which names the model knows no word of. Segmentations that follow use it.
   */
  vocabulary: {
    req: {
      classes: VocabClass[];
      /** The user's choices among the family's settings (absent keys: the model's defaults). */
      settings?: Record<string, string> | undefined;
    };
    res: {
      /** Names the model knows no word of. */
      unknown: string[];
      /** Prompts the text model encoded now (the others were cached). */
      encoded: number;
      /** Milliseconds of text work (also reported in the next segmentation's timings). */
      textMs: number;
    };
  };
  segment: {
    req: {
      /** A new image, transferred (made by `workerCopy`); none: the image the worker holds. */
      bitmap?: ImageBitmap;
      threshold: number;
      debug?: boolean;
      /** Diagnostics: ready pixel values at the model's input size, instead of a bitmap. */
      pixels?: { data: Float32Array; width: number; height: number };
      /** A video frame: temporal smoothing weight (0..0.95) of the previous frames' scores. */
      live?: { smoothing: number };
    };
    res: SegmentResult;
  };
  export: { req: Record<string, never>; res: { png: ArrayBuffer; json: string } };
  /** Families that propose objects: the object at these points of the current picture (a click). */
  prompt: { req: { points: PromptPoint[] }; res: PromptResult };
  /** Families that propose objects: the current picture's objects as COCO results JSON. */
  instances: { req: Record<string, never>; res: { json: string } };
  /** Diagnostics: what the worker holds now (answered at once, not queued). */
  counts: { req: Record<string, never>; res: WorkerCounts };
}

/** Live resources in the worker: after a burst of requests they must return to where they were. */
export interface WorkerCounts {
  /** ONNX Runtime InferenceSessions created and not yet released. */
  sessions: number;
  /** Per-image buffers the worker keeps (image outputs, live-video history, last label map, bitmaps). */
  buffers: number;
  /** Requests received and not yet answered. */
  queued: number;
  /** Size of ONNX Runtime's WebAssembly memory, when known. */
  wasmBytes: number | null;
  /** Bytes the worker's in-memory text caches hold (each within its bound). */
  textCacheBytes?: number | undefined;
}

/** The phase a request is in, so a request that never ends can be named by what hung. */
export type Stage = 'download' | 'compile' | 'warm-up' | 'vocabulary' | 'image' | 'combine';

/** Words for a stage, as in "… took over 12 s". */
const STAGE_WORDS: Record<Stage, string> = {
  download: 'the download',
  compile: 'preparing the model',
  'warm-up': 'the warm-up run',
  vocabulary: 'encoding the vocabulary (tokenizer and text model)',
  image: 'the image model',
  combine: 'combining masks and classes',
};

export type RequestKind = keyof Requests;

/** The words of a hung request's last stage, as in "… took over 12 s". */
export function hungWords(kind: RequestKind, stage: Stage | null): string {
  if (stage) return STAGE_WORDS[stage];
  return kind === 'load' ? 'loading' : kind === 'vocabulary' ? STAGE_WORDS.vocabulary : 'the segmentation';
}

export type RequestMessage = {
  [K in RequestKind]: { kind: K; id: number } & Requests[K]['req'];
}[RequestKind];

export type WorkerMessage =
  | { kind: 'reply'; id: number; result: Requests[RequestKind]['res'] }
  /** `code` names the error's kind: the page re-creates its class (see src/errors.ts). */
  | { kind: 'error'; id: number; code: ErrorCode; message: string }
  | { kind: 'progress'; id: number; progress: FileProgress }
  /** A long job's progress (a sign of life: the watchdog restarts its clock). */
  | { kind: 'steps'; id: number; steps: WorkSteps }
  /**
   * A WebGPU warm-up is waiting on the GPU while the worker's thread is free: slow (a software
   * adapter compiles and runs every shader on the CPU), not stuck. A run that holds the thread
   * (WASM, a CPU kernel) sends none, so the watchdog still bounds it; the notes count for a while
   * only (deadlines.ts, aliveForMs).
   */
  | { kind: 'alive'; id: number }
  | { kind: 'stage'; id: number; stage: Stage };
