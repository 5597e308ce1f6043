import { describe, expect, it } from 'vitest';
import { manifestProblems, newestVersion, PART_LIMIT, planParts, type Manifest } from './parts';

const MiB = 2 ** 20;

describe('the device kit parts', () => {
  it('puts every file in exactly one part, each part under the limit', () => {
    const files = [
      { path: 'kit/node/bin/node', packed: 30 * MiB },
      { path: 'kit/tools/device/dist/linux-x64/dawn.node', packed: 8 * MiB },
      { path: 'kit/ort/ort-wasm-simd-threaded.jsep.wasm', packed: 7 * MiB },
      { path: 'extra/a', packed: 40 * MiB },
      { path: 'extra/b', packed: 25 * MiB },
      { path: 'kit/lib/libvulkan.so.1', packed: 0.2 * MiB },
    ];
    const plan = planParts(files);
    expect(plan.flatMap((p) => p.files).sort()).toEqual(files.map((f) => f.path).sort());
    for (const p of plan) expect(p.estimate).toBeLessThanOrEqual(PART_LIMIT);
    // 110 MiB in all: two parts at least, and first-fit decreasing needs no third.
    expect(plan.map((p) => p.name)).toEqual(['ovseg-kit-part-01.tar.gz', 'ovseg-kit-part-02.tar.gz']);
  });

  it('refuses a file that alone is over a part', () => {
    expect(() => planParts([{ path: 'big', packed: 64 * MiB }])).toThrow(/big packs to 64\.0 MiB/);
  });

  it('finds parts over the limit and files in two parts or in none', () => {
    const m: Manifest = {
      kit: 'k',
      node: '20.0.0',
      limit: 100,
      parts: [
        { name: 'p1', bytes: 101, sha256: '', files: ['a', 'b'] },
        { name: 'p2', bytes: 50, sha256: '', files: ['b'] },
      ],
    };
    expect(manifestProblems(m, ['a', 'b', 'c'])).toEqual([
      'p1 is 101 bytes, over the 100-byte limit',
      'b is in p1 and p2',
      'c is in no part',
    ]);
    expect(manifestProblems({ ...m, limit: 200, parts: [m.parts[0]!] }, ['a', 'b'])).toEqual([]);
  });

  it("picks the newest of npm's versions, whatever their order", () => {
    expect(newestVersion(['20.9.0', '20.20.2', '20.19.6', '20.8.1'])).toBe('20.20.2');
    expect(() => newestVersion([])).toThrow();
  });
});
