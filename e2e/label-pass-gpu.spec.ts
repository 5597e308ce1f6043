/**
 * The label-pass graph on WebGPU (SwiftShader here): its scores input a GPU buffer, as a model's
 * output left on the GPU would be, and the labels and best scores it reads back equal, bit for bit,
 * what `argmaxLabels` computes in the same page. ONNX Runtime's WebGPU build is served from its
 * package under the app's origin (a secure context, so `navigator.gpu` exists); nothing else of the
 * app is involved.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { test } from './support/fixtures';
import { APP_ORIGIN } from './support/ports';
import { argmaxLabels } from '../src/processing/argmax';
import { querySemseg } from '../src/models/gkc/querySemseg';
import { LABEL_GRAPH, labelGraphBytes } from '../src/models/onnx/labelGraph';

const ORT_DIR = path.dirname(
  createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
);
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const f32 = (p: string): Float32Array => {
  const b = readFileSync(path.join(FIXTURES, p));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** Few distinct values (both zeros, -Infinity): most pixels tie between several classes. */
function ties(C: number, P: number): Float32Array {
  const values = [-0, 0, 1, 1, 2, -1, -Infinity];
  let s = 7;
  return Float32Array.from({ length: C * P }, () => values[(s = (s * 48271) % 2147483647) % values.length]!);
}

/** The timed case: CLIPSeg's logit map (352x352) against 20 classes. */
const TIMED = { classes: 20, width: 352, height: 352 };

interface PageCase {
  name: string;
  scores: number[];
  C: number;
  P: number;
  threshold: number;
}

test('the label pass graph on WebGPU labels as argmaxLabels does, from a GPU buffer', async ({
  app,
  page,
}) => {
  test.skip(
    app.ep !== 'webgpu',
    'the graph on WASM is checked in Vitest (src/models/runtime/labelPass.test.ts)',
  );
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  await page.route(`${APP_ORIGIN}/label-pass/**`, (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: '<!doctype html>' });
    if (name === 'label-pass.onnx') return route.fulfill({ body: Buffer.from(labelGraphBytes()) });
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ contentType: type, body: readFileSync(path.join(ORT_DIR, name)) });
  });
  await page.goto(`${APP_ORIGIN}/label-pass/index.html`);

  const query = querySemseg({
    probs: f32('query-ovseg-tiny/class_probs.bin'),
    masks: f32('query-ovseg-tiny/pred_masks.bin'),
    Q: 12,
    C: 4,
    h: 64,
    w: 80,
    H: 256,
    W: 320,
    budget: 0,
  }).semseg;
  const cases: PageCase[] = [
    { name: 'query golden', scores: Array.from(query), C: 4, P: 256 * 320, threshold: 0.3 },
    { name: 'ties', scores: Array.from(ties(7, 4099)), C: 7, P: 4099, threshold: 0 },
    { name: 'ties over 1', scores: Array.from(ties(7, 4099)), C: 7, P: 4099, threshold: 1 },
  ];
  const results = await page.evaluate(
    async ({ cases, names, jsPass, timed }) => {
      // A string the compiler does not resolve: the page's routed copy of ONNX Runtime's WebGPU build.
      const ortUrl = '/label-pass/ort.webgpu.min.mjs';
      const ort = (await import(ortUrl)) as typeof import('onnxruntime-web');
      ort.env.wasm.numThreads = 1;
      const argmax = new Function(`return ${jsPass}`)() as typeof argmaxLabels;
      const bytes = new Uint8Array(await (await fetch('/label-pass/label-pass.onnx')).arrayBuffer());
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
      const device = await ort.env.webgpu.device;
      const out = [];
      for (const c of cases) {
        const scores = Float32Array.from(c.scores);
        // The scores as a GPU buffer, as a model output kept on the GPU is handed on.
        const buffer = device.createBuffer({
          size: Math.ceil(scores.byteLength / 16) * 16,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        });
        device.queue.writeBuffer(buffer, 0, scores);
        const input = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: [c.C, c.P] });
        const t = new ort.Tensor('float32', Float32Array.of(c.threshold > 0 ? c.threshold : -Infinity), [1]);
        const res = await session.run({ [names.scores]: input, [names.threshold]: t });
        const labels = Array.from((await res[names.labels]!.getData()) as Int32Array);
        const best = (await res[names.best]!.getData()) as Float32Array;
        const js = argmax(scores, c.C, c.P, c.threshold);
        out.push({
          name: c.name,
          labels,
          bestBits: Array.from(new Uint32Array(best.buffer, best.byteOffset, best.length)),
          jsLabels: Array.from(js.labels),
          jsBits: Array.from(new Uint32Array(js.scores.buffer)),
          adapter: ort.env.webgpu.adapter ? 'webgpu' : 'none',
        });
        buffer.destroy();
      }
      // Timed (reported, not asserted): a CLIPSeg-sized map, the GPU path with its read-back against
      // the JavaScript pass on the same scores. Medians of 5 after one warm-up run.
      const [C, P] = [timed.classes, timed.width * timed.height];
      let seed = 1;
      const scores = Float32Array.from(
        { length: C * P },
        () => (seed = (seed * 48271) % 2147483647) / 2147483647,
      );
      const buffer = device.createBuffer({
        size: scores.byteLength,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buffer, 0, scores);
      const input = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: [C, P] });
      const t = new ort.Tensor('float32', Float32Array.of(0.3), [1]);
      const median = async (f: () => Promise<unknown>) => {
        const ms: number[] = [];
        for (let r = 0; r < 6; r++) {
          const t0 = performance.now();
          await f();
          if (r > 0) ms.push(performance.now() - t0);
        }
        return ms.sort((a, b) => a - b)[2]!;
      };
      const graphMs = await median(async () => {
        const res = await session.run({ [names.scores]: input, [names.threshold]: t });
        await res[names.labels]!.getData();
        await res[names.best]!.getData();
      });
      const jsMs = await median(async () => argmax(scores, C, P, 0.3));
      buffer.destroy();
      await session.release();
      return { out, graphMs, jsMs };
    },
    { cases, names: LABEL_GRAPH, jsPass: argmaxLabels.toString(), timed: TIMED },
  );
  console.log(
    `[label pass webgpu] ${TIMED.classes} classes x ${TIMED.width}x${TIMED.height}: graph on SwiftShader from a GPU buffer, read-back included, ${results.graphMs.toFixed(1)} ms; JavaScript in the page ${results.jsMs.toFixed(1)} ms (medians of 5; both on the CPU here)`,
  );
  for (const r of results.out) {
    const c = cases.find((x) => x.name === r.name)!;
    // The page's JavaScript pass is the engine's: the same answer as in Node.
    expect(r.jsLabels).toEqual(
      Array.from(argmaxLabels(Float32Array.from(c.scores), c.C, c.P, c.threshold).labels),
    );
    expect(r.labels, `${r.name}: labels`).toEqual(r.jsLabels);
    expect(r.bestBits, `${r.name}: best scores`).toEqual(r.jsBits);
    console.log(`[label pass webgpu] ${r.name}: ${c.P} pixels x ${c.C} classes, labels and scores equal`);
  }
  // ONNX Runtime warns when it places nodes off the requested backend: every node must run on WebGPU.
  expect(warnings.filter((w) => /not assigned|fallback|fall back/i.test(w))).toEqual([]);
});
