/**
 * Typed messages between the main thread and the engine worker. Requests carry an id; the worker
 * answers each with exactly one `reply` or `error`, and may send `progress` before that.
 */
import type { Dtype } from '../models/manifest';
import type { VocabClass } from '../processing/vocabulary';

export type Ep = 'webgpu' | 'wasm';

export interface GpuInfo {
  /** A WebGPU adapter was granted. */
  available: boolean;
  /** Software adapter (e.g. SwiftShader): correct but slow. */
  fallback: boolean;
  f16: boolean;
  description: string;
  maxBufferSize: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  description: string;
  ep: Ep;
  imageDtype: Dtype;
  textDtype: Dtype;
  threshold: number;
  vocabulary: string[];
  loadMs: number;
  warmupMs: number;
}

export interface Timings {
  preprocess: number;
  image: number;
  text: number;
  combine: number;
  render?: number;
  total?: number;
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
  classes: string[];
  /** Names the model knows no word of. */
  unknown: string[];
  timings: Timings;
  runs: { image: number; text: number; promptsEncoded: number };
  /** Coloured label map, drawn over the image. */
  overlay: ImageBitmap | null;
  debug?: { classProbs: Float32Array; semsegLow: Float32Array };
  /** Live video: share of pixels whose label changed since the previous frame. */
  flicker?: number | undefined;
}

export interface Requests {
  init: { req: Record<string, never>; res: { gpu: GpuInfo } };
  load: { req: { manifestUrl: string; ep: Ep; dtype?: Dtype | undefined }; res: ModelInfo };
  segment: {
    req: {
      bitmap?: ImageBitmap;
      classes: VocabClass[];
      threshold: number;
      debug?: boolean;
      /** A video frame: temporal smoothing weight (0..0.95) of the previous frames' scores. */
      live?: { smoothing: number };
    };
    res: SegmentResult;
  };
  export: { req: Record<string, never>; res: { png: ArrayBuffer; json: string } };
}

export type RequestKind = keyof Requests;

export type RequestMessage = {
  [K in RequestKind]: { kind: K; id: number } & Requests[K]['req'];
}[RequestKind];

export type WorkerMessage =
  | { kind: 'reply'; id: number; result: Requests[RequestKind]['res'] }
  | { kind: 'error'; id: number; name: string; message: string }
  | { kind: 'progress'; id: number; progress: FileProgress };
