/**
 * The benchmark's dense-CLIP part (WASM): the app's production build loads the CLIP ViT-B/16 folder
 * (tools/make-clip-b16-full.ts, hub layout) through its normal path for a bring-your-own bundle
 * (`?model=<manifest URL>`, files next to the manifest), and is timed in headless Chromium:
 * - first run with ADE20K-150 (every prompt new: the text encoding's cost);
 * - frames on new 640x480 pictures with the names cached, at 1, 20 (PASCAL VOC, its names encoded
 *   first) and 150 classes, interleaved, and the ratio 150 / 1 (the family's promise: cost flat in
 *   the vocabulary);
 * - the live camera loop with this model;
 * - in Node, the bare costs (clipDenseNode.ts).
 * CLIPSeg's figures at 20 and 150 classes (S4, S5 new image) come from the same run's CLIPSeg part.
 */
import type { AddressInfo } from 'node:net';
import type { Browser } from '@playwright/test';
import { launchWithCamera, measureLive, type LiveFigures } from '../bench-live';
import { measureClipDenseNode, type ClipDenseNodeFigures } from './clipDenseNode';
import { ADE, scene, VOC, type BenchClass } from './inputs';
import { startBenchServer } from './server';
import { AppSide, type BenchDtype, type Sample } from './sides';
import { clipDenseMarkdown } from './clipDenseReport';

export interface ClipDenseBenchOptions {
  /** The model folder (hub layout with the app's manifest `ovseg.json`). */
  model: string;
  /** The towers' variant the app and the Node figures load (default fp32). */
  dtype?: BenchDtype;
  rounds: number;
  threads: number;
  port: number;
  dist: string;
  /** Seconds of the live camera loop with this model, after the warm-up (0: skip). */
  liveSeconds: number;
  liveWarmupSeconds?: number;
  /** Repetitions of the Node measurements (0: skip). */
  nodeReps: number;
  /** Wall times (ms) of the same run's CLIPSeg part, by `rows:scenario` (runBench's `walls`). */
  clipseg?: { walls: Record<string, number[]>; parts: Record<string, Record<string, number>> } | null;
  log: (line: string) => void;
}

const CLASS_COUNTS = [1, 20, 150] as const;
type ClassCount = (typeof CLASS_COUNTS)[number];
const VOCAB: Record<ClassCount, readonly BenchClass[]> = { 1: ADE.slice(0, 1), 20: VOC, 150: ADE };

export interface ClipDenseResult {
  markdown: string;
  loadMs: number;
  /** First run with ADE20K-150 (all prompts new). */
  firstRun: Sample;
  /** Frames on new pictures, names cached, by class count. */
  frames: Record<ClassCount, Sample[]>;
  live: LiveFigures | null;
  node: ClipDenseNodeFigures | null;
}

export async function runClipDenseBench(o: ClipDenseBenchOptions): Promise<ClipDenseResult> {
  const n = o.rounds * CLASS_COUNTS.length;
  const images = new Map<string, Uint8Array>([['a', scene(640, 480, 1)]]);
  for (let i = 0; i < n; i++) images.set(`frame${i}`, scene(640, 480, 4, i));
  const server = await startBenchServer({
    port: o.port,
    dist: o.dist,
    models: { clipdense: o.model },
    images,
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const manifest = `${origin}/models/clipdense/ovseg.json`;
  const browser: Browser = await launchWithCamera();
  try {
    const side = new AppSide(browser, origin, o.log, manifest, 'wasm', o.dtype);
    const { loadMs } = await side.open();
    o.log(`dense-CLIP: loaded in ${Math.round(loadMs)} ms`);
    const firstRun = await side.segment({ image: 'a', classes: ADE });
    o.log(
      `dense-CLIP first run, ADE20K-150: ${Math.round(firstRun.wall)} ms (text ${Math.round(firstRun.parts.text ?? NaN)} ms, ` +
        `${firstRun.work?.prompts ?? '?'} prompts encoded)`,
    );
    // VOC's names on the kept picture, so that every timed frame finds its names cached.
    await side.segment({ image: 'a', classes: VOC });
    const frames: Record<ClassCount, Sample[]> = { 1: [], 20: [], 150: [] };
    let k = 0;
    for (let r = 0; r < o.rounds; r++) {
      // Interleaved, the order rotating between rounds.
      const order = CLASS_COUNTS.map((_, i) => CLASS_COUNTS[(i + r) % CLASS_COUNTS.length]!);
      const times: string[] = [];
      for (const c of order) {
        const s = await side.segment({ image: `frame${k++}`, classes: VOCAB[c] });
        frames[c].push(s);
        times.push(`${c} class${c === 1 ? '' : 'es'} ${Math.round(s.wall)}`);
      }
      o.log(`dense-CLIP round ${r + 1}: ${times.join(', ')} ms`);
    }
    await side.close();
    let live: LiveFigures | null = null;
    if (o.liveSeconds > 0) {
      o.log('dense-CLIP live camera loop, WASM...');
      live = await measureLive({
        url: origin,
        ep: 'wasm',
        seconds: o.liveSeconds,
        warmupSeconds: o.liveWarmupSeconds ?? 3,
        model: manifest,
        dtype: o.dtype ?? 'fp32',
        browser,
      });
    }
    await browser.close();
    let node: ClipDenseNodeFigures | null = null;
    if (o.nodeReps > 0) {
      o.log('dense-CLIP bare costs in Node...');
      node = await measureClipDenseNode(o.model, o.threads, o.nodeReps, undefined, o.dtype);
    }
    const result = { loadMs, firstRun, frames, live, node };
    return { ...result, markdown: clipDenseMarkdown(o, result) };
  } finally {
    await browser.close().catch(() => undefined);
    server.close();
  }
}
