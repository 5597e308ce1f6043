/**
 * Preprocessing parity in the browser: the worker's model input from a picture file equals the
 * reference processors' (the golden pixel_values), a webcam-sized frame is resized fast enough, and
 * the page and the command line label the same PNG file identically.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decode } from 'fast-png';
import type { Page } from '@playwright/test';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { maxAbsDiff } from './support/metrics';
import { FIXTURE_ORIGIN } from './support/ports';

const root = new URL('../', import.meta.url);
const file = (rel: string) => readFileSync(new URL(rel, root));
const f32 = (rel: string) => {
  const b = file(rel);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

const FIXTURES = [
  {
    name: 'clipseg-tiny',
    classes: 'a red disc, a blue rectangle, grass',
    labels: ['a red disc', 'a blue rectangle', 'grass'],
  },
  {
    name: 'query-ovseg-tiny',
    classes: 'red disc | red circle, blue rectangle',
    labels: ['red disc', 'blue rectangle'],
  },
] as const;

/** The model input of the page's current image (debug output of the worker), read back as floats. */
async function pixelValues(page: Page): Promise<Float32Array> {
  const b64 = await page.evaluate(async () => {
    const hook = window.__ovseg;
    if (!hook) return 'error: no debug hook';
    const r = await hook.controller.run(true);
    const px = r?.debug?.pixelValues;
    if (!px) return 'error: no pixel values in the debug output';
    let s = '';
    const bytes = new Uint8Array(px.buffer, px.byteOffset, px.byteLength);
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  if (b64.startsWith('error: ')) throw new Error(b64.slice(7));
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

for (const fx of FIXTURES) {
  test(`from ${fx.name}/image.png the worker feeds the model the golden pixel_values`, async ({
    app,
    page,
  }) => {
    await app.open({
      model: `${FIXTURE_ORIGIN}/${fx.name}/ovseg.json`,
      dtype: 'fp32',
      debug: true,
      classes: fx.classes,
    });
    await app.segmentImage(file(`fixtures/${fx.name}/image.png`), 'image.png');
    await app.waitForResult([...fx.labels]);
    const px = await pixelValues(page);
    const golden = f32(`fixtures/${fx.name}/pixel_values.bin`);
    expect(px.length).toBe(golden.length);
    const diff = maxAbsDiff(px, golden);
    console.log(`[preprocess ${app.ep}] ${fx.name}: pixel_values max abs diff ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });
}

const run = promisify(execFile);

/** Runs the command line on a file and returns its label map PNG's pixels. */
async function cli(args: string[]): Promise<{ width: number; height: number; data: ArrayLike<number> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ovseg-cli-'));
  try {
    const out = path.join(dir, 'labels.png');
    const tsx = path.join(root.pathname, 'node_modules/tsx/dist/cli.mjs');
    await run(process.execPath, [tsx, 'tools/segment.ts', ...args, '--out', out], { cwd: root.pathname });
    const png = decode(readFileSync(out));
    return { width: png.width, height: png.height, data: png.data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PARITY = [
  {
    what: 'the embedded model',
    open: { model: 'embedded' },
    cli: ['--model', 'public/models/colours'],
    classes: 'red, blue, green | grass, white',
    labels: ['red', 'blue', 'green', 'white'],
  },
  {
    what: 'the clipseg-tiny fixture',
    open: { model: `${FIXTURE_ORIGIN}/clipseg-tiny/ovseg.json`, dtype: 'fp32' },
    cli: ['--model', 'fixtures/clipseg-tiny', '--dtype', 'fp32'],
    classes: FIXTURES[0].classes,
    labels: [...FIXTURES[0].labels],
  },
];

for (const p of PARITY) {
  test(`the page and the command line label the same PNG identically (${p.what})`, async ({ app, page }) => {
    onlyOnWasm(app.ep, 'the command line runs on WASM: the same backend is compared');
    // PNG: its decoding is exact everywhere (JPEG decoders may differ by one grey level).
    const image = 'fixtures/clipseg-tiny/image.png';
    await app.open({ ...p.open, classes: p.classes });
    await app.segmentImage(file(image), 'image.png');
    await app.waitForResult(p.labels);
    const threshold = await page.getByTestId('threshold').inputValue();
    const browser = (await app.exportLabelMap()).png;
    const node = await cli([...p.cli, '--image', image, '--classes', p.classes, '--threshold', threshold]);
    expect([browser.width, browser.height]).toEqual([node.width, node.height]);
    let differ = 0;
    for (let i = 0; i < node.data.length; i++) if (browser.data[i] !== node.data[i]) differ++;
    console.log(
      `[preprocess ${app.ep}] ${p.what}: ${differ} of ${node.data.length} labels differ (threshold ${threshold})`,
    );
    expect(differ, 'pixels the page and the command line label differently').toBe(0);
  });
}
