import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPLATES } from '../src/models/clip/constants';
import { runClipDenseBench } from '../tools/bench/clipDense';
import { ADE } from '../tools/bench/inputs';
import { writeClipTowersBundle } from '../tools/lib/clipTowersBundle';
import { expect, onlyOnWasm, test } from './support/fixtures';

/*
 * The benchmark's dense-CLIP part end to end on toy CLIP towers from the same generator as the
 * full-size bench model: the app's production build loads the folder through its manifest, encodes
 * ADE20K-150 in the templates once, then times frames at 1, 20 and 150 classes with every name
 * cached (no prompt encoded, a new image pass), the live camera loop with this model, and the Node figures.
 * Times on a toy model mean nothing; what is checked is that every part produced its figures and
 * that the frames did the work the ratio is about.
 */
test('the dense-CLIP part of the benchmark runs end to end on toy towers', async ({ ep }) => {
  onlyOnWasm(ep, "a harness check; the family's bar is a WASM figure");
  test.setTimeout(15 * 60_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ovseg-bench-clip-'));
  try {
    await writeClipTowersBundle(dir, { seed: 3, size: 'tiny' });
    const r = await runClipDenseBench({
      model: dir,
      rounds: 1,
      threads: 2,
      port: 0,
      dist: 'dist',
      liveSeconds: 3,
      liveWarmupSeconds: 1,
      nodeReps: 1,
      clipseg: { walls: { 'default:S4': [2000], 'default:S5new': [7000] }, parts: {} },
      log: (line) => console.log(line),
    });
    console.log(r.markdown);
    // First run: every prompt of ADE20K-150 in the preset's templates is new.
    expect(r.firstRun.work?.prompts).toBe(ADE.length * DEFAULT_TEMPLATES.length);
    expect(r.firstRun.parts.text).toBeGreaterThan(0);
    for (const c of [1, 20, 150] as const) {
      expect(r.frames[c], `${c} classes`).toHaveLength(1);
      const s = r.frames[c][0]!;
      expect(s.wall).toBeGreaterThan(0);
      // Names cached: the frame encodes nothing; a new picture: a new image pass (its windows).
      expect(s.work?.prompts, `${c} classes`).toBe(0);
      expect(s.work?.vision, `${c} classes`).toBeGreaterThan(0);
    }
    expect(r.live!.frames).toBeGreaterThan(1);
    expect(r.live!.fps).toBeGreaterThan(0);
    expect(r.node!.windows).toBe(15);
    expect(r.node!.windowMs).toBeGreaterThan(0);
    expect(r.markdown).toMatch(/frame at 150 classes \/ at 1 class = \d+\.\d\d [✓✗]/);
    expect(r.markdown).toContain('| 7000 | S5 new image');
    expect(r.markdown).toContain('live camera loop with this model');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
