/**
 * The query family's post-processing against its image model, through the real app: pictures of
 * 640x480 dropped one after another on the embedded model (WASM), and the worker's own timings of
 * each fresh result (`image`: the image model run; `combine`: class probabilities, the fused
 * upsample / sigmoid / einsum / argmax, threshold and label map at 640x480). Medians, after one
 * picture to warm up. Issue target: combine <= 0.5x the image model.
 */
import type { Browser } from '@playwright/test';
import { benchContext } from './benchContext';
import { scene } from './inputs';

export interface CombineFigures {
  ep: 'wasm' | 'webgpu';
  width: number;
  height: number;
  classes: number;
  frames: number;
  /** Medians, milliseconds. */
  combine: number;
  image: number;
  /** Every measured frame (after the warm-up one). */
  samples: { image: number; combine: number }[];
}

const COMBINE_TARGET = 0.5;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};

export async function measureQueryCombine(o: {
  url: string;
  browser: Browser;
  ep?: 'wasm' | 'webgpu';
  frames?: number;
  classes?: string;
  width?: number;
  height?: number;
}): Promise<CombineFigures> {
  const ep = o.ep ?? 'wasm';
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const frames = o.frames ?? 7;
  const classes = o.classes ?? 'red, blue, black, white, green, yellow';
  const context = await benchContext(o.browser);
  try {
    const page = await context.newPage();
    const q = new URLSearchParams({ ep, model: 'embedded', classes, debug: '1' });
    await page.goto(`${o.url.replace(/\/$/, '')}/?${q}`);
    await page.locator('[data-testid=status][data-state=ready]').waitFor({ timeout: 120_000 });
    // Every new result the store receives, with the worker's timings (debug=1 exposes the store).
    await page.evaluate(`(() => {
      window.__benchResults = [];
      window.__ovseg.store.subscribe((s, p) => {
        if (s.result && s.result !== p.result) window.__benchResults.push(s.result.timings);
      });
    })()`);
    const samples: { image: number; combine: number }[] = [];
    for (let i = 0; i <= frames; i++) {
      const before = Number(await page.evaluate('window.__benchResults.length'));
      const buffer = Buffer.from(scene(width, height, 40 + i));
      await page
        .getByTestId('image-input')
        .setInputFiles({ name: `combine-${i}.png`, mimeType: 'image/png', buffer });
      // The fresh image's result: the one that ran the image model.
      const handle = await page.waitForFunction(
        (n) => {
          const r = (window as unknown as { __benchResults: { image: number; combine: number }[] })
            .__benchResults;
          return r.slice(n).find((t) => t.image > 0) ?? null;
        },
        before,
        { timeout: 120_000 },
      );
      const t = (await handle.jsonValue()) as { image: number; combine: number };
      if (i > 0) samples.push({ image: t.image, combine: t.combine });
    }
    const nClasses = classes.split(',').filter((c) => c.trim()).length;
    return {
      ep,
      width,
      height,
      classes: nClasses,
      frames: samples.length,
      combine: median(samples.map((s) => s.combine)),
      image: median(samples.map((s) => s.image)),
      samples,
    };
  } finally {
    await context.close();
  }
}

/** The line the benchmarks print. */
export function describeCombine(f: CombineFigures): string {
  const ratio = f.combine / f.image;
  return (
    `query combine at ${f.width}x${f.height} on the embedded model, ${f.ep.toUpperCase()}: combine ${f.combine.toFixed(1)} ms ` +
    `vs image model ${f.image.toFixed(1)} ms = ${ratio.toFixed(2)}x (target <= ${COMBINE_TARGET}x; ` +
    `${f.classes} classes, medians of ${f.frames} pictures)`
  );
}
