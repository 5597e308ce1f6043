import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBench } from '../tools/bench/run';
import { writeClipSegBundle } from '../tools/lib/clipsegBundle';
import { expect, onlyOnWasm, test } from './support/fixtures';

/*
 * `npm run bench` end to end on a tiny CLIPSeg from the same generator (so the harness cannot rot):
 * transformers.js and the app's production build on the same file, both rows rules, the work the
 * engine counted per scenario, the live camera loop, the worker's preprocessing times, split ==
 * unsplit and the floor. Figures on a tiny model mean nothing; what is checked is that every part
 * produced figures, that both sides compute the same label map from the same pixels, and that the
 * vocabulary edit (S3) reran one decoder row on the kept vision outputs.
 */
test('the benchmark runs end to end on a tiny CLIPSeg', async ({ ep }) => {
  onlyOnWasm(ep, 'a harness check; the backend switch is one URL parameter on both sides');
  test.setTimeout(15 * 60_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ovseg-bench-'));
  try {
    await writeClipSegBundle(dir, { seed: 3, size: 'tiny' });
    const scenarios = ['S1', 'S1steady', 'S2', 'S3', 'S6'] as const;
    const result = await runBench({
      model: dir,
      rounds: 1,
      ep: 'wasm',
      scenarios: [...scenarios],
      rows: ['default', 'names'],
      frames: 2,
      threads: 2,
      port: 0,
      dist: 'dist',
      liveSeconds: 2,
      liveWarmupSeconds: 1,
      prepFrames: 2,
      splitPrompts: 3,
      floorReps: 1,
      log: (line) => console.log(line),
    });
    expect(result).not.toBeNull(); // null only for WebGPU without a hardware adapter
    const r = result!;
    console.log(r.markdown);
    for (const side of ['tjs', 'default', 'names'])
      for (const s of scenarios) {
        const w = r.walls[`${side}:${s}`];
        expect(w, `${side} ${s}`).toBeDefined();
        expect(w!.length).toBe(s === 'S6' ? 2 : 1);
        for (const t of w!) expect(t).toBeGreaterThan(0);
      }
    // The same pixel values through both: the same label map (the bar: >= 99.9 %).
    expect(r.agreement.same.length).toBe(1);
    expect(r.agreement.same[0]).toBeGreaterThanOrEqual(0.999);
    expect(r.floor!.visionMs).toBeGreaterThan(0);
    expect(r.floor!.decoderRowMs).toBeGreaterThan(0);
    expect(r.live!.frames).toBeGreaterThan(1);
    expect(r.live!.fps).toBeGreaterThan(0);
    expect(r.prep).toHaveLength(2);
    for (const p of r.prep) expect(p.resize).toBeGreaterThan(0);
    expect(r.split).toMatchObject({ n: 3, visionRuns: 1, decoderRuns: 2 });
    expect(r.split!.relative).toBeLessThanOrEqual(1e-3);
    const table = r.markdown.split('\n');
    for (const s of ['S1 one image', 'S1 again', 'S2 same image', 'S3 vocabulary edit', 'S6 webcam'])
      expect(table.filter((l) => l.startsWith(`| ${s}`))).toHaveLength(2);
    // S3 adds one class to S2's on the same image: no vision run, one decoder row (default rows).
    expect(table.find((l) => l.startsWith('| S3 vocabulary edit'))).toContain('| 0 / 1 / 2 |');
    for (const line of ['first run vs steady state', 'Split == unsplit', 'Preprocessing', 'Live camera loop'])
      expect(r.markdown).toContain(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
