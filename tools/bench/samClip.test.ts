import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeClipTowersBundle } from '../lib/clipTowersBundle';
import { writeSamBundle } from '../lib/samBundle';
import { measureSamClip } from './samClipNode';
import { samClipMarkdown } from './samClipReport';

/*
 * Smoke test of the benchmark's SAM part on tiny random models (the same code as the full-size
 * run, in Node): every part is measured and reported, the frames name the SAM-like masks.
 */
let dir = '';
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('the SAM part of the benchmark', () => {
  it('times every part of a frame, a click and the dense-CLIP frame, and reports them', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-'));
    const sam = path.join(dir, 'sam');
    const clip = path.join(dir, 'clip');
    await writeSamBundle(sam, { seed: 3, size: 'tiny' });
    await writeClipTowersBundle(clip, { seed: 3, size: 'tiny' });
    const lines: string[] = [];
    const f = await measureSamClip({
      sam,
      clip,
      threads: 1,
      reps: 1,
      clicks: 1,
      postRuns: 1,
      log: (l) => lines.push(l),
    });

    for (const C of [1, 150] as const) {
      const [p] = f.frames[C];
      expect(p!.batches).toHaveLength(4); // 16 x 16 points, 64 a run
      expect(p!.kept).toBeGreaterThan(5); // SAM-like masks survive the filters and NMS
      for (const v of [p!.encoder, p!.clip, p!.decoder, p!.post, p!.naming, p!.cpu])
        expect(v).toBeGreaterThan(0);
      expect(p!.total).toBeGreaterThanOrEqual(p!.encoder + p!.clip + p!.decoder + p!.naming);
    }
    for (const c of [...f.clicks.fp32, ...f.clicks.int8]) expect(c.decoder).toBeGreaterThan(0);
    expect(f.dense[150]).toHaveLength(1);
    expect(f.post.upstream.kept).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('masks kept from the random decoder'))).toBe(true);

    const md = samClipMarkdown({ sam, clip }, f);
    expect(md).toMatch(/\| \*\*whole frame\*\* \| \d+ \| \d+ \| \d+ \|/);
    expect(md).toMatch(/whole frame at 150 classes \/ at 1 class = \d+\.\d\d [✓✗]/);
    expect(md).toMatch(
      /\| dynamic int8 decoder \(target ≤ 150 ms\) \| \d+ \| \d+ \| \d+ \| \d+ [✓✗] \| \d+ \|/,
    );
    expect(md).toMatch(/dense-CLIP family's frame alone .* \d+ ms at 1 class, \d+ ms at 150 classes/);
  }, 300_000);
});
