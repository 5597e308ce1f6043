/**
 * Browsers with Chromium's fake camera fed from a generated Y4M video (tools/make-test-video.ts),
 * and readers for the live result the app shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { makeY4m } from '../../test-support/video/y4m';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import { APP_ORIGIN } from './ports';
import { readBarcode, paintAt, WIDTH, HEIGHT, type Paint } from '../../test-support/video/scene';

// Outside test-results/: Playwright clears that folder while runs start.
const DIR = path.join(tmpdir(), 'ovseg-e2e-camera');

export type Scene = 'moving' | 'still';

function videoFile(scene: Scene): string {
  mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, `${scene}.y4m`);
  writeFileSync(file, makeY4m(scene === 'still'));
  return file;
}

/**
 * Options for a page of a camera browser: playwright.config.ts's `use` does not reach a browser a spec
 * launches itself, so its service workers are blocked here as the config blocks them elsewhere.
 */
export const CAMERA_PAGE = { baseURL: APP_ORIGIN, serviceWorkers: 'block' } as const;

/** A browser whose camera shows `scene`; `allow: false` leaves the permission prompt unanswered (denied). */
export async function cameraBrowser(scene: Scene, allow = true): Promise<Browser> {
  const args = [
    ...CHROMIUM_ARGS,
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${videoFile(scene)}`,
  ];
  args.push(allow ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

export interface LiveFrame {
  width: number;
  height: number;
  classes: string[];
  labels: number[];
  flicker: number | null;
}

/** The newest live result, waiting for one newer than `after` (a previous frame's identity). */
export async function nextLiveFrame(page: Page, timeout: number): Promise<LiveFrame> {
  return page.evaluate(async (timeout) => {
    const store = window.__ovseg!.store;
    const first = store.getState().result;
    const t0 = performance.now();
    for (;;) {
      const r = store.getState().result;
      if (r && r !== first)
        return {
          width: r.width,
          height: r.height,
          classes: r.classes,
          labels: Array.from(r.labels),
          flicker: r.flicker ?? null,
        };
      if (performance.now() - t0 > timeout) throw new Error('no new live frame');
      await new Promise((res) => setTimeout(res, 10));
    }
  }, timeout);
}

/** Which frame of the video a label map shows, read from its barcode cells (null if unreadable). */
export function frameOf(f: LiveFrame): number | null {
  const white = f.classes.indexOf('white') + 1;
  const black = f.classes.indexOf('black') + 1;
  return readBarcode((x, y) => {
    const l = f.labels[y * f.width + x];
    return l === white ? true : l === black ? false : null;
  });
}

/** IoU between the pixels labelled `cls` and the pixels the scene paints `paint` in that frame. */
export function iou(f: LiveFrame, frame: number, cls: string, paint: Paint): number {
  if (f.width !== WIDTH || f.height !== HEIGHT) throw new Error(`frame is ${f.width}x${f.height}`);
  const label = f.classes.indexOf(cls) + 1;
  let inter = 0,
    union = 0;
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const a = f.labels[y * WIDTH + x] === label;
      const b = paintAt(frame, x, y) === paint;
      if (a && b) inter++;
      if (a || b) union++;
    }
  return union === 0 ? 0 : inter / union;
}
