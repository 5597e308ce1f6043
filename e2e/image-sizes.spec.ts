/**
 * Every image format is sized before it is decoded (issue 18, item 8). A file declares its size in a
 * few bytes: a 32-byte lossless WebP that declares 16383×16383 decodes for real, taking seconds and
 * over a gigabyte. Each format's tiny file declaring a huge size must be refused with a message
 * before any decoding (the browser's memory stays flat); small files of the same formats must still
 * open at their size; a file whose size cannot be read is decoded under a deadline in a worker of
 * its own, and the memory comes back.
 */
import type { Page } from '@playwright/test';
import { expect, onlyOnWasm, test } from './support/fixtures';
import type { AppPage } from './support/app';
import { browserRss, settledRss, CHROMIUM_MEMORY_ARGS } from './support/memory';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/browser';
import { shapesScene, toPng } from './support/images';
import {
  avifHeader,
  bmpFile,
  gifFile,
  icoFile,
  jpegHeader,
  pngFile,
  pngHeader,
  webpExtended,
  webpLossless,
  webpLossyHeader,
} from '../test-support/imageFiles';

test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...CHROMIUM_MEMORY_ARGS] },
});

const REFUSED_BEFORE_ENGINE =
  'the file is refused or decoded before any model runs, so the backend makes no difference; the WASM project covers it';
const MB = 1e6;

/** Hostile files: each declares far more than the 134 megapixels a picture may have. */
const HUGE: { name: string; bytes: Uint8Array; type: string; size: string }[] = [
  { name: 'ihdr.png', bytes: pngHeader(100_000, 90_000), type: 'image/png', size: '100000×90000' },
  { name: 'sof.jpg', bytes: jpegHeader(65_535, 40_000), type: 'image/jpeg', size: '65535×40000' },
  {
    name: 'screen.gif',
    bytes: gifFile({ screen: [65_535, 65_535], frame: [1, 1] }),
    type: 'image/gif',
    size: '65535×65535',
  },
  // The screen is 1×1; the frame (real data, 55 kB) grows it, as browsers do.
  {
    name: 'frame.gif',
    bytes: gifFile({ screen: [1, 1], frame: [16_000, 16_000] }),
    type: 'image/gif',
    size: '16000×16000',
  },
  { name: 'dib.bmp', bytes: bmpFile(50_000, 30_000, true), type: 'image/bmp', size: '50000×30000' },
  // 32 bytes that a browser decodes at 16383×16383 (about 11 s and 1 GB here without the check).
  { name: 'vp8l.webp', bytes: webpLossless(16_383, 16_383), type: 'image/webp', size: '16383×16383' },
  { name: 'vp8.webp', bytes: webpLossyHeader(16_383, 12_000), type: 'image/webp', size: '16383×12000' },
  { name: 'vp8x.webp', bytes: webpExtended([1 << 20, 300]), type: 'image/webp', size: '1048576×300' },
  {
    name: 'inner.webp',
    bytes: webpExtended([16, 16], [16_383, 16_383]),
    type: 'image/webp',
    size: '16383×16383',
  },
  {
    name: 'png-inside.ico',
    bytes: icoFile([16, 16], pngHeader(60_000, 60_000)),
    type: 'image/x-icon',
    size: '60000×60000',
  },
  {
    name: 'ispe.avif',
    bytes: avifHeader([64, 64], [65_536, 40_000]),
    type: 'image/avif',
    size: '65536×40000',
  },
];

/** The largest RSS of the browser's processes while `work` runs, sampled every 50 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ peak: number; result: T }> {
  let peak = browserRss();
  const timer = setInterval(() => (peak = Math.max(peak, browserRss())), 50);
  try {
    const result = await work();
    return { peak: Math.max(peak, browserRss()), result };
  } finally {
    clearInterval(timer);
  }
}

async function stillWorks(app: AppPage): Promise<void> {
  await app.setClasses('red, blue, green, yellow');
  await app.segmentImage(toPng(shapesScene(160, 128, 5)), `good-${Date.now()}.png`);
  await app.waitForResult(['red', 'blue', 'green', 'yellow']);
}

/** Drops a file and waits for the error naming it; the message is closed after. */
async function refusal(app: AppPage, f: { name: string; bytes: Uint8Array; type: string }): Promise<string> {
  await app.dropImage(Buffer.from(f.bytes), f.name, f.type);
  const notice = app.notices.filter({ hasText: `"${f.name}"` });
  await expect(notice).toHaveCount(1, { timeout: app.slow });
  const text = (await notice.textContent()) ?? '';
  await notice.getByRole('button', { name: 'Dismiss this message' }).click();
  return text;
}

const canvasWebp = (page: Page, w: number, h: number) =>
  page.evaluate(
    async ([w, h]) => {
      const c = new OffscreenCanvas(w!, h!);
      const g = c.getContext('2d')!;
      g.fillStyle = 'rgb(30, 60, 220)';
      g.fillRect(0, 0, w!, h!);
      const blob = await c.convertToBlob({ type: 'image/webp', quality: 0.8 });
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    },
    [w, h],
  );

test('a tiny file declaring a huge size, in every format, is refused before decoding', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
  await app.open({ classes: 'red, blue', debug: true });
  const before = await settledRss(page);
  const { peak } = await peakRss(async () => {
    for (const f of HUGE) {
      const text = await refusal(app, f);
      expect(text, f.name).toContain(`declares ${f.size} pixels`);
      expect(text, f.name).toContain('at most 134 megapixels');
      // Nothing is decoding: the page is ready at once.
      await expect(app.statusBar.ready).toBeVisible();
    }
  });
  const after = await settledRss(page);
  console.log(
    `[image-sizes] ${HUGE.length} hostile headers: browser RSS ${(before / MB).toFixed(0)} MB before, ` +
      `peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)}), after ${(after / MB).toFixed(0)} MB`,
  );
  // Decoding the smallest of them would take 1 GB; the whole run stays within page noise.
  expect(peak - before).toBeLessThan(250 * MB);
  await stillWorks(app);
});

test('small files of the same formats open at their own size and are segmented', async ({ app, page }) => {
  onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
  await app.open({ classes: 'red, green, blue' });
  const files: { name: string; bytes: Uint8Array; type: string; w: number; h: number }[] = [
    { name: 'small-vp8l.webp', bytes: webpLossless(96, 64), type: 'image/webp', w: 96, h: 64 },
    { name: 'small-vp8x.webp', bytes: webpExtended([80, 60]), type: 'image/webp', w: 80, h: 60 },
    {
      name: 'small-vp8.webp',
      bytes: new Uint8Array(await canvasWebp(page, 120, 90)),
      type: 'image/webp',
      w: 120,
      h: 90,
    },
    { name: 'small.gif', bytes: gifFile({ screen: [70, 50] }), type: 'image/gif', w: 70, h: 50 },
    { name: 'small.bmp', bytes: bmpFile(66, 44), type: 'image/bmp', w: 66, h: 44 },
    { name: 'small.ico', bytes: icoFile([48, 48], pngFile(48, 48)), type: 'image/x-icon', w: 48, h: 48 },
  ];
  for (const f of files) {
    await app.segmentImage(Buffer.from(f.bytes), f.name, f.type);
    expect(await app.overlaySize(), f.name).toEqual({ width: f.w, height: f.h });
  }
  await expect(app.notices.filter({ hasText: /could not|declares/ })).toHaveCount(0);
});

test('a size hidden past what the page reads: decoded in its own worker, stopped or refused, memory back', async ({
  app,
  page,
  debug,
}) => {
  onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
  await app.open({ classes: 'green', debug: true });
  // 17 MB of comment blocks before the frame: past the 16 MB a header may make the page read.
  const hidden = (frame: [number, number]) =>
    Buffer.from(gifFile({ screen: [1, 1], frame, padding: 17_000_000 }));

  // A picture of an allowed size still opens (decoded whole, then measured).
  await app.segmentImage(hidden([300, 200]), 'hidden-small.gif', 'image/gif');
  expect(await app.overlaySize()).toEqual({ width: 300, height: 200 });
  const before = await settledRss(page);

  // 144 megapixels behind the padding: decoded in the worker, measured, refused; the worker's memory goes.
  await debug.run((api, ms) => api.setImageDecodeMs(ms), 30 * app.slow);
  const { peak } = await peakRss(() =>
    refusal(app, { name: 'hidden-huge.gif', bytes: hidden([12_000, 12_000]), type: 'image/gif' }).then(
      (text) => expect(text).toContain('has 12000×12000 pixels'),
    ),
  );
  const hugeMs = (await debug.run((api) => api.lastImageDecodeMs()))!;
  const afterDecode = await settledRss(page);

  // The same under a deadline of a fifth of that decode's measured time: stopped, said, memory back.
  const deadline = Math.max(1, Math.round(hugeMs / 5));
  await debug.run((api, ms) => api.setImageDecodeMs(ms), deadline);
  const text = await refusal(app, {
    name: 'hidden-slow.gif',
    bytes: hidden([12_000, 12_000]),
    type: 'image/gif',
  });
  expect(text).toContain('was still decoding after');
  const afterStop = await settledRss(page);
  console.log(
    `[image-sizes] hidden 12000×12000 GIF: RSS ${(before / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB ` +
      `while decoding in its worker, ${(afterDecode / MB).toFixed(0)} MB after the refusal, ` +
      `${(afterStop / MB).toFixed(0)} MB after a decode stopped at ${deadline} ms (the whole decode took ${Math.round(hugeMs)} ms)`,
  );
  expect(afterDecode - before).toBeLessThan(150 * MB);
  expect(afterStop - before).toBeLessThan(150 * MB);
  await stillWorks(app);
});
