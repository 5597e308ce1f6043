/**
 * The benchmark's SAM part in Node (ONNX Runtime WASM at the bench's thread count), on a SAM folder
 * in the hub layout (tools/make-sam-full.ts) and the CLIP ViT-B/16 towers (make-clip-b16-full.ts),
 * with the SlimSAM preset's settings (16 x 16 grid on WASM, 64 points a decoder run, upstream's
 * thresholds, CLIP windows):
 * 1. a first frame with the model's own masks (warm-up; its kept count is reported);
 * 2. frames on new 640x480 pictures at 1 and 150 classes (ADE20K-150, names' embeddings given),
 *    interleaved, each timed by part (samClipFrame.ts), with SAM-like masks;
 * 3. clicks on the last picture: the fp32 decoder, then (a new session with the dynamic int8
 *    decoder, the picture encoded again) the int8 one;
 * 4. the dense-CLIP family's frame alone on the same picture at 1 and 150 classes;
 * 5. the post-processing alone on synthetic logits (samPostMeasure.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClipDenseModel } from '../../src/models/clip/clipDenseModel';
import { createDenseTower } from '../../src/models/clip/pictureEmbeds';
import type { EncodedVocabulary } from '../../src/models/nameEncoder';
import { PRESETS } from '../../src/models/presets';
import type { SamClipManifest } from '../../src/models/samclip/family';
import type { Named } from '../../src/models/samclip/named';
import { SamModel } from '../../src/models/samclip/samModel';
import { ort, type Ep } from '../../src/models/runtime/ortRuntime';
import type { RgbaImage } from '../../src/processing/resize';
import { VISION_FILE } from '../lib/clipTowersBundle';
import { configureNodeEp, decodeImage } from '../lib/nodeSegmenter';
import { quantizedFile } from '../lib/samBundle';
import { SAM_FILES } from '../lib/samGraph';
import { classRows, denseFrame, unitRows } from './clipDenseNode';
import { ADE, scene } from './inputs';
import { SamClipFrame, type ClickParts, type FrameParts } from './samClipFrame';
import { measureSamPost, POST_GRID, POST_PICTURE, samLikeBatches, type PostFigures } from './samPostMeasure';

export interface SamClipOptions {
  /** SAM folder (hub layout) and CLIP towers folder. */
  sam: string;
  clip: string;
  threads: number;
  /** Frames per class count. */
  reps: number;
  /** Clicks per decoder (fp32, int8). */
  clicks: number;
  /** Runs of the synthetic post-processing. */
  postRuns: number;
  log: (line: string) => void;
  /** The backend of SAM and the CLIP tower (default WASM); the grid stays WASM's on either, so the work is the same. */
  ep?: Ep;
}

const CLASS_COUNTS = [1, 150] as const;
type ClassCount = (typeof CLASS_COUNTS)[number];

export interface SamClipFigures {
  threads: number;
  reps: number;
  /** The SAM folder's config.json vision widths. */
  vision: { hidden: number; mlp: number };
  warm: FrameParts;
  frames: Record<ClassCount, FrameParts[]>;
  clicks: { fp32: ClickParts[]; int8: ClickParts[] };
  /** The encoder in the int8 decoder's session (one more encoder sample). */
  encoderAgain: number;
  dense: Record<ClassCount, number[]>;
  post: { upstream: PostFigures; allPass: PostFigures };
}

/** The SlimSAM preset's manifest: the family's settings for both sizes (the graphs come from the folder). */
const MANIFEST = PRESETS.find((p) => p.id === 'slimsam-77-clip-b16')!.manifest as SamClipManifest;

/** ADE20K-150's first C classes with random name embeddings (the text tower's work is cached in the app). */
function vocabulary(C: number, dim: number): EncodedVocabulary {
  const classes = ADE.slice(0, C);
  const n = classes.reduce((k, c) => k + c.names.length, 0);
  const nameToClass = Int32Array.from(classes.flatMap((c, i) => c.names.map(() => i)));
  return { nameEmbeds: unitRows(n, dim, 7 + C), nameToClass, dim, unknown: [], encoded: 0 };
}

const picture = (seed: number): RgbaImage =>
  decodeImage(scene(POST_PICTURE.width, POST_PICTURE.height, seed));
const bytes = async (dir: string, file: string) => new Uint8Array(await readFile(path.join(dir, file)));
const round = (v: number) => Math.round(v);

async function samModel(dir: string, decoder: string, ep: Ep): Promise<SamModel> {
  const part = async (file: string) => ({ bytes: await bytes(dir, file), file });
  return SamModel.create(await part(SAM_FILES.encoder), await part(decoder), ep);
}

async function frames(f: SamClipFrame, clip: ClipDenseModel, o: SamClipOptions) {
  const vocab = { 1: vocabulary(1, clip.info.dim), 150: vocabulary(150, clip.info.dim) };
  const grid = MANIFEST.amg.pointsPerSide.wasm;
  if (grid !== POST_GRID)
    throw new Error(`the SAM-like outputs are made for a ${POST_GRID} grid, not ${grid}`);
  const samLike = samLikeBatches(0.5);
  o.log("sam-clip: first frame (the model's own masks)...");
  const warm = await f.frame(picture(100), grid, vocab[150], 150, null);
  o.log(
    `sam-clip first frame: ${round(warm.total)} ms, ${warm.kept} masks kept from the random decoder's own outputs`,
  );
  const out: Record<ClassCount, FrameParts[]> = { 1: [], 150: [] };
  let k = 0;
  for (let r = 0; r < o.reps; r++) {
    const order = r % 2 ? [...CLASS_COUNTS].reverse() : CLASS_COUNTS;
    for (const C of order) {
      const p = await f.frame(picture(101 + k++), grid, vocab[C], C, samLike);
      out[C].push(p);
      o.log(
        `sam-clip frame, ${C} class(es): ${round(p.total)} ms (encoder ${round(p.encoder)}, CLIP ${round(p.clip)}, ` +
          `decoder ${p.batches.map(round).join('+')}, post ${round(p.post)}, naming ${round(p.naming)}; ${p.kept} kept)`,
      );
    }
  }
  // Clicks and the dense-CLIP frame use the last frame's picture (SAM's encoder has it).
  return { warm, frames: out, last: picture(100 + k), namer: f.namer(vocab[150], 150) };
}

const CLICKS: [number, number][] = [
  [320, 240],
  [100, 360],
  [520, 120],
  [200, 80],
  [450, 400],
];

async function clicks(f: SamClipFrame, named: Named, n: number, log: (line: string) => void, what: string) {
  const labels = ADE.map((c) => c.label);
  const out: ClickParts[] = [];
  const at = (i: number) => CLICKS[i % CLICKS.length]!;
  await f.click(...at(0), named, labels); // warm-up: a first run of a new batch shape
  for (let i = 0; i < n; i++) out.push(await f.click(...at(i), named, labels));
  log(`sam-clip clicks, ${what}: ${out.map((c) => round(c.total)).join(', ')} ms`);
  return out;
}

export async function measureSamClip(o: SamClipOptions): Promise<SamClipFigures> {
  await configureNodeEp(o.ep ?? 'wasm');
  ort.env.wasm.numThreads = o.threads;
  const config = JSON.parse(await readFile(path.join(o.sam, 'config.json'), 'utf8')) as {
    vision_config: { hidden_size: number; mlp_dim: number };
  };
  const c = MANIFEST.clip;
  const coverage = { resolution: c.resolution, ...c.window, resample: c.resample };
  const clip = await createDenseTower(
    await bytes(o.clip, VISION_FILE),
    o.ep ?? 'wasm',
    'bench CLIP tower',
    coverage,
  );
  try {
    const sam = await samModel(o.sam, SAM_FILES.decoder, o.ep ?? 'wasm');
    const f = new SamClipFrame(sam, clip, MANIFEST);
    let fr: Awaited<ReturnType<typeof frames>>;
    let fp32: ClickParts[];
    try {
      fr = await frames(f, clip, o);
      fp32 = await clicks(f, fr.namer, o.clicks, o.log, 'fp32 decoder');
    } finally {
      await sam.release();
    }
    const sam8 = await samModel(o.sam, quantizedFile('decoder'), o.ep ?? 'wasm');
    let int8: ClickParts[];
    let encoderAgain: number;
    try {
      const f8 = new SamClipFrame(sam8, clip, MANIFEST);
      encoderAgain = await f8.encode(fr.last);
      int8 = await clicks(f8, fr.namer, o.clicks, o.log, 'int8 decoder');
    } finally {
      await sam8.release();
    }
    const dense: Record<ClassCount, number[]> = { 1: [], 150: [] };
    for (let r = 0; r < o.reps; r++)
      for (const C of CLASS_COUNTS) {
        const t0 = performance.now();
        await denseFrame(clip, fr.last, classRows(C, clip.info.dim));
        dense[C].push(performance.now() - t0);
      }
    o.log('sam-clip: post-processing on synthetic logits...');
    const post = measureSamPost(o.postRuns);
    const vision = { hidden: config.vision_config.hidden_size, mlp: config.vision_config.mlp_dim };
    return {
      threads: o.threads,
      reps: o.reps,
      vision,
      warm: fr.warm,
      frames: fr.frames,
      clicks: { fp32, int8 },
      encoderAgain,
      dense,
      post,
    };
  } finally {
    await clip.release();
  }
}
