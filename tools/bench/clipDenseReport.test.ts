import { describe, expect, it } from 'vitest';
import { clipDenseMarkdown, type ClipDenseFigures } from './clipDenseReport';
import type { Sample } from './sides';

const sample = (wall: number, text = 0, prompts = 0): Sample => ({
  wall,
  parts: { text, image: wall - text - 5, combine: 5 },
  work: { vision: 15, prompts },
});

function figures(at1: number[], at150: number[]): ClipDenseFigures {
  return {
    loadMs: 1234,
    firstRun: sample(30_000, 20_000, 1200),
    frames: { 1: at1.map((w) => sample(w)), 20: [sample(1010)], 150: at150.map((w) => sample(w)) },
    live: null,
    node: null,
  };
}

const opts = {
  model: 'm',
  rounds: 2,
  threads: 2,
  clipseg: {
    walls: { 'default:S4': [2000, 2200], 'default:S5new': [7000], 'default:S5': [7500] },
    parts: { 'default:S5': { text: 1000 } },
  },
};

describe('dense-CLIP bench report', () => {
  it('gives the 150 / 1 ratio of median frame times against the 1.1 bar', () => {
    const ok = clipDenseMarkdown(opts, figures([1000, 1100], [1040, 1060]));
    expect(ok).toContain('frame at 150 classes / at 1 class = 1.00 ✓');
    const bad = clipDenseMarkdown(opts, figures([1000], [1200]));
    expect(bad).toContain('= 1.20 ✗');
  });

  it("puts the same run's CLIPSeg S4 and S5-new-image beside the 20- and 150-class frames", () => {
    const md = clipDenseMarkdown(opts, figures([1000], [1050])).split('\n');
    const row = (start: string) => md.find((l) => l.startsWith(`| ${start}`)) ?? '';
    expect(row('PASCAL VOC')).toContain('| 1010 |');
    expect(row('PASCAL VOC')).toContain('| 2100 | S4');
    expect(row('ADE20K-150')).toContain('| 1050 |');
    expect(row('ADE20K-150')).toContain('| 7000 | S5 new image');
    expect(row('ADE20K-150')).toContain('| 15.00 / 0.00 |');
    expect(md.join('\n')).toContain('CLIPSeg 150 / 20 (S5 new image / S4) = 3.33');
  });

  it('reports the first run’s text encoding, and dashes where CLIPSeg did not run', () => {
    const md = clipDenseMarkdown({ ...opts, clipseg: null }, figures([1000], [1050]));
    expect(md).toContain('text encoding 20000 ms for 1200 prompts');
    expect(md).not.toContain('CLIPSeg S5 first run');
    expect(md.split('\n').find((l) => l.startsWith('| ADE20K-150'))).toContain('| – | S5 new image');
  });

  it('estimates the live rate from the worker time when the window held one result', () => {
    const f = figures([1000], [1050]);
    const m = {
      capture: 1,
      preprocess: 20,
      image: 4950,
      combine: 30,
      render: 1,
      total: 5000,
      latency: 5001,
      interval: NaN,
    };
    f.live = { ep: 'wasm', fps: NaN, cameraFps: 30, frames: 1, median: m, shown: '' };
    expect(clipDenseMarkdown(opts, f)).toContain(
      '1 result(s) in the window, so no measured rate; ≈ 0.200 fps',
    );
  });
});
