import { describe, expect, it } from 'vitest';
import { prng } from '../../../../test-support/prng';
import { fmaf, torchAxis } from './bilinear';

const f32 = Math.fround;
const SCALE = 300; // every float32 times 2^300 is an integer

/** float32(a * b + c) rounded once, in exact integer arithmetic (round half to even). */
function exactFma(a: number, b: number, c: number): number {
  const A = BigInt(a * 2 ** SCALE);
  const B = BigInt(b * 2 ** SCALE);
  const C = BigInt(c * 2 ** SCALE);
  const S = A * B + C * 2n ** BigInt(SCALE); // the exact value times 2^600
  if (S === 0n) return 0;
  const neg = S < 0n;
  const M = neg ? -S : S;
  // float32 ulp at this magnitude, times 2^600: 2^(floor(log2) - 23), never below 2^-149.
  const bits = M.toString(2).length;
  const ulpExp = Math.max(bits - 24, 2 * SCALE - 149);
  const unit = 2n ** BigInt(ulpExp);
  let q = M / unit;
  const rem = M - q * unit;
  if (2n * rem > unit || (2n * rem === unit && q % 2n === 1n)) q += 1n;
  const v = Number(q) * 2 ** (ulpExp - 2 * SCALE);
  return neg ? -v : v;
}

function randomFloat(r: () => number): number {
  const bits = new Uint32Array([Math.floor(r() * 2 ** 32)]);
  const v = new Float32Array(bits.buffer)[0]!;
  return Number.isFinite(v) ? v : 1;
}

describe('fmaf (float32 fused multiply-add)', () => {
  it('rounds a * b + c once, as exact arithmetic does, on random floats of every magnitude', () => {
    const r = prng(1);
    for (let i = 0; i < 20000; i++) {
      // Logits times weights in [0, 1], sums kept below float32's overflow.
      const a = randomFloat(r) / 4;
      const b = f32(r());
      const c = randomFloat(r) / 4;
      expect(fmaf(a, b, c), `${a} * ${b} + ${c}`).toBe(exactFma(a, b, c));
    }
  });

  it('decides sums that double arithmetic lands exactly halfway between two float32 numbers', () => {
    const r = prng(2);
    let naiveWrong = 0;
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(r() * 40 - 20);
      const c = f32((1 + r()) * 2 ** k);
      const u = 2 ** (k - 23); // c's float32 ulp
      // a * b = u/2 * (1 - 2^-46): the exact sum is a hair from the midpoint c + u/2 (below it), or
      // from c + u/2 above it when taken away from c + u; the double sum lands on the midpoint.
      const a = 1 + 2 ** -23;
      const b = (1 - 2 ** -23) * (u / 2);
      for (const [x, y, z] of [
        [a, b, c],
        [-a, b, c + u],
        [a, -b, -c],
      ] as const) {
        const want = exactFma(x, y, z);
        expect(fmaf(x, y, z), `${x} * ${y} + ${z}`).toBe(want);
        if (f32(x * y + z) !== want) naiveWrong++;
      }
    }
    // Rounding the double sum to float32 gets about half of them wrong (ties to even).
    expect(naiveWrong).toBeGreaterThan(1000);
  });

  it('handles subnormal results and exact zeros', () => {
    for (const [a, b, c] of [
      [2 ** -140, 0.25, 2 ** -149],
      [2 ** -126, 0.5, -(2 ** -127)],
      [-1, 0.75, 0.75],
      [3, 0.125, -0.375],
    ] as const)
      expect(fmaf(a, b, c)).toBe(exactFma(a, b, c));
  });
});

describe('torchAxis (align_corners=False)', () => {
  it('puts output i at source (i + 0.5) * n / N - 0.5, clamped at 0, with the last tap repeated at the edge', () => {
    const up = torchAxis(256, 1024);
    // 4x up: sources -0.375 (clamped to 0), -0.125 (0), 0.125, 0.375, ... 255.125, 255.375 (edge).
    expect([up.i0[0], up.i1[0], up.w0[0], up.w1[0]]).toEqual([0, 1, 1, 0]);
    expect([up.i0[2], up.i1[2], up.w0[2], up.w1[2]]).toEqual([0, 1, 0.875, 0.125]);
    expect([up.i0[1023], up.i1[1023], up.w1[1023]]).toEqual([255, 255, 0.375]);
    // 3.2x down: output 1 reads source 4.3 -> taps 4, 5 with weight 0.3 computed in double.
    const down = torchAxis(1024, 320);
    expect([down.i0[1], down.i1[1], down.w1[1]]).toEqual([4, 5, f32(f32(3.2) * 1.5 - 0.5 - 4)]);
    // Equal sizes copy.
    const same = torchAxis(5, 5);
    expect(Array.from(same.i0)).toEqual(Array.from(same.i1));
    expect(Array.from(same.w0)).toEqual([1, 1, 1, 1, 1]);
  });
});
