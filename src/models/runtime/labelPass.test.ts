/**
 * The label-pass graph against `argmaxLabels`, on ONNX Runtime's WASM backend: labels and best
 * scores equal bit for bit, on the goldens' real model outputs and on inputs made of ties.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxLabels } from '../../processing/argmax';
import { querySemseg } from '../gkc/querySemseg';
import { GraphLabelPass } from './labelPass';
import { prng } from '../../../test-support/prng';

const fixture = (p: string): Float32Array => {
  const b = readFileSync(fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url)));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** Bit patterns, so that -0 and +0 (and every other pair of floats) count as different. */
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

let pass: GraphLabelPass;
beforeAll(async () => {
  pass = await GraphLabelPass.create('wasm');
});
afterAll(() => pass.release());

async function expectSame(scores: Float32Array, C: number, P: number, threshold: number): Promise<void> {
  const js = argmaxLabels(scores, C, P, threshold);
  const graph = await pass.run(scores, C, P, threshold);
  // toEqual on typed arrays compares element by element: a first differing pixel is named.
  expect(graph.labels).toEqual(js.labels);
  expect(bits(graph.scores)).toEqual(bits(js.scores));
}

describe('label pass graph on WASM', () => {
  it('labels CLIPSeg golden logits as argmaxLabels does, with and without a threshold', async () => {
    const logits = fixture('clipseg-tiny/logits.bin');
    const C = 3,
      P = logits.length / C;
    for (const t of [-Infinity, 0, 0.05, 0.2]) await expectSame(logits, C, P, t);
  });

  it('labels the query golden class scores (masks and class probabilities combined) the same', async () => {
    const masks = fixture('query-ovseg-tiny/pred_masks.bin');
    const probs = fixture('query-ovseg-tiny/class_probs.bin');
    const C = 4,
      H = 256,
      W = 320;
    const { semseg, labels } = querySemseg({ probs, masks, Q: 12, C, h: 64, w: 80, H, W, budget: 0 });
    // The combine's own argmax (no threshold) agrees with the graph too.
    expect((await pass.run(semseg, C, H * W, 0)).labels).toEqual(labels);
    for (const t of [0, 0.3, 0.6]) await expectSame(semseg, C, H * W, t);
  });

  it('keeps the first of tied scores, +0 before -0 and -0 before +0, as the loop does', async () => {
    const next = prng(19);
    const C = 7,
      P = 4096;
    // Few distinct values: most pixels have several classes at their best score.
    const values = [-0, 0, 1, 1, 2, -1, -Infinity];
    const scores = Float32Array.from({ length: C * P }, () => values[Math.floor(next() * values.length)]!);
    // Pixels with every class at -Infinity, at +0, at -0 and mixing the two zeros.
    for (let c = 0; c < C; c++) {
      scores[c * P] = -Infinity;
      scores[c * P + 1] = 0;
      scores[c * P + 2] = -0;
      scores[c * P + 3] = c % 2 ? -0 : 0;
      scores[c * P + 4] = c % 2 ? 0 : -0;
    }
    const js = argmaxLabels(scores, C, P, 0);
    expect(js.labels[0]).toBe(0);
    expect(Object.is(js.scores[3], 0) && Object.is(js.scores[4], -0)).toBe(true);
    for (const t of [-Infinity, 0, 1, 2, 3]) await expectSame(scores, C, P, t);
  });

  it('agrees on random scores, a threshold at one of them, and one class', async () => {
    const next = prng(4);
    for (const [C, P] of [
      [1, 999],
      [2, 1],
      [13, 3001],
    ] as const) {
      const scores = Float32Array.from({ length: C * P }, () => Math.fround(next() * 2 - 0.5));
      // A threshold equal to a score: `under` is strict, as the loop's `<`.
      for (const t of [0, 0.5, scores[0]!]) await expectSame(scores, C, P, t);
    }
  });
});
