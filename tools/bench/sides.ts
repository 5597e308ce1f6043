/**
 * The two sides of the benchmark, each in its own fresh browser context (empty caches, fresh
 * runtime): transformers.js on its page, and the app's production build driving its own engine
 * worker through the page's debug hook (`?debug` exposes the controller and its engine client).
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { benchContext } from './benchContext';
import type { BenchClass } from './inputs';

import type { Ep } from '../../src/shared/protocol';

export type { Ep };
/** The model variant both sides load: the fp32 file, or its dynamic-int8 `_quantized` one. */
export type BenchDtype = 'fp32' | 'q8';

export interface Sample {
  /** Request to label map, ms. */
  wall: number;
  /** Per-part times (app: preprocess/text/image/combine from the engine; tjs: pre/model/post). */
  parts: Record<string, number>;
  /** App only: the engine's counters (since load) after this request. */
  runs?: EngineRuns;
  /**
   * App only: prompts this request's vocabulary encoded (the worker's answer to it; 0 when the
   * vocabulary was already there). Not a counter difference: the app sends its own start-up
   * vocabulary after a load, which is not the scenario's work.
   */
  encoded?: number;
  /** App only: what this request ran (counters' growth since the page's previous request). */
  work?: { vision?: number; decoderRows?: number; prompts: number };
  /** With `labels`: label map at the model's resolution, class + 1, base64 bytes. */
  labels?: string;
  pixels?: string;
}

export interface EngineRuns {
  image: number;
  text: number;
  promptsEncoded: number;
  vision?: number | undefined;
  decoderRows?: number | undefined;
  bytesReadBack?: number | undefined;
}

/** Preprocessing of one picture in the worker (`debug.preprocessMs`), ms. */
export interface PrepTimes {
  read: number;
  resize: number;
}

export interface SegmentArgs {
  image: string;
  classes: readonly BenchClass[];
  /** Return the label map at the model's resolution (and, tjs, the pixel values it fed). */
  labels?: boolean;
  /** App only: a video frame (the live path: no overlay kept between frames, smoothing 0). */
  live?: boolean;
  /** App only: these pixel values (base64 float32 at the model's input size) instead of the picture. */
  pixels?: string;
}

export interface Side {
  readonly name: 'tjs' | 'app';
  open(): Promise<{ loadMs: number }>;
  segment(a: SegmentArgs): Promise<Sample>;
  close(): Promise<void>;
}

abstract class PageSide {
  abstract readonly name: string;
  protected context: BrowserContext | null = null;
  protected page: Page | null = null;
  constructor(
    protected browser: Browser,
    protected origin: string,
    protected log: (line: string) => void,
  ) {}

  protected async fresh(): Promise<Page> {
    await this.close();
    this.context = await benchContext(this.browser);
    this.page = await this.context.newPage();
    this.page.on('console', (m) => {
      // Missing optional files (transformers.js probes some) show as responses below, with their URL.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        this.log(`  [page error] ${m.text()}`);
    });
    this.page.on('response', (r) => {
      if (r.status() >= 400) this.log(`  [${this.name}] HTTP ${r.status()} ${new URL(r.url()).pathname}`);
    });
    this.page.on('pageerror', (e) => this.log(`  [page exception] ${e.message}`));
    return this.page;
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = null;
    this.page = null;
  }
}

export class TjsSide extends PageSide implements Side {
  readonly name = 'tjs' as const;
  constructor(
    browser: Browser,
    origin: string,
    log: (line: string) => void,
    private model: string,
    private ep: Ep,
    private threads: number,
    private dtype: BenchDtype = 'fp32',
  ) {
    super(browser, origin, log);
  }

  async open() {
    const page = await this.fresh();
    await page.goto(`${this.origin}/bench/tjs.html?threads=${this.threads}`);
    await page.waitForFunction(() => 'bench' in window, null, { timeout: 60_000 });
    return page.evaluate(
      ([m, ep, dtype]) =>
        (
          window as unknown as {
            bench: { load(m: string, d: string, t: string): Promise<{ loadMs: number }> };
          }
        ).bench.load(m, ep, dtype),
      [this.model, this.ep, this.dtype] as const,
    );
  }

  async segment(a: SegmentArgs): Promise<Sample> {
    const url = `${this.origin}/img/${a.image}.png`;
    return this.page!.evaluate(
      async ({ url, classes, labels }) => {
        const b = (
          window as unknown as {
            bench: { image(u: string): Promise<void>; segment(...x: unknown[]): Promise<Sample> };
          }
        ).bench;
        await b.image(url);
        return b.segment(url, classes, { labels });
      },
      { url, classes: a.classes as BenchClass[], labels: !!a.labels },
    );
  }
}

export class AppSide extends PageSide implements Side {
  readonly name = 'app' as const;
  /** Counters after the page's previous request (they count from the end of the warm-up). */
  private lastRuns: EngineRuns | null = null;
  /** The picture the engine holds (as the app's controller does, a picture is only sent when new). */
  private lastImage: string | null = null;
  constructor(
    browser: Browser,
    origin: string,
    log: (line: string) => void,
    /** The model: a manifest URL, or "embedded". */
    private model: string,
    private ep: Ep,
    private dtype: BenchDtype = 'fp32',
  ) {
    super(browser, origin, log);
  }

  async open() {
    const page = await this.fresh();
    // The app encodes its vocabulary as soon as a model is loaded: a word no scenario uses, so that
    // start-up encoding neither caches a scenario's prompts nor counts as its work.
    const q = new URLSearchParams({ debug: '1', ep: this.ep, model: this.model, classes: 'zqxbench' });
    if (this.model !== 'embedded') q.set('dtype', this.dtype);
    const t0 = Date.now();
    this.lastRuns = null;
    this.lastImage = null;
    await page.goto(`${this.origin}/?${q}`);
    await page.locator('[data-testid=status][data-state=ready]').waitFor({ timeout: 15 * 60_000 });
    const backend = await page.getByTestId('status').getAttribute('data-backend');
    if (backend !== this.ep) throw new Error(`the app runs on ${backend}, not ${this.ep}`);
    return { loadMs: Date.now() - t0 };
  }

  async segment(a: SegmentArgs): Promise<Sample> {
    // Video frames are always sent; ready pixel values replace whatever the engine held.
    const keep = !a.live && !a.pixels && a.image === this.lastImage;
    this.lastImage = a.pixels ? null : a.image;
    const s = await this.request(a, keep);
    const [now, before] = [s.runs, this.lastRuns];
    if (now) {
      const grew = (k: 'vision' | 'decoderRows') =>
        now[k] === undefined ? undefined : now[k] - (before?.[k] ?? 0);
      s.work = {
        vision: grew('vision'),
        decoderRows: grew('decoderRows'),
        prompts: s.encoded ?? now.promptsEncoded - (before?.promptsEncoded ?? 0),
      };
      this.lastRuns = now;
    }
    return s;
  }

  /**
   * The worker's preprocessing of one picture, `frames` times (a new bitmap each time, as the frame
   * loop transfers one per video frame): `debug.preprocessMs` of each request.
   */
  async preprocessTimes(image: string, frames: number): Promise<PrepTimes[]> {
    const url = `${this.origin}/img/${image}.png`;
    return this.page!.evaluate(
      async ({ url, frames }) => {
        const w = window as Window & { __benchVocab?: string };
        const client = window.__ovseg!.controller.client; // typed by src/debugApi.ts
        const blob = await (await fetch(url)).blob();
        const out: PrepTimes[] = [];
        await client.setVocabulary({ classes: [{ label: 'thing', names: ['thing'] }] });
        delete w.__benchVocab; // the next segment() sends its own vocabulary again
        for (let i = 0; i < frames; i++) {
          const r = await client.segment({
            bitmap: await createImageBitmap(blob),
            threshold: 0,
            debug: true,
          });
          r.overlay?.close();
          if (!r.debug?.preprocessMs) throw new Error('no preprocessing times in the debug output');
          out.push(r.debug.preprocessMs);
        }
        return out;
      },
      { url, frames },
    );
  }

  private request(a: SegmentArgs, keep: boolean): Promise<Sample> {
    const url = `${this.origin}/img/${a.image}.png`;
    return this.page!.evaluate(
      async ({ url, classes, labels, live, pixels, keep }) => {
        const w = window as Window & { __blobs?: Map<string, Blob>; __benchVocab?: string };
        const client = window.__ovseg!.controller.client; // typed by src/debugApi.ts
        const blobs = (w.__blobs ??= new Map());
        if (!blobs.has(url)) blobs.set(url, await (await fetch(url)).blob());
        let px: { data: Float32Array; width: number; height: number } | undefined;
        if (pixels) {
          const bin = atob(pixels);
          const bytes = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
          const data = new Float32Array(bytes.buffer);
          const side = Math.round(Math.sqrt(data.length / 3));
          px = { data, width: side, height: side };
        }
        // Ready pixel values replace the picture (diagnostics: both sides fed the very same input).
        const bitmap = px || keep ? undefined : await createImageBitmap(blobs.get(url)!);
        const t0 = performance.now();
        // The vocabulary travels on its own request, sent (as the app does) only when it changes.
        const vocab = classes.map((c) => ({ label: c.label, names: c.names }));
        const key = JSON.stringify(vocab);
        let encoded = 0;
        if (w.__benchVocab !== key) {
          encoded = (await client.setVocabulary({ classes: vocab })).encoded;
          w.__benchVocab = key;
        }
        const r = await client.segment({
          bitmap,
          threshold: 0,
          debug: labels,
          ...(live ? { live: { smoothing: 0 } } : {}),
          ...(px ? { pixels: px } : {}),
        });
        const wall = performance.now() - t0;
        r.overlay?.close();
        // A family's own counters (vision runs, decoder rows) sit under its id: whichever family it is.
        const own = Object.values(r.stats ?? {})[0] as Partial<EngineRuns> | undefined;
        const runs: EngineRuns = {
          ...r.runs,
          vision: own?.vision,
          decoderRows: own?.decoderRows,
          bytesReadBack: own?.bytesReadBack,
        };
        const out: Sample = { wall, parts: { ...r.timings }, runs, encoded };
        const cl = r.debug?.dense?.classLogits;
        if (labels && cl) {
          const C = classes.length;
          const P = cl.length / C;
          const lab = new Uint8Array(P);
          for (let p = 0; p < P; p++) {
            let best = 0;
            for (let k = 1; k < C; k++) if (cl[k * P + p]! > cl[best * P + p]!) best = k;
            lab[p] = Math.min(255, best + 1);
          }
          let s = '';
          for (let i = 0; i < lab.length; i += 0x8000)
            s += String.fromCharCode(...lab.subarray(i, i + 0x8000));
          out.labels = btoa(s);
        }
        return out;
      },
      { url, classes: a.classes as BenchClass[], labels: !!a.labels, live: !!a.live, pixels: a.pixels, keep },
    );
  }
}
