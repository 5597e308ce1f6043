/**
 * A picture's dense CLIP patch embeddings, the image side of every family that names regions by
 * CLIP (dense CLIP itself, SAM's masks): one pass at the tower's grid, or 224x224 windows every
 * `stride` pixels over the picture resized to a short side, each window the tower's own input.
 */
import type { InputSize } from '../../processing/normalize';
import type { ResampleFilter } from '../../processing/resize';
import type { Ep } from '../runtime/ortRuntime';
import { ClipDenseModel } from './clipDenseModel';
import { cropChw, shortSideSize, slidingWindows } from './maths/windows';
import { clearClipSurgery } from './surgery';

/** How a family covers the picture: one pass, or windows over it resized to a short side. */
export interface Coverage {
  resolution: 'windows' | 'single';
  shortSide: number;
  stride: number;
  resample?: ResampleFilter | undefined;
}

/** The current picture's patch embeddings: per window (sliding) or one pass. */
export interface PictureEmbeds {
  /** [windows, grid.h * grid.w, dim]. */
  embeds: Float32Array;
  windows: { y: number; x: number }[];
  /** Size of the model's input picture (the resized image). */
  H: number;
  W: number;
  /**
   * Windows on the patch grid: the windows' embeddings averaged per patch cell [h * w, dim] (see
   * `cellAverage`); null when windows are off the grid (then logits are averaged per pixel).
   */
  cells: { embeds: Float32Array; h: number; w: number } | null;
}

/**
 * The dense tower for a coverage. A single pass runs a square grid at the short side, the position
 * embeddings resized bicubically at load (the patch size is read from the graph by a first surgery).
 */
export function createDenseTower(
  bytes: Uint8Array,
  ep: Ep,
  what: string,
  c: Coverage,
): Promise<ClipDenseModel> {
  if (c.resolution !== 'single') return ClipDenseModel.create(bytes, ep, what);
  const n = Math.round(c.shortSide / clearClipSurgery(bytes).info.positions.patch);
  return ClipDenseModel.create(bytes, ep, what, { grid: { h: n, w: n } });
}

/**
 * The size a `width` x `height` picture is fed at: windows -> the short side from the coverage,
 * both sides whole patches (windows then fall on the patch grid); single pass -> the tower's input.
 */
export function clipInputSize(model: ClipDenseModel, c: Coverage, width: number, height: number): InputSize {
  const { h, w } = model.size;
  if (c.resolution === 'single') return { width: w, height: h, resample: c.resample };
  return {
    ...shortSideSize(width, height, c.shortSide, h, model.info.positions.patch),
    resample: c.resample,
  };
}

/** Runs the tower over a CLIP-normalised [3, height, width] picture (see `clipInputSize`). */
export async function embedPicture(
  model: ClipDenseModel,
  c: Coverage,
  pixels: Float32Array,
  width: number,
  height: number,
): Promise<PictureEmbeds> {
  const { h: size } = model.size;
  const single = c.resolution === 'single';
  const windows = single ? [{ y: 0, x: 0 }] : slidingWindows(height, width, size, c.stride);
  const per = model.grid.h * model.grid.w * model.info.dim;
  const embeds = new Float32Array(windows.length * per);
  // One window per run: `_quantized` exports quantise per run, so windows stay independent.
  for (const [k, p] of windows.entries()) {
    const input = single ? pixels : cropChw(pixels, 3, height, width, p.y, p.x, size, size);
    embeds.set(await model.embed(input), k * per);
  }
  const patch = model.info.positions.patch;
  const onGrid = !(height % patch || width % patch || c.stride % patch);
  const cells = !single && onGrid ? cellAverage(model, embeds, windows, height / patch, width / patch) : null;
  return { embeds, windows, H: height, W: width, cells };
}

/**
 * Every window's patch embeddings averaged per patch cell of the picture. A name's logit is linear
 * in the embedding, so the averaged cell scores exactly the window-averaged name logits
 * (mmsegmentation's slide inference, as SCLIP/ClearCLIP run it: names' logits averaged, then the
 * max over a class's names); done once per image, it leaves each vocabulary a dot product per cell
 * and name instead of per window patch and name (1036 cells against 15 x 196 patches at 448x592).
 */
function cellAverage(
  model: ClipDenseModel,
  embeds: Float32Array,
  windows: { y: number; x: number }[],
  h: number,
  w: number,
) {
  const { grid, info } = model;
  const D = info.dim;
  const patch = info.positions.patch;
  const sum = new Float32Array(h * w * D);
  const count = new Uint16Array(h * w);
  windows.forEach((p, k) => {
    const [cy, cx] = [p.y / patch, p.x / patch];
    for (let r = 0; r < grid.h; r++)
      for (let c = 0; c < grid.w; c++) {
        const cell = (cy + r) * w + cx + c;
        const src = (k * grid.h * grid.w + r * grid.w + c) * D;
        for (let i = 0; i < D; i++) sum[cell * D + i]! += embeds[src + i]!;
        count[cell]!++;
      }
  });
  for (let cell = 0; cell < h * w; cell++) for (let i = 0; i < D; i++) sum[cell * D + i]! /= count[cell]!;
  return { embeds: sum, h, w };
}
