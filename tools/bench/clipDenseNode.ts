/**
 * The dense-CLIP family's bare costs in Node (ONNX Runtime WASM at the bench's thread count), on the
 * bench folder's own files: one 224x224 window of the surgered vision tower, a whole frame (the
 * sliding windows over a 640x480 picture resized to the short side, patch logits, softmax, argmax,
 * labels upsampled as the app's runner does) at 1, 20 and 150 classes with the names' embeddings
 * given, and the text tower per prompt (ADE20K-150 names in the templates, 64 prompts a run as the
 * app's name encoder).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ClipDenseModel, type ClassRows } from '../../src/models/clip/clipDenseModel';
import type { RgbaImage } from '../../src/processing/resize';
import { createClipTokenizer } from '../../src/models/tokenizer';
import { CLIP_LOGIT_SCALE, CLIP_MEAN, CLIP_STD, DEFAULT_TEMPLATES } from '../../src/models/clip/constants';
import {
  DEFAULT_SHORT_SIDE,
  DEFAULT_STRIDE,
  shortSideSize,
  slidingWindows,
} from '../../src/models/clip/maths/windows';
import { softmaxClasses } from '../../src/processing/softmax';
import { argmaxLabels } from '../../src/processing/argmax';
import { upsampleLabels } from '../../src/processing/labels';
import { toPixelValues } from '../../src/processing/normalize';
import { resizeRgba } from '../../src/processing/resize';
import { ort, type Ep } from '../../src/models/runtime/ortRuntime';
import { median } from '../lib/floor';
import { TEXT_FILE, VISION_FILE } from '../lib/clipTowersBundle';
import { quantizedName } from '../lib/quantizeBundle';
import { configureNodeEp, decodeImage } from '../lib/nodeSegmenter';
import { prng } from '../../test-support/prng';
import { ADE, scene } from './inputs';

export interface ClipDenseNodeFigures {
  threads: number;
  reps: number;
  /** The resized picture and its windows. */
  resized: { width: number; height: number };
  windows: number;
  /** One window through the surgered tower, ms. */
  windowMs: number;
  /** A whole frame by class count, ms. */
  frameMs: Record<number, number>;
  /** Text tower, ms a prompt, and the prompts ADE20K-150 needs in the templates. */
  textMsPerPrompt: number;
  adePrompts: number;
}

const BATCH = 64;

/** `n` random unit rows of `dim` (names' embeddings: the cost does not depend on their values). */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
  const r = prng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * dim, (i + 1) * dim);
    for (let k = 0; k < dim; k++) row[k] = r() * 2 - 1;
    const norm = Math.hypot(...row);
    for (let k = 0; k < dim; k++) row[k]! /= norm;
  }
  return out;
}

/** Random names' rows for C classes, one name each. */
export function classRows(C: number, dim: number): ClassRows {
  return {
    names: unitRows(C, dim, C),
    rowToClass: Int32Array.from({ length: C }, (_, i) => i),
    numClasses: C,
    logitScale: CLIP_LOGIT_SCALE,
  };
}

/** The picture's size at the app's default windows (short side 448, whole patches). */
function denseSize(model: ClipDenseModel, img: RgbaImage) {
  return shortSideSize(img.width, img.height, DEFAULT_SHORT_SIDE, 224, model.info.positions.patch);
}

/**
 * One dense-CLIP frame as the app's runner makes it, the names' embeddings given: the picture
 * resized and normalised (each frame a new picture), sliding-window logits, then softmax and argmax
 * on the patch grid and labels upsampled from the few classes winning around each pixel.
 */
export async function denseFrame(model: ClipDenseModel, img: RgbaImage, classes: ClassRows): Promise<void> {
  const size = denseSize(model, img);
  const C = classes.numClasses;
  const px = toPixelValues(resizeRgba(img, size.width, size.height), CLIP_MEAN, CLIP_STD);
  const l = await model.slidingLogits(px, size.height, size.width, classes);
  const probs = softmaxClasses(l.logits, C);
  const raw = argmaxLabels(probs, C, l.h * l.w, -Infinity);
  upsampleLabels(raw.labels, probs, l.h, l.w, img.height, img.width, 0);
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

export async function measureClipDenseNode(
  dir: string,
  threads: number,
  reps: number,
  classCounts: readonly number[] = [1, 20, 150],
  dtype: 'fp32' | 'q8' = 'fp32',
  ep: Ep = 'wasm',
): Promise<ClipDenseNodeFigures> {
  const file = (fp32: string) => path.join(dir, dtype === 'q8' ? quantizedName(fp32) : fp32);
  await configureNodeEp(ep);
  ort.env.wasm.numThreads = threads;
  const model = await ClipDenseModel.create(
    new Uint8Array(await readFile(file(VISION_FILE))),
    ep,
    'bench vision tower',
  );
  const frameMs: Record<number, number> = {};
  let windowMs = NaN;
  const img = decodeImage(scene(640, 480, 2));
  const size = denseSize(model, img);
  const windows = slidingWindows(size.height, size.width, 224, DEFAULT_STRIDE).length;
  try {
    const one = toPixelValues(resizeRgba(img, 224, 224), CLIP_MEAN, CLIP_STD);
    const w: number[] = [];
    for (let i = 0; i <= reps; i++) w.push(await timed(() => model.embed(one)));
    windowMs = median(w.slice(1));
    for (const C of classCounts) {
      const classes = classRows(C, model.info.dim);
      const t: number[] = [];
      for (let i = 0; i < reps; i++) t.push(await timed(() => denseFrame(model, img, classes)));
      frameMs[C] = median(t);
    }
  } finally {
    await model.release();
  }

  const json = async (f: string) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as unknown;
  const tok = await createClipTokenizer(await json('tokenizer.json'), await json('tokenizer_config.json'));
  const text = await ort.InferenceSession.create(new Uint8Array(await readFile(file(TEXT_FILE))), {
    executionProviders: [ep],
  });
  const prompts = ADE.flatMap((c) => DEFAULT_TEMPLATES.map((t) => t.replace('{}', c.label)));
  const run = async (chunk: string[]) => {
    const enc = tok.pad(chunk.map((p) => tok.ids(p)));
    const out = await text.run({ input_ids: new ort.Tensor('int64', enc.ids, [enc.batch, enc.length]) });
    for (const t of Object.values(out)) t.dispose();
  };
  try {
    await run(prompts.slice(0, 2)); // warm-up
    const t: number[] = [];
    for (let i = 0; i < reps; i++) {
      const chunk = prompts.slice((i * BATCH) % prompts.length, ((i * BATCH) % prompts.length) + BATCH);
      t.push((await timed(() => run(chunk))) / chunk.length);
    }
    return {
      threads,
      reps,
      resized: size,
      windows,
      windowMs,
      frameMs,
      textMsPerPrompt: median(t),
      adePrompts: prompts.length,
    };
  } finally {
    await text.release();
  }
}
