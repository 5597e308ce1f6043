/**
 * The whole browser pipeline (fetch from another origin, tokenizer, both ONNX graphs on this
 * project's backend, GKC inference) against the PyTorch reference outputs of the tiny fixture model.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import { FIXTURE_ORIGIN } from './support/ports';
import { agreement, maxAbsDiff } from './support/metrics';

const dir = new URL('../fixtures/query-ovseg-tiny/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('golden.json', dir), 'utf8')) as {
  classes: string[][];
  size: [number, number];
};

const f32 = (name: string) => {
  const b = readFileSync(new URL(name, dir));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** App syntax: names of one class joined by " | ", classes by ", ". */
const classesParam = golden.classes.map((names) => names.join(' | ')).join(', ');

interface DebugRun {
  width: number;
  height: number;
  classes: string[];
  labels: number[];
  classProbs: number[];
  semsegLow: number[];
}

test('matches the PyTorch golden outputs of the tiny query model', async ({ app, debug }) => {
  await app.open({
    model: `${FIXTURE_ORIGIN}/query-ovseg-tiny/ovseg.json`,
    dtype: 'fp32',
    debug: true,
    classes: classesParam,
  });
  // The golden label map is a plain argmax: nothing may fall under an "unlabelled" threshold.
  await expect(app.exportPanel.threshold).toHaveValue('0');
  await app.segmentImage(readFileSync(new URL('image.png', dir)), 'image.png');
  await app.waitForResult(golden.classes.map((names) => names[0]!));

  const run = await debug.run(async (d): Promise<DebugRun | string> => {
    const r = await d.controller.run(true);
    if (!r) return 'no result';
    const q = r.debug?.query;
    if (!q?.classProbs || !q.semsegLow) return 'no debug outputs';
    return {
      width: r.width,
      height: r.height,
      classes: r.classes,
      labels: Array.from(r.labels),
      classProbs: Array.from(q.classProbs),
      semsegLow: Array.from(q.semsegLow),
    };
  });
  if (typeof run === 'string') throw new Error(run);
  // Where the time went (SwiftShader WebGPU is slow): kept in the report, not asserted.
  test.info().annotations.push({ type: 'status', description: (await app.status.textContent()) ?? '' });

  const [h, w] = golden.size;
  expect([run.width, run.height]).toEqual([w, h]);
  expect(run.classes).toEqual(golden.classes.map((names) => names[0]));

  const probs = f32('class_probs.bin');
  expect(run.classProbs.length).toBe(probs.length);
  expect(maxAbsDiff(run.classProbs, probs), 'class_probs max abs diff').toBeLessThan(1e-4);

  const low = f32('semseg_low.bin');
  expect(run.semsegLow.length).toBe(low.length);
  expect(maxAbsDiff(run.semsegLow, low), 'semseg_low max abs diff').toBeLessThan(1e-4);

  // App labels are class + 1 (0 = unlabelled); the golden map holds class indices.
  const labelMap = readFileSync(new URL('label_map.bin', dir));
  expect(run.labels.length).toBe(labelMap.length);
  expect(agreement(run.labels, labelMap, 1), 'label map agreement').toBeGreaterThanOrEqual(0.99);
});
