/**
 * The combine graph (`GraphQueryCombine`) against the JavaScript combine (`querySemseg` with its
 * defaults, as the query runner calls it, then the threshold), on ONNX Runtime's WASM backend, on
 * the query golden's real model outputs. Not bit-equal by construction (float64 against float32,
 * different summing orders): the test counts the pixels whose labels differ and requires each of
 * them to be a tie in the JavaScript scores within float32 rounding.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { querySemseg } from '../gkc/querySemseg';
import { GraphQueryCombine } from './queryCombineGpu';
import { crossingProbs } from '../../../test-support/crossingProbs';

const fixture = (p: string): Float32Array => {
  const b = readFileSync(fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url)));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** Largest gap between two classes' scores that float32 sums of Q terms in [0, 1] can flip. */
const TIE = (Q: number) => Q * 2 ** -23;

let graph: GraphQueryCombine;
beforeAll(async () => {
  graph = await GraphQueryCombine.create('wasm');
});
afterAll(() => graph.release());

describe('query combine graph on WASM', () => {
  const masks = fixture('query-ovseg-tiny/pred_masks.bin');
  const [Q, C, h, w] = [12, 4, 64, 80];
  const sets = {
    golden: fixture('query-ovseg-tiny/class_probs.bin'),
    crossing7: crossingProbs(Q, C, 7),
    crossing13: crossingProbs(Q, C, 13),
  };

  for (const [H, W, set] of [
    [256, 320, 'golden'],
    [200, 150, 'golden'],
    [256, 320, 'crossing7'],
    [256, 320, 'crossing13'],
  ] as const)
    it(`labels the query golden's masks at ${W}x${H} with ${set} probabilities as the JavaScript combine does, but for float32 ties`, async () => {
      const probs = sets[set];
      const js = querySemseg({ probs, masks, Q, C, h, w, H, W });
      for (const threshold of [0, 0.3]) {
        const out = await graph.run({ masks, probs, Q, C, h, w, H, W, threshold });
        const P = H * W;
        let differ = 0;
        for (let p = 0; p < P; p++) {
          const jsLabel = threshold > 0 && js.scores[p]! < threshold ? 0 : js.labels[p]!;
          if (out.labels[p] === jsLabel) continue;
          differ++;
          // A flip between classes: the JavaScript scores of both are within rounding of each other.
          // A flip to or from 0: the best score is within rounding of the threshold.
          const other = out.labels[p]! || jsLabel;
          const gap =
            out.labels[p] && jsLabel
              ? js.scores[p]! - js.semseg[(other - 1) * P + p]!
              : Math.abs(js.scores[p]! - threshold);
          expect(
            gap,
            `pixel ${p}: ${jsLabel} in JavaScript, ${out.labels[p]} in the graph`,
          ).toBeLessThanOrEqual(TIE(Q));
        }
        let maxScoreDiff = 0;
        for (let p = 0; p < P; p++)
          maxScoreDiff = Math.max(maxScoreDiff, Math.abs(out.scores[p]! - js.scores[p]!));
        console.log(
          `[query combine wasm] ${set}, ${W}x${H}, threshold ${threshold}: ${differ} of ${P} labels differ; best scores within ${maxScoreDiff.toExponential(2)}`,
        );
        expect(maxScoreDiff).toBeLessThan(1e-4);
      }
    });
});
