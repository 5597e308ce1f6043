import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from '../../../../test-support/prng';
import { samLikeBatch } from '../../../../tools/bench/samLogits';
import { stabilityCuts, type Cuts } from './cuts';
import { FastPost } from './fastPost';
import { samFrame, type SamFrame } from './frame';
import { candidateReference } from './reference';
import { goldenPlane, POSTPROCESS } from './postprocessGolden.testing';

/*
 * The fast post-processing gives the reference's counts, stability, area, box and mask bit for bit
 * (the reference matches PyTorch: reference.test.ts). `hair` counts the pixels it had to evaluate
 * with torch's exact arithmetic because their value sat within a rounding hair of a cut.
 */
const N = 256;
/** Per kind of plane: planes, pixel evaluations (scores + mask), pixels that needed torch's exact value. */
const tally = new Map<string, { planes: number; pixels: number; hair: number }>();
afterAll(() => {
  const lines = [...tally].map(
    ([k, t]) =>
      `${k}: ${t.planes} planes, ${t.hair} of ${t.pixels} pixel evaluations in the rounding hair (${((t.hair / t.pixels) * 100).toFixed(4)} %)`,
  );
  console.log(`fastPost, every count, mask and box identical to the reference:\n  ${lines.join('\n  ')}`);
});

function expectSame(
  kind: string,
  frame: SamFrame,
  post: FastPost,
  low: Float32Array,
  cuts: Cuts,
  label: string,
) {
  const ref = candidateReference(frame, low, cuts);
  const fast = post.scores(low, cuts);
  const m = post.mask(low, cuts);
  const written = new Uint8Array(frame.height * frame.width);
  expect(post.scores(low, cuts, written), label).toEqual(fast);
  expect([fast.intersections, fast.unions, fast.area], label).toEqual([
    ref.intersections,
    ref.unions,
    ref.area,
  ]);
  expect(
    Object.is(fast.stability, ref.stability),
    `${label}: stability ${fast.stability} vs ${ref.stability}`,
  ).toBe(true);
  expect(fast.box, label).toEqual(ref.box);
  expect([m.area, m.box], label).toEqual([ref.area, ref.box]);
  let diff = 0;
  for (let i = 0; i < ref.mask.length; i++)
    if (m.mask[i] !== ref.mask[i] || written[i] !== ref.mask[i]) diff++;
  expect(diff, `${label}: mask pixels differing`).toBe(0);
  const t = tally.get(kind) ?? { planes: 0, pixels: 0, hair: 0 };
  t.planes++;
  t.pixels += 2 * frame.height * frame.width;
  t.hair += fast.hair + m.hair;
  tally.set(kind, t);
  return fast;
}

describe('FastPost against the reference', () => {
  it('on the PyTorch golden planes at every picture size', () => {
    for (const c of POSTPROCESS.cases) {
      const frame = samFrame(c.height, c.width);
      const s = expectSame(
        c.plane === 'blobs' ? 'golden smooth' : `golden ${c.plane}`,
        frame,
        new FastPost(frame),
        goldenPlane(c.plane),
        stabilityCuts(0, 1),
        `${c.plane} ${c.width}x${c.height}`,
      );
      expect([s.area, s.intersections, s.unions]).toEqual([
        c.counts['0.0'],
        c.counts['1.0'],
        c.counts['-1.0'],
      ]);
    }
  });

  it('on SAM-like planes at 640x480, 517x333 and 97x1000, tiles of 4, 8 and 16 cells', () => {
    const points = [512, 384, 100, 700, 1000, 20, 300, 1010];
    const { masks } = samLikeBatch(points, 5, 0.5);
    for (const [H, W] of [
      [480, 640],
      [333, 517],
      [1000, 97],
    ] as const) {
      const frame = samFrame(H, W);
      for (const tile of [4, 8, 16]) {
        const post = new FastPost(frame, tile);
        for (let k = 0; k < 12; k += 5)
          expectSame(
            'SAM-like',
            frame,
            post,
            masks.subarray(k * N * N, (k + 1) * N * N),
            stabilityCuts(0, 1),
            `${W}x${H} tile ${tile} #${k}`,
          );
      }
    }
  });

  it('on adversarial planes: values on and next to the cuts, flat planes on the cuts, subnormals, huge values', () => {
    const frame = samFrame(480, 640);
    const post = new FastPost(frame);
    const r = prng(9);
    const { masks } = samLikeBatch([512, 384], 3, 0.5);
    const planes: [string, (i: number) => number][] = [
      // SAM-like logits rounded to 1/4: many values exactly on 0 and +-1.
      ['quantised', (i) => Math.round(masks[i]! * 4) / 4],
      ['flat 0', () => 0],
      ['flat 1', () => 1],
      ['flat -1', () => -1],
      ['near the cuts', (i) => [0, 1, -1][i % 3]! + (r() - 0.5) * 4e-6],
      ['subnormal', () => (r() - 0.5) * 2 ** -130],
      ['huge steps', (i) => ((i >> 9) % 2 ? 3e4 : -3e4) + (i % 7)],
      ['noise', () => (r() - 0.5) * 6],
    ];
    for (const [name, f] of planes) {
      const low = Float32Array.from({ length: N * N }, (_, i) => f(i));
      for (const cuts of [stabilityCuts(0, 1), stabilityCuts(0.1, 0.5)])
        expectSame(`adversarial: ${name}`, frame, post, low, cuts, name);
    }
  });

  it('scores planes with NaN or infinite logits through the reference', () => {
    const frame = samFrame(60, 80);
    const post = new FastPost(frame);
    const { masks } = samLikeBatch([512, 384], 4, 0.5);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const low = masks.slice(N * N, 2 * N * N);
      low[100 * N + 120] = bad;
      expectSame('NaN / infinite', frame, post, low, stabilityCuts(0, 1), `${bad}`);
    }
  });

  it('on the sam-tiny decoder outputs (PyTorch) at the fixture picture size', () => {
    const frame = samFrame(240, 320);
    const post = new FastPost(frame);
    for (const name of ['point1', 'points3', 'batch4']) {
      const b = readFileSync(`fixtures/sam-tiny/dec_${name}_pred_masks.bin`);
      const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      for (let k = 0; k < all.length / (N * N); k++)
        expectSame(
          'sam-tiny decoder',
          frame,
          post,
          all.subarray(k * N * N, (k + 1) * N * N),
          stabilityCuts(0, 1),
          `${name} #${k}`,
        );
    }
  });
});
