/**
 * Measures the dense-CLIP family's two ways to cover a picture: 224x224 sliding windows over the
 * image resized to a short side, and one pass at a larger grid (position embeddings resized at load).
 * Prints load and run times (median) and how often the two label maps agree, in JSON.
 *
 *   npx tsx tools/measure-clipdense.ts <vision_model.onnx> <image.png|jpg> [--short 448] [--stride 112]
 *     [--batch 1] [--classes 8] [--reps 3]
 *
 * Class rows are patch embeddings of the image itself: this compares the two resolutions, not a vocabulary.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ClipDenseModel, type ClassRows } from '../src/models/clip/clipDenseModel';
import { CLIP_LOGIT_SCALE, CLIP_MEAN, CLIP_STD } from '../src/models/clip/constants';
import {
  labelsFromLogits,
  shortSideSize,
  singlePassGrid,
  slidingWindows,
} from '../src/models/clip/maths/windows';
import { toPixelValues } from '../src/processing/normalize';
import { resizeRgba } from '../src/processing/resize';
import { configureOrt, decodeImage } from './lib/nodeSegmenter';
import { prng } from '../test-support/prng';

const [modelPath, imagePath, ...rest] = process.argv.slice(2);
if (!modelPath || !imagePath) {
  console.error(
    'usage: measure-clipdense <vision_model.onnx> <image> [--short N] [--stride N] [--batch N] [--classes N] [--reps N]',
  );
  process.exit(2);
}
const opt = (k: string, d: number) => {
  const i = rest.indexOf(`--${k}`);
  return i >= 0 ? Number(rest[i + 1]) : d;
};
const short = opt('short', 448);
const stride = opt('stride', 112);
const batch = opt('batch', 1);
const reps = opt('reps', 3);
const numClasses = opt('classes', 8);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

configureOrt();
const bytes = new Uint8Array(readFileSync(modelPath));
const img = decodeImage(new Uint8Array(readFileSync(imagePath)));
const [m224, load224] = await timed(() => ClipDenseModel.create(bytes, 'wasm', 'base'));
const grid = singlePassGrid(img.width, img.height, m224.info.positions.patch, short);
const [big, loadBig] = await timed(() => ClipDenseModel.create(bytes, 'wasm', 'single pass', { grid }));

// Class rows in the model's own embedding space (random unit vectors give one label everywhere on
// random-weight towers): patch embeddings of the whole image squeezed to 224x224, a third view
// neutral to both methods, at patches spread over the grid.
const dim = m224.info.dim;
const whole = await m224.embed(toPixelValues(resizeRgba(img, 224, 224), CLIP_MEAN, CLIP_STD));
const cells = m224.grid.h * m224.grid.w;
const r = prng(1);
const names = new Float32Array(numClasses * dim);
for (let k = 0; k < numClasses; k++) {
  const p = Math.floor(((k + r()) / numClasses) * cells);
  names.set(whole.subarray(p * dim, (p + 1) * dim), k * dim);
}
const classes: ClassRows = {
  names,
  rowToClass: names.map((_, i) => i).slice(0, numClasses),
  numClasses,
  logitScale: CLIP_LOGIT_SCALE,
};

const s = shortSideSize(img.width, img.height, short, 224, m224.info.positions.patch);
const slidePixels = toPixelValues(resizeRgba(img, s.width, s.height), CLIP_MEAN, CLIP_STD);
const singlePixels = toPixelValues(resizeRgba(img, big.size.w, big.size.h), CLIP_MEAN, CLIP_STD);
const tSlide: number[] = [];
const tSingle: number[] = [];
let slideLabels: Uint16Array = new Uint16Array(0);
let singleLabels: Uint16Array = new Uint16Array(0);
for (let k = 0; k <= reps; k++) {
  const [a, ta] = await timed(async () => {
    const l = await m224.slidingLogits(slidePixels, s.height, s.width, classes, { stride, batch });
    return labelsFromLogits(l.logits, numClasses, l.h, l.w, img.width, img.height).labels;
  });
  const [b, tb] = await timed(async () => {
    const l = await big.singlePassLogits(singlePixels, classes);
    return labelsFromLogits(l, numClasses, grid.h, grid.w, img.width, img.height).labels;
  });
  if (k > 0) {
    // The first run is a warm-up.
    tSlide.push(ta);
    tSingle.push(tb);
  }
  slideLabels = a;
  singleLabels = b;
}
let same = 0;
for (let i = 0; i < slideLabels.length; i++) if (slideLabels[i] === singleLabels[i]) same++;
console.log(
  JSON.stringify(
    {
      model: modelPath,
      image: `${img.width}x${img.height}`,
      layers: m224.info.layers,
      sliding: {
        resized: `${s.width}x${s.height}`,
        windows: slidingWindows(s.height, s.width, 224, stride).length,
        stride,
        batch,
        ms: Math.round(median(tSlide)),
        loadMs: Math.round(load224),
      },
      singlePass: {
        grid: `${grid.w}x${grid.h}`,
        input: `${big.size.w}x${big.size.h}`,
        ms: Math.round(median(tSingle)),
        loadMs: Math.round(loadBig),
      },
      labelAgreement: same / slideLabels.length,
      // Distinct labels in each map: agreement means little when one label covers everything.
      labelsUsed: { sliding: new Set(slideLabels).size, singlePass: new Set(singleLabels).size },
      classes: numClasses,
      reps,
    },
    null,
    1,
  ),
);
await m224.release();
await big.release();
