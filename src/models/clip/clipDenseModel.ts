/**
 * The dense-CLIP family's image model: one ORT session on the surgered vision tower (./surgery.ts),
 * and the two ways to cover a picture larger than the tower's 224x224:
 * - `slidingLogits`: 224x224 windows with a stride over the image (resized to a short side, default
 *   448), each window's patch logits upsampled to the window and averaged where windows overlap.
 *   Each window is exactly the tower's own input, so each reproduces the golden.
 * - `singlePassLogits`: the model built for a larger patch grid (position embeddings resized
 *   bicubically at load), one pass over the whole resized image.
 * Text embeddings come from the matching CLIP text tower (the app's existing text path); here they
 * are given as L2-normalised name rows with the class of each row.
 */
import { createSession, ort, type Ep } from '../runtime/ortRuntime';
import { cropChw, DEFAULT_STRIDE, slidingWindows, WindowAverager, WINDOW } from './maths/windows';
import { patchClassLogits } from '../gkc/patchLogits';
import { ClipDenseError } from './graphIndex';
import { clearClipSurgery, OUTPUT, type SurgeryInfo, type SurgeryOptions } from './surgery';

export interface ClassRows {
  /** [R, P] L2-normalised text embeddings (one row per class name, templates averaged). */
  names: Float32Array;
  rowToClass: ArrayLike<number>;
  numClasses: number;
  /** CLIP's 100 unless the manifest says otherwise. */
  logitScale: number;
}

const resized = (info: SurgeryInfo): boolean =>
  info.positions.grid.h !== info.positions.baseGrid.h || info.positions.grid.w !== info.positions.baseGrid.w;

/** Some exports fix the token count in their reshapes: they load or run only at their own size. */
function gridError(info: SurgeryInfo, e: unknown): ClipDenseError {
  const { h, w } = info.positions.grid;
  const msg = e instanceof Error ? e.message : String(e);
  return new ClipDenseError(
    `The model could not run at a ${w}x${h} patch grid (its export may fix the number of tokens; ` +
      `use sliding windows instead): ${msg}`,
  );
}

export class ClipDenseModel {
  /** Image runs since load. */
  runs = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly info: SurgeryInfo,
  ) {}

  /** Surgery + session. `opts.grid`: build for a larger single-pass grid. */
  static async create(
    bytes: Uint8Array,
    ep: Ep,
    what: string,
    opts: SurgeryOptions = {},
  ): Promise<ClipDenseModel> {
    const { bytes: surgered, info } = clearClipSurgery(bytes, opts);
    try {
      return new ClipDenseModel(await createSession(surgered, ep, what), info);
    } catch (e) {
      throw resized(info) ? gridError(info, e) : e;
    }
  }

  get grid(): { h: number; w: number } {
    return this.info.positions.grid;
  }
  /** Input size the model takes ([h, w] in pixels). */
  get size(): { h: number; w: number } {
    return this.info.positions.size;
  }

  /** pixels [B, 3, size.h, size.w] (CLIP-normalised) -> patch embeddings [B, grid.h * grid.w, dim]. */
  async embed(pixels: Float32Array, batch = 1): Promise<Float32Array> {
    const { h, w } = this.size;
    if (pixels.length !== batch * 3 * h * w)
      throw new Error(`embed: ${pixels.length} values are not ${batch} images of 3x${h}x${w}`);
    const feeds = { [this.info.pixelInput]: new ort.Tensor('float32', pixels, [batch, 3, h, w]) };
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } catch (e) {
      throw resized(this.info) ? gridError(this.info, e) : e;
    }
    this.runs++;
    const t = out[OUTPUT]!;
    const data = t.data as Float32Array;
    t.dispose();
    return data;
  }

  /** One pass over a CLIP-normalised [3, size.h, size.w] image -> class logits [C, grid.h, grid.w]. */
  async singlePassLogits(pixels: Float32Array, classes: ClassRows): Promise<Float32Array> {
    const e = await this.embed(pixels);
    return patchClassLogits(
      e,
      classes.names,
      classes.rowToClass,
      classes.numClasses,
      this.info.dim,
      classes.logitScale,
    );
  }

  /**
   * Sliding windows over a CLIP-normalised [3, H, W] image (the model must be at its own 224 grid) ->
   * window-averaged class logits [C, h, w] on a canvas of `cell` pixels: the patch size when the image
   * and the stride are whole patches (see `shortSideSize(..., multiple)`), else 1 (full resolution).
   * `batch` windows per run: keep 1 for `_quantized` exports (their per-tensor dynamic quantisation
   * mixes the windows of one run).
   */
  async slidingLogits(
    pixels: Float32Array,
    H: number,
    W: number,
    classes: ClassRows,
    opts: { stride?: number; batch?: number; cell?: number } = {},
  ): Promise<{ logits: Float32Array; h: number; w: number }> {
    const crop = this.size.h;
    if (crop !== this.size.w || crop !== WINDOW)
      throw new Error(
        `slidingLogits: the model runs ${this.size.w}x${this.size.h}, not ${WINDOW}x${WINDOW} windows`,
      );
    const { h: gh, w: gw } = this.grid;
    const stride = opts.stride ?? DEFAULT_STRIDE;
    const patch = this.info.positions.patch;
    const cell = opts.cell ?? (H % patch || W % patch || stride % patch ? 1 : patch);
    const avg = new WindowAverager(classes.numClasses, H, W, cell);
    const batch = Math.max(1, opts.batch ?? 1);
    const per = 3 * crop * crop;
    const windows = slidingWindows(H, W, crop, stride);
    for (let k = 0; k < windows.length; k += batch) {
      const group = windows.slice(k, k + batch);
      const input = new Float32Array(group.length * per);
      group.forEach((p, j) => input.set(cropChw(pixels, 3, H, W, p.y, p.x, crop, crop), j * per));
      const e = await this.embed(input, group.length);
      const n = gh * gw * this.info.dim;
      group.forEach((p, j) => {
        const logits = patchClassLogits(
          e.subarray(j * n, (j + 1) * n),
          classes.names,
          classes.rowToClass,
          classes.numClasses,
          this.info.dim,
          classes.logitScale,
        );
        avg.add(logits, gh, gw, p.y, p.x, crop);
      });
    }
    return { logits: avg.result(), h: avg.h, w: avg.w };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
