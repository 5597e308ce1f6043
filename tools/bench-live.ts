/**
 * Live (webcam) frame rate of the built app, in headless Chromium with a fake camera playing the
 * generated test video (320x240, tools/make-test-video.ts):
 *   npx tsx tools/bench-live.ts [--url http://localhost:4173] [--ep wasm|webgpu] [--seconds 10]
 *     [--model embedded] [--classes "red, blue, black, white"] [--combine-frames 7]
 * The app must be served already (`npm start`, or `vite preview` of a build). Prints the frames a
 * second (results the page received, counted over the window after a warm-up) and the median of
 * each stage the worker timed, then the query combine against the image model on 640x480 pictures
 * (tools/bench/queryCombine.ts; `--combine-frames 0` skips it). `measureLive` is the same, for other
 * scripts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { benchContext } from './bench/benchContext';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/browser';
import { makeY4m } from '../test-support/video/y4m';
import { describeCombine, measureQueryCombine } from './bench/queryCombine';

export interface LiveFigures {
  ep: string;
  fps: number;
  /** Frames a second the camera delivered to the page meanwhile. */
  cameraFps: number;
  frames: number;
  /**
   * Median milliseconds per frame: grabbing the video frame (page), the worker's stages, the page's
   * frame-to-result latency, and the time between two results (1000 / fps).
   */
  median: {
    capture: number;
    preprocess: number;
    image: number;
    combine: number;
    render: number;
    total: number;
    latency: number;
    interval: number;
  };
  /** What the app itself shows (its rate over the last few frames). */
  shown: string;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};

/**
 * Headless Chromium whose fake camera plays the generated test video (320x240). The test video says
 * 10 frames a second; the camera plays it at 30 so that it does not cap the rate. The benchmark
 * launches its one browser with this too (the camera is only opened when a page asks for it).
 */
export async function launchWithCamera(): Promise<Browser> {
  const dir = path.join(tmpdir(), 'ovseg-bench-live');
  mkdirSync(dir, { recursive: true });
  const video = path.join(dir, 'moving.y4m');
  const y4m = makeY4m(false);
  const header = y4m.indexOf(0x0a);
  writeFileSync(
    video,
    Buffer.concat([
      Buffer.from(
        y4m
          .subarray(0, header)
          .toString()
          .replace(/ F\d+:\d+/, ' F30:1'),
      ),
      y4m.subarray(header),
    ]),
  );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      '--use-fake-ui-for-media-stream',
    ],
  });
}

export async function measureLive(o: {
  url: string;
  ep?: 'wasm' | 'webgpu';
  seconds?: number;
  warmupSeconds?: number;
  /**
   * Results to collect at least: the window is stretched until this many have arrived, so a
   * machine slowed by other work gives a longer run, never a run with too few frames to rate.
   */
  minFrames?: number;
  model?: string;
  /** Variant of a manifest model (`?dtype=`; the app picks one by adapter when absent). */
  dtype?: string;
  classes?: string;
  /** A browser from `launchWithCamera` (kept open); without one, a browser is launched and closed. */
  browser?: Browser;
}): Promise<LiveFigures> {
  const browser = o.browser ?? (await launchWithCamera());
  const context = await benchContext(browser);
  try {
    const page = await context.newPage();
    const ep = o.ep ?? 'wasm';
    const q = new URLSearchParams({
      ep,
      model: o.model ?? 'embedded',
      classes: o.classes ?? 'red, blue, black, white',
      debug: '1', // exposes the store the figures are read from (no other effect)
    });
    if (o.dtype) q.set('dtype', o.dtype);
    await page.goto(`${o.url.replace(/\/$/, '')}/?${q}`);
    await page.locator('[data-testid=status][data-state=ready]').waitFor({ timeout: 120_000 });
    await page.getByTestId('webcam-toggle').click();
    await page.getByTestId('live-stats').waitFor({ timeout: 120_000 });
    const seconds = o.seconds ?? 10;
    const warmup = o.warmupSeconds ?? 3;
    const minFrames = o.minFrames ?? 2;
    // The camera's own rate (frames the video element presents) caps the live rate. A string reaches
    // the page as written, untyped (the page's `window` has no such field).
    await page.evaluate(`(() => {
      const v = document.querySelector('[data-testid=video]');
      window.__benchFrames = 0;
      const count = () => { window.__benchFrames++; v.requestVideoFrameCallback(count); };
      v.requestVideoFrameCallback(count);
    })()`);
    const framesBefore = Number(await page.evaluate('window.__benchFrames'));
    const measureStart = performance.now();
    const samples = await page.evaluate(
      async ({ seconds, warmup, minFrames }) => {
        type T = { preprocess: number; image: number; combine: number; render?: number; total?: number };
        // The app's debug hook, typed by its declaration (src/debugApi.ts).
        const store = window.__ovseg!.store;
        await new Promise((r) => setTimeout(r, warmup * 1000));
        const out: { t: number; timings: T; latency: number; capture: number }[] = [];
        let enough: () => void = () => undefined;
        const collected = new Promise<void>((r) => (enough = r));
        const stop = store.subscribe((s, p) => {
          if (s.result && s.result !== p.result && s.liveStats) {
            out.push({
              t: performance.now(),
              timings: s.result.timings,
              latency: s.liveStats.latencyMs,
              capture: s.liveStats.captureMs,
            });
            if (out.length >= minFrames) enough();
          }
        });
        // The window, then as long as it takes to have `minFrames` results (event-driven).
        await Promise.all([new Promise((r) => setTimeout(r, seconds * 1000)), collected]);
        stop();
        return out;
      },
      { seconds, warmup, minFrames },
    );
    const cameraFps =
      (Number(await page.evaluate('window.__benchFrames')) - framesBefore) /
      ((performance.now() - measureStart) / 1000);
    const shown = (await page.getByTestId('live-stats').textContent()) ?? '';
    await page.getByTestId('webcam-toggle').click();
    const span = samples.length > 1 ? (samples.at(-1)!.t - samples[0]!.t) / 1000 : NaN;
    const pick = (f: (s: (typeof samples)[number]) => number) => median(samples.map(f));
    return {
      ep,
      fps: (samples.length - 1) / span,
      cameraFps,
      frames: samples.length,
      median: {
        capture: pick((s) => s.capture),
        preprocess: pick((s) => s.timings.preprocess),
        image: pick((s) => s.timings.image),
        combine: pick((s) => s.timings.combine),
        render: pick((s) => s.timings.render ?? 0),
        total: pick((s) => s.timings.total ?? 0),
        latency: pick((s) => s.latency),
        interval: median(samples.slice(1).map((s, i) => s.t - samples[i]!.t)),
      },
      shown,
    };
  } finally {
    await context.close();
    if (!o.browser) await browser.close();
  }
}

/** One line: frames a second and each stage's median. */
export function describeLive(f: LiveFigures): string {
  const m = f.median;
  const r = (v: number) => v.toFixed(1);
  return (
    `live ${f.ep} 320x240: ${f.fps.toFixed(1)} fps over ${f.frames} frames (camera ${f.cameraFps.toFixed(1)} fps); median ms: capture ${r(m.capture)}, preprocess ${r(m.preprocess)}, ` +
    `image model ${r(m.image)}, combine ${r(m.combine)}, render ${r(m.render)}, worker total ${r(m.total)}, ` +
    `frame to result ${r(m.latency)}, between results ${r(m.interval)}`
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const f = await measureLive({
    url: arg('url') ?? 'http://localhost:4173',
    ep: (arg('ep') as 'wasm' | 'webgpu' | undefined) ?? 'wasm',
    seconds: Number(arg('seconds') ?? 10),
    model: arg('model'),
    classes: arg('classes'),
  });
  console.log(describeLive(f));
  console.log(`app shows: ${f.shown}`);
  const frames = Number(arg('combine-frames') ?? 7);
  if (frames > 0) {
    const browser = await launchWithCamera();
    try {
      const url = arg('url') ?? 'http://localhost:4173';
      const ep = (arg('ep') as 'wasm' | 'webgpu' | undefined) ?? 'wasm';
      console.log(describeCombine(await measureQueryCombine({ url, browser, ep, frames })));
    } finally {
      await browser.close();
    }
  }
}
