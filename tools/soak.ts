/**
 * Soak test: the webcam (Chromium's fake camera, the generated test video) segmented by the
 * embedded model on WASM for N minutes against the production build; every minute it prints the
 * page's and the worker's JS heap (after a forced GC) and ONNX Runtime's WebAssembly memory, and at
 * the end the growth from minute 2 to the last minute (failing above 5 %).
 *
 *   npm run build && npm run soak -- [--minutes 10] [--port 4180]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/browser';
import { makeY4m } from '../test-support/video/y4m';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const MINUTES = arg('--minutes', 10);
const PORT = arg('--port', 4180);
const MAX_GROWTH = 0.05;
const MB = 2 ** 20;

interface Sample {
  minute: number;
  pageHeap: number;
  workerHeap: number | null;
  wasm: number | null;
  sessions: number;
  buffers: number;
  results: number;
  fps: number;
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no server at ${url}`);
}

/** Sends one CDP command to the engine worker through the browser's target domain. */
class WorkerProbe {
  private next = 1;
  private waiting = new Map<number, (r: unknown) => void>();
  private constructor(
    private cdp: CDPSession,
    private sessionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      if (e.sessionId !== this.sessionId) return;
      const m = JSON.parse(e.message) as { id?: number; result?: unknown };
      if (m.id !== undefined) this.waiting.get(m.id)?.(m.result);
    });
  }

  static async attach(browser: Browser): Promise<WorkerProbe | null> {
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'worker' && t.url.includes('worker'));
    if (!worker) return null;
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: worker.targetId,
      flatten: false,
    });
    return new WorkerProbe(cdp, sessionId);
  }

  send(method: string): Promise<unknown> {
    const id = this.next++;
    const done = new Promise((resolve) => this.waiting.set(id, resolve));
    void this.cdp.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id, method }),
    });
    return Promise.race([done, new Promise((r) => setTimeout(() => r(null), 30_000))]);
  }
}

async function sample(page: Page, cdp: CDPSession, probe: WorkerProbe | null, minute: number) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  let workerHeap: number | null = null;
  if (probe) {
    await probe.send('HeapProfiler.collectGarbage');
    const r = (await probe.send('Runtime.getHeapUsage')) as { usedSize?: number } | null;
    workerHeap = r?.usedSize ?? null;
  }
  const info = await page.evaluate(async () => {
    const hook = window.__ovseg!; // typed by the app's declaration (src/debugApi.ts)
    const c = await hook.counts();
    const fps = Number(document.querySelector('[data-testid=live-stats]')?.getAttribute('data-fps') ?? 0);
    return { ...c, results: hook.store.getState().result?.runs.image ?? 0, fps };
  });
  const s: Sample = {
    minute,
    pageHeap: usedSize,
    workerHeap,
    wasm: info.wasmBytes,
    sessions: info.sessions,
    buffers: info.buffers,
    results: info.results,
    fps: info.fps,
  };
  const mb = (v: number | null) => (v === null ? 'n/a' : `${(v / MB).toFixed(2)} MB`);
  console.log(
    `minute ${minute}: page heap ${mb(s.pageHeap)}, worker heap ${mb(s.workerHeap)}, WASM memory ${mb(s.wasm)}, ` +
      `sessions ${s.sessions}, buffers ${s.buffers}, image runs ${s.results}, ${s.fps.toFixed(2)} fps`,
  );
  return s;
}

async function main(): Promise<number> {
  const dir = path.join(tmpdir(), 'ovseg-soak');
  mkdirSync(dir, { recursive: true });
  const video = path.join(dir, 'moving.y4m');
  writeFileSync(video, makeY4m(false));
  const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], {
    stdio: 'ignore',
    detached: true,
  });
  const origin = `http://localhost:${PORT}`;
  let browser: Browser | null = null;
  try {
    await waitForServer(`${origin}/`);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
        '--use-fake-ui-for-media-stream',
      ],
    });
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    const q = new URLSearchParams({
      ep: 'wasm',
      model: 'embedded',
      debug: '1',
      classes: 'red, blue, black, white',
    });
    await page.goto(`${origin}/?${q}`);
    await page.locator('[data-testid=status][data-state=ready]').waitFor({ timeout: 120_000 });
    await page.getByTestId('webcam-toggle').click();
    await page.getByTestId('live-stats').waitFor({ timeout: 120_000 });
    const cdp = await page.context().newCDPSession(page);
    const probe = await WorkerProbe.attach(browser).catch(() => null);
    console.log(
      `soak: ${MINUTES} min, WASM, embedded model, fake camera; worker heap ${probe ? 'on' : 'n/a'}`,
    );
    const samples: Sample[] = [await sample(page, cdp, probe, 0)];
    const t0 = Date.now();
    for (let m = 1; m <= MINUTES; m++) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + m * 60_000 - Date.now())));
      samples.push(await sample(page, cdp, probe, m));
    }
    const from = samples.find((s) => s.minute === Math.max(0, Math.min(2, MINUTES - 1)))!;
    const to = samples[samples.length - 1]!;
    const growth = (a: number | null, b: number | null) => (a && b !== null ? (b - a) / a : 0);
    const g = {
      'page heap': growth(from.pageHeap, to.pageHeap),
      'worker heap': growth(from.workerHeap, to.workerHeap),
      'WASM memory': growth(from.wasm, to.wasm),
    };
    const line = Object.entries(g)
      .map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`)
      .join(', ');
    console.log(`growth minute ${from.minute} -> ${to.minute}: ${line} (limit ${MAX_GROWTH * 100} %)`);
    if (to.results <= from.results) {
      console.log('FAIL: no frames were segmented during the soak');
      return 1;
    }
    return Object.values(g).every((v) => v <= MAX_GROWTH) ? 0 : 1;
  } finally {
    await browser?.close();
    if (server.pid) process.kill(-server.pid);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
