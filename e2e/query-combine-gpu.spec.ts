/**
 * GKC's combine as graphs on WebGPU (SwiftShader here), the way the query runner runs it with
 * `gpuCombine`: the fixture's image model keeps `pred_masks` a GPU buffer, the combine graph and the
 * label-pass graph read it there, and only labels and best scores come back. The same masks, read
 * back afterwards, go through the JavaScript combine (`querySemseg`, the runner's defaults): the
 * labels are compared pixel by pixel. Not equal by construction (float64 interpolation and sigmoid
 * table against float32 shaders, a different summing order), so every differing pixel must be a tie
 * within float32 rounding in the JavaScript scores; the count is reported.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { test } from './support/fixtures';
import { APP_ORIGIN } from './support/ports';
import { pairWeights, querySemseg } from '../src/models/gkc/querySemseg';
import { LABEL_GRAPH, labelGraphBytes } from '../src/models/onnx/labelGraph';
import { QUERY_COMBINE_GRAPH, queryCombineGraphBytes } from '../src/models/onnx/queryCombineGraph';

const ORT_DIR = path.dirname(
  createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
);
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const bytesOf = (p: string): Buffer => readFileSync(path.join(FIXTURES, p));
const f32 = (p: string): Float32Array => {
  const b = bytesOf(p);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const [Q, C, H, W] = [12, 4, 256, 320];
const THRESHOLDS = [0, 0.3];
const MARK = 'graphs loaded';

test('the query combine on WebGPU labels the golden as the JavaScript combine does, from the model’s GPU masks', async ({
  app,
  page,
}) => {
  test.skip(app.ep !== 'webgpu', 'the combine graph on WASM is checked in Vitest (queryCombineGpu.test.ts)');
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  const served: Record<string, Buffer> = {
    'combine.onnx': Buffer.from(queryCombineGraphBytes()),
    'label-pass.onnx': Buffer.from(labelGraphBytes()),
    'image.onnx': bytesOf('query-ovseg-tiny/image_model.onnx'),
  };
  await page.route(`${APP_ORIGIN}/query-combine/**`, (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html>' });
    if (served[name]) return route.fulfill({ body: served[name] });
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ contentType: type, body: readFileSync(path.join(ORT_DIR, name)) });
  });
  await page.goto(`${APP_ORIGIN}/query-combine/index.html`);

  const probs = f32('query-ovseg-tiny/class_probs.bin');
  const r = await page.evaluate(
    async ({ pixels, weights, dims, thresholds, G, L, MARK }) => {
      const [Q, C, H, W] = dims as [number, number, number, number];
      // A string the compiler does not resolve: the page's routed copy of ONNX Runtime's WebGPU build.
      const ortUrl = '/query-combine/ort.webgpu.min.mjs';
      const ort = (await import(ortUrl)) as typeof import('onnxruntime-web');
      ort.env.wasm.numThreads = 1;
      const load = async (name: string, keep: Record<string, 'gpu-buffer'>) =>
        ort.InferenceSession.create(
          new Uint8Array(await (await fetch(`/query-combine/${name}`)).arrayBuffer()),
          { executionProviders: ['webgpu'], preferredOutputLocation: keep },
        );
      const combine = await load('combine.onnx', { [G.semseg]: 'gpu-buffer' });
      const label = await load('label-pass.onnx', {});
      // The image model's own shape nodes run on the CPU, as ONNX Runtime places them: its warning
      // comes after this mark, and only the combine's and the label pass's placement is checked.
      console.warn(MARK);
      const image = await load('image.onnx', { pred_masks: 'gpu-buffer' });
      const px = new ort.Tensor('float32', Float32Array.from(pixels), [1, 3, H, W]);
      const res = await image.run({ pixel_values: px });
      const masks = res.pred_masks!;
      const [, , h, w] = masks.dims as number[];
      // Before any read-back (which makes it a CPU tensor too): where the image model left it.
      const location = masks.location;
      const feeds = {
        [G.masks]: masks,
        [G.probs]: new ort.Tensor('float32', Float32Array.from(weights), [C, Q]),
        [G.sizes]: new ort.Tensor('int64', BigInt64Array.from([1, Q, H, W], BigInt), [4]),
      };
      const labelsOf = async (threshold: number) => {
        const s = await combine.run(feeds);
        const t = new ort.Tensor('float32', Float32Array.of(threshold > 0 ? threshold : -Infinity), [1]);
        const out = await label.run({ [L.scores]: s[G.semseg]!, [L.threshold]: t });
        const labels = Array.from((await out[L.labels]!.getData()) as Int32Array);
        const best = Array.from((await out[L.best]!.getData()) as Float32Array);
        s[G.semseg]!.dispose();
        return { labels, best };
      };
      // The masks' read-back, once (a tensor keeps what it downloaded): what the JavaScript combine
      // needs first, timed before anything else reads them.
      const r0 = performance.now();
      const maskValues = Array.from((await masks.getData()) as Float32Array);
      const readMs = performance.now() - r0;
      const runs = [];
      for (const t of thresholds) runs.push(await labelsOf(t));
      // Timed (reported, not asserted): the graph path with its read-back, and the read-back of the
      // masks alone, which the JavaScript combine needs first. Medians of 5 after one warm-up run.
      const median = async (f: () => Promise<unknown>) => {
        const ms: number[] = [];
        for (let i = 0; i < 6; i++) {
          const t0 = performance.now();
          await f();
          if (i > 0) ms.push(performance.now() - t0);
        }
        return ms.sort((a, b) => a - b)[2]!;
      };
      const graphMs = await median(() => labelsOf(0));
      for (const t of Object.values(res)) t.dispose();
      await Promise.all([image.release(), combine.release(), label.release()]);
      return { runs, maskValues, h, w, graphMs, readMs, location };
    },
    {
      pixels: Array.from(f32('query-ovseg-tiny/pixel_values.bin')),
      weights: Array.from(pairWeights(probs, Q, C)),
      dims: [Q, C, H, W],
      thresholds: THRESHOLDS,
      G: QUERY_COMBINE_GRAPH,
      L: LABEL_GRAPH,
      MARK,
    },
  );
  const masks = Float32Array.from(r.maskValues);
  const js = querySemseg({ probs, masks, Q, C, h: r.h, w: r.w, H, W });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    querySemseg({ probs, masks, Q, C, h: r.h, w: r.w, H, W });
    times.push(performance.now() - t0);
  }
  const jsMs = times.sort((a, b) => a - b)[2]!;
  const P = H * W;
  expect(r.location).toBe('gpu-buffer');
  for (const [i, threshold] of THRESHOLDS.entries()) {
    const run = r.runs[i]!;
    let differ = 0,
      maxScoreDiff = 0;
    for (let p = 0; p < P; p++) {
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(run.best[p]! - js.scores[p]!));
      const jsLabel = threshold > 0 && js.scores[p]! < threshold ? 0 : js.labels[p]!;
      const g = run.labels[p]!;
      if (g === jsLabel) continue;
      differ++;
      const gap = g && jsLabel ? js.scores[p]! - js.semseg[(g - 1) * P + p]! : Math.abs(js.scores[p]! - threshold);
      expect(gap, `pixel ${p}: ${jsLabel} in JavaScript, ${g} on WebGPU`).toBeLessThanOrEqual(Q * 2 ** -23);
    }
    console.log(
      `[query combine webgpu] ${W}x${H}, ${Q} queries, ${C} classes, threshold ${threshold}: ${differ} of ${P} labels differ from the JavaScript combine; best scores within ${maxScoreDiff.toExponential(2)}`,
    );
    expect(maxScoreDiff).toBeLessThan(1e-4);
  }
  console.log(
    `[query combine webgpu] graph on SwiftShader from the model's GPU masks, read-back of labels and scores included: ${r.graphMs.toFixed(1)} ms; the masks' read-back ${r.readMs.toFixed(1)} ms (once), then the JavaScript combine ${jsMs.toFixed(1)} ms (in Node, warm; medians of 5 after a warm-up run; all on the CPU here)`,
  );
  // ONNX Runtime warns when it places nodes off the requested backend: every node must run on WebGPU.
  const mark = warnings.indexOf(MARK);
  expect(mark).toBeGreaterThanOrEqual(0);
  expect(warnings.slice(0, mark).filter((w) => /not assigned|fallback|fall back/i.test(w))).toEqual([]);
});
