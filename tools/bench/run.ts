/**
 * The benchmark run: interleaved rounds of transformers.js and the app on the same model file in
 * one headless Chromium, each phase in a fresh context; then the bare parts' floor in Node (ORT WASM,
 * same thread count), the embedded model's live-loop rate, and a Markdown report.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/browser';
import { ort } from '../../src/worker/ortRuntime';
import { timeFloor, type FloorTimes } from '../lib/floor';
import { splitFloorParts } from '../lib/floorParts';
import { configureOrt } from '../lib/nodeEngine';
import { scene } from './inputs';
import { agreement, type Rows, type ScenarioId } from './report';
import { MANIFESTS, startBenchServer } from './server';
import { AppSide, TjsSide, type Ep, type Sample, type Side } from './sides';
import { phases, summary, type Key } from './summary';

export interface BenchOptions {
  model: string;
  rounds: number;
  ep: Ep;
  scenarios: ScenarioId[];
  rows: Rows[];
  /** S6: consecutive frames (10 in the issue's scenario). */
  frames: number;
  threads: number;
  port: number;
  dist: string;
  /** Frames for the embedded model's live-loop rate (0: skip). */
  liveFrames: number;
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
  for (let i = 0; i < 4; i++) m.set(`small${i}`, scene(320, 240, 5, i));
  return m;
}

export interface BenchResult {
  markdown: string;
  /** Wall times (ms) by side and rows (`tjs`, `default`, `names`) and scenario. */
  walls: Record<string, number[]>;
  /** S1 label-map agreement with transformers.js: same pixel values, and each side's own preprocessing. */
  agreement: { same: number[]; own: number[] };
  floor: FloorTimes | null;
  /** Embedded model's live frames (ms each, the first left out). */
  live: number[];
}

/** Null when WebGPU was asked for with `hardwareOnly` and the browser has no hardware adapter. */
export async function runBench(o: BenchOptions): Promise<BenchResult | null> {
  if (!existsSync(path.join(o.dist, 'index.html')))
    throw new Error(`no production build in ${o.dist}: run "vite build" first`);
  if (!existsSync(path.join(o.model, 'onnx/model.onnx')))
    throw new Error(`no onnx/model.onnx in ${o.model} (make one with: npx tsx tools/make-clipseg-full.ts)`);
  const server = await startBenchServer({
    port: o.port,
    dist: o.dist,
    models: { bench: o.model },
    images: images(o.frames),
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
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
          [new TjsSide(browser, origin, o.log, 'bench', o.ep, threads), 'tjs'],
          ...o.rows.map((rows): [Side, Rows] => [
            new AppSide(browser, origin, o.log, `${origin}/models/bench/${MANIFESTS[rows]}`, o.ep),
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
    let live: number[] = [];
    if (o.liveFrames > 0 && o.ep === 'wasm') live = await liveRate(browser, origin, o);
    await browser.close();
    let floor: FloorTimes | null = null;
    if (o.floorReps > 0) floor = await measureFloor(o);
    const walls = Object.fromEntries([...samples].map(([k, v]) => [k, v.map((x) => x.wall)]));
    return {
      markdown: summary(o, samples, firstFrame, agree, floor, live, threads),
      walls,
      agreement: agree,
      floor,
      live,
    };
  } finally {
    await browser.close().catch(() => undefined);
    server.close();
  }
}

/** The embedded model's live loop at 320x240: frames back to back through the app's engine client. */
async function liveRate(browser: Browser, origin: string, o: BenchOptions): Promise<number[]> {
  const side = new AppSide(browser, origin, o.log, 'embedded', 'wasm');
  await side.open();
  const classes = ['red', 'green', 'blue', 'sky', 'grass'].map((n) => ({ label: n, names: [n] }));
  const walls: number[] = [];
  for (let i = 0; i < o.liveFrames; i++)
    walls.push((await side.segment({ image: `small${i % 4}`, classes, live: true })).wall);
  await side.close();
  return walls.slice(1);
}

async function measureFloor(o: BenchOptions): Promise<FloorTimes> {
  configureOrt();
  ort.env.wasm.numThreads = o.threads;
  const parts = await splitFloorParts(new Uint8Array(await readFile(path.join(o.model, 'onnx/model.onnx'))));
  try {
    return await timeFloor(parts, o.floorReps);
  } finally {
    await parts.release?.();
  }
}
