import type { PromptPoint, PromptResult, SegmentResult } from '../shared/protocol';
import type { RgbaImage } from '../processing/resize';
import type { FamilyDebug, FamilyStats } from './families';
import type { Dtype } from './manifest';
import type { Job } from './job';
import type { InputSize } from '../processing/normalize';
import type { VocabClass } from '../processing/vocabulary';

/**
 * What a model family implements for the engine (query: GKC; dense: CLIPSeg split at load;
 * clip-dense: ClearCLIP). The
 * engine knows families only through this interface and the registry in `runners.ts`; what it
 * hands a runner is in `runnerInputs.ts`.
 */
export interface Runner {
  readonly dtypes: { image: Dtype; text: Dtype };
  /** The size (and filter) the engine resizes a `width` x `height` picture to for `setPixels`. */
  inputFor(width: number, height: number): InputSize;
  textRuns: number;
  imageRuns: number;
  /** The family's own counters, under its id (`{ dense: {...} }`); none for families without. */
  stats?(): FamilyStats;
  /**
   * Encodes what is not cached yet; returns prompts encoded and names the model knows nothing of.
   * `settings`: a value for each of the family's settings (the user's, else the model's default).
   * `job`: told after each text run; the encoding stops there when it rejects.
   */
  setVocabulary(
    classes: VocabClass[],
    settings: Readonly<Record<string, string>>,
    job: Job,
  ): Promise<{ encoded: number; unknown: string[] }>;
  /**
   * A new image, as pixel values at the model's input size; image-only work runs here. `picture`:
   * the upright picture itself (null when the engine was handed ready pixel values), for families
   * that prepare a second input of their own.
   */
  setPixels(pixels: Float32Array, width: number, height: number, picture: RgbaImage | null): Promise<void>;
  /** Families that propose objects: the object at the user's points on the current picture. */
  prompt?(points: PromptPoint[], o: { width: number; height: number }): Promise<PromptResult>;
  /** Families that propose objects: the current picture's objects as COCO results JSON. */
  instances?(o: { width: number; height: number }): string;
  /** Labels for the current vocabulary and image, at the image's size. */
  segment(o: RunnerSegment): Promise<RunnerResult>;
  /**
   * Milliseconds of the last segment(), measured by the runner where the work ran: image-dependent
   * model runs (the dense decoder) and the label pass. None: all of it was the label pass.
   */
  readonly lastSegmentMs?: { image: number; combine: number } | undefined;
  /**
   * Every model run at the shapes real use compiles. `job` hears of each finished run: the load's
   * sign of life, since a warm-up on a software adapter takes minutes.
   */
  warmUp(job?: Job): Promise<void>;
  release(): Promise<void>;
}

export interface RunnerSegment {
  threshold: number;
  width: number;
  height: number;
  debug: boolean;
  /** Live video: exponential moving average with the previous frame's `state` (same layout). */
  smoothing?: { previous: Float32Array | null; history: number };
  /** Told after each model run a family makes here (dense decoder rows); stops there when it rejects. */
  job?: Job;
}

/** A runner's result: the label maps of the protocol's result (one definition), plus the class scores. */
export interface RunnerResult extends Pick<
  SegmentResult,
  'labels' | 'scores' | 'scoreWidth' | 'scoreHeight' | 'counts'
> {
  /** [C, scoreHeight*scoreWidth] class scores (kept for smoothing the next frame). */
  semseg: Float32Array;
  /** Diagnostics, when asked: the family's own outputs under its id. */
  debug?: FamilyDebug;
}
