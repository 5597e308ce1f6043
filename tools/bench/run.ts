/**
 * The benchmark run: interleaved rounds of transformers.js and the app on the same model file in
 * one headless Chromium, each phase in a fresh context; on WASM also the app's live camera loop
 * with the embedded model and the worker's preprocessing time of a 640x480 picture; then, in Node
 * (ORT WASM, same thread count), split == unsplit and the bare parts' floor; and a Markdown report.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { launchWithCamera, measureLive, type LiveFigures } from '../bench-live';
import { describeCombine, measureQueryCombine } from './queryCombine';
import { MODEL_FILE, writeClipSegBundle } from '../lib/clipsegBundle';
import { quantizedName } from '../lib/quantizeBundle';
import type { FloorTimes } from '../lib/floor';
import type { SplitCheckResult } from '../lib/splitCheck';
import { scene } from './inputs';
import { checkSplit, measureFloor, measureFloorApart } from './nodeChecks';
import { agreement, medianParts, type Rows, type ScenarioId } from './report';
import { MANIFESTS, startBenchServer } from './server';
import { AppSide, TjsSide, type BenchDtype, type Ep, type PrepTimes, type Sample, type Side } from './sides';
import { phases } from './phases';
import { summary, type Key } from './summary';

export interface BenchOptions {
  model: string;
  rounds: number;
  ep: Ep;
  /** The file both sides load (and the floor is timed on): fp32, or the `_quantized` one (default fp32). */
  dtype?: BenchDtype;
  scenarios: ScenarioId[];
  rows: Rows[];
  /** S6: consecutive frames (10 in the issue's scenario). */
  frames: number;
  threads: number;
  port: number;
  dist: string;
  /** Seconds of the live camera loop with the embedded model, after a warm-up (WASM; 0: skip). */
  liveSeconds: number;
  liveWarmupSeconds?: number;
  /** 640x480 pictures for the query combine against the image model (WASM); 0 or absent: none. */
  combineFrames?: number;
  /** Pictures timed through the worker's preprocessing, after 2 warm-up ones (WASM; 0: skip). */
  prepFrames: number;
  /** Prompts for split == unsplit in Node (0: skip). */
  splitPrompts: number;
  floorReps: number;
  /** WebGPU: measure only on a hardware adapter (a software one says nothing about GPUs). */
  hardwareOnly?: boolean;
  log: (line: string) => void;
}

function images(frames: number): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  m.set('a', scene(640, 480, 1));
  m.set('b', scene(640, 480, 2));
  m.set('c', scene(640, 480, 3));
  for (let i = 0; i < frames; i++) m.set(`frame${i}`, scene(640, 480, 4, i));
  return m;
}

export interface BenchResult {
  markdown: string;
  /** Wall times (ms) by side and rows (`tjs`, `default`, `names`) and scenario. */
  walls: Record<string, number[]>;
  /** Median parts (ms) by the same keys. */
  parts: Record<string, Record<string, number>>;
  /** S1 label-map agreement with transformers.js: same pixel values, and each side's own preprocessing. */
  agreement: { same: number[]; own: number[] };
  floor: FloorTimes | null;
  /** The live camera loop with the embedded model (WASM only). */
  live: LiveFigures | null;
  /** The worker's preprocessing of a 640x480 picture to 352x352 (WASM only; warm-up left out). */
  prep: PrepTimes[];
  split: SplitCheckResult | null;
}

/** Null when WebGPU was asked for with `hardwareOnly` and the browser has no hardware adapter. */
export async function runBench(o: BenchOptions): Promise<BenchResult | null> {
  if (!existsSync(path.join(o.dist, 'index.html')))
    throw new Error(`no production build in ${o.dist}: run "vite build" first`);
  const dtype = o.dtype ?? 'fp32';
  const file = dtype === 'q8' ? quantizedName(MODEL_FILE) : MODEL_FILE;
  if (!existsSync(path.join(o.model, file)))
    throw new Error(`no ${file} in ${o.model} (make one with: npx tsx tools/make-clipseg-full.ts)`);
  // Preprocessing depends on the picture and the model's input size only: a tiny CLIPSeg with the
  // same 352 px input keeps its frames from each costing a full-size vision-tower run.
  const prepDir =
    o.prepFrames > 0 && o.ep === 'wasm' ? await mkdtemp(path.join(os.tmpdir(), 'ovseg-prep-')) : null;
  if (prepDir) await writeClipSegBundle(prepDir, { seed: 5, size: 'tiny', q8: false });
  const server = await startBenchServer({
    port: o.port,
    dist: o.dist,
    models: { bench: o.model, ...(prepDir ? { prep: prepDir } : {}) },
    images: images(o.frames),
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // One browser for everything; its fake camera plays the test video when the live loop opens it.
  const browser: Browser = await launchWithCamera();
  const samples = new Map<Key, Sample[]>();
  const firstFrame = new Map<string, number[]>();
  const agree: { own: number[]; same: number[] } = { own: [], same: [] };
  let tjsS1: Sample | null = null;
  const threads = o.threads;
  const add = (k: Key, s: Sample) => (samples.get(k) ?? samples.set(k, []).get(k)!).push(s);
  const wanted = phases(o.frames)
    .map((p) => p.filter((s) => o.scenarios.includes(s.id)))
    .filter((p) => p.length);
  try {
    if (o.ep === 'webgpu') {
      const page = await browser.newPage();
      await page.goto(`${origin}/bench/tjs.html`);
      const info = await page.evaluate(async () => {
        const a = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
        return a
          ? {
              fallback:
                (a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
              d: a.info.description || a.info.vendor,
            }
          : null;
      });
      await page.close();
      if (!info || (info.fallback && o.hardwareOnly)) {
        o.log(
          `WebGPU: ${info ? `only a software adapter (${info.d || 'unnamed'})` : 'no adapter'} in this browser; not measured`,
        );
        return null;
      }
      o.log(
        `WebGPU adapter: ${info.d || 'unnamed'}${info.fallback ? ' (software: figures say little about a GPU)' : ''}`,
      );
    }
    for (let r = 0; r < o.rounds; r++) {
      for (const steps of wanted) {
        const sides: [Side, Rows | 'tjs'][] = [
          [new TjsSide(browser, origin, o.log, 'bench', o.ep, threads, dtype), 'tjs'],
          ...o.rows.map((rows): [Side, Rows] => [
            new AppSide(browser, origin, o.log, `${origin}/models/bench/${MANIFESTS[rows]}`, o.ep, dtype),
            rows,
          ]),
        ];
        // Interleaved: the side that goes first alternates between rounds.
        if (r % 2) sides.reverse();
        for (const [side, mode] of sides) {
          const { loadMs } = await side.open();
          const times: string[] = [];
          let frame = 0;
          for (const st of steps) {
            const s = await side.segment({
              image: st.image,
              classes: st.classes,
              labels: st.labels,
              live: st.live,
            });
            add(`${mode}:${st.id}`, s);
            if (st.id === 'S6' && frame++ === 0)
              (firstFrame.get(mode) ?? firstFrame.set(mode, []).get(mode)!).push(s.wall);
            if (st.id !== 'S6' || frame === o.frames) times.push(`${st.id} ${Math.round(s.wall)}`);
            if (st.id === 'S1' && side.name === 'tjs') tjsS1 = s;
            if (st.id === 'S1' && side.name === 'app' && mode === 'default' && tjsS1) {
              agree.own.push(agreement(s.labels, tjsS1.labels) ?? NaN);
              const same = await side.segment({
                image: st.image,
                classes: st.classes,
                labels: true,
                pixels: tjsS1.pixels,
              });
              agree.same.push(agreement(same.labels, tjsS1.labels) ?? NaN);
            }
          }
          o.log(`round ${r + 1} ${mode}: load ${Math.round(loadMs)} ms; ${times.join(', ')} ms`);
          await side.close();
        }
      }
    }
    let live: LiveFigures | null = null;
    if (o.liveSeconds > 0 && o.ep === 'wasm') {
      o.log('live camera loop, embedded model, WASM...');
      live = await measureLive({
        url: origin,
        ep: 'wasm',
        seconds: o.liveSeconds,
        warmupSeconds: o.liveWarmupSeconds ?? 3,
        browser,
      });
    }
    let combineLine = '';
    if ((o.combineFrames ?? 0) > 0 && o.ep === 'wasm') {
      o.log('query combine against the image model, 640x480 pictures, embedded model, WASM...');
      combineLine = describeCombine(
        await measureQueryCombine({ url: origin, browser, ep: 'wasm', frames: o.combineFrames }),
      );
      o.log(combineLine);
    }
    let prep: PrepTimes[] = [];
    if (prepDir) {
      o.log('preprocessing of a 640x480 picture in the worker...');
      const side = new AppSide(browser, origin, o.log, `${origin}/models/prep/${MANIFESTS.default}`, 'wasm');
      await side.open();
      prep = (await side.preprocessTimes('a', o.prepFrames + 2)).slice(2);
      await side.close();
    }
    await browser.close();
    let split: SplitCheckResult | null = null;
    let floor: FloorTimes | null = null;
    const bytesOf = async (f: string) => new Uint8Array(await readFile(path.join(o.model, f)));
    // The split on the fp32 file: an int8 graph's whole-batch scales make its unsplit logits depend
    // on the batch, which the split (one prompt, one row a run) rightly does not reproduce.
    if (o.splitPrompts > 0) {
      o.log(`split == unsplit in Node, ${o.splitPrompts} prompts...`);
      split = await checkSplit(await bytesOf(MODEL_FILE), threads, o.splitPrompts);
    }
    if (o.floorReps > 0) {
      o.log(`floor in Node (${dtype}, ${o.ep === 'wasm' ? 'WASM' : 'WebGPU through Dawn'})...`);
      // WebGPU's floor in a process of its own: it swaps ORT's build for the rest of a process.
      floor =
        o.ep === 'wasm'
          ? await measureFloor(await bytesOf(file), threads, o.floorReps)
          : await measureFloorApart(path.join(o.model, file), threads, o.floorReps, o.ep).catch(
              (e: Error) => {
                o.log(
                  `no WebGPU floor: Node's WebGPU (Dawn) failed: ${e.message.split('\n').slice(-3).join(' ')}`,
                );
                return null;
              },
            );
    }
    const walls = Object.fromEntries([...samples].map(([k, v]) => [k, v.map((x) => x.wall)]));
    const parts = Object.fromEntries([...samples].map(([k, v]) => [k, medianParts(v.map((x) => x.parts))]));
    return {
      markdown:
        summary({ ...o, dtype }, samples, firstFrame, agree, { floor, live, prep, split }, threads) +
        (combineLine ? `\n\n${combineLine}.\n` : ''),
      walls,
      parts,
      agreement: agree,
      floor,
      live,
      prep,
      split,
    };
  } finally {
    await browser.close().catch(() => undefined);
    server.close();
    if (prepDir) await rm(prepDir, { recursive: true, force: true });
  }
}
