import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Left half pure red, right half pure blue. */
function halves(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set(x < w / 2 ? [220, 20, 30] : [20, 40, 220], (y * w + x) * 3);
  return encode({ width: w, height: h, data, channels: 3 });
}

describe('npm run segment (command line)', () => {
  it('writes a label-map PNG and its JSON legend from the embedded model', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ovseg-cli-'));
    const img = path.join(dir, 'halves.png');
    writeFileSync(img, halves(96, 64));
    const out = path.join(dir, 'labels.png');
    const args = ['tsx', 'tools/segment.ts', '--model', 'public/models/colours', '--image', img];
    const { stdout } = await run('npx', [
      ...args,
      '--classes',
      'blue | navy, red | crimson, green',
      '--out',
      out,
    ]);
    expect(stdout).toContain('wrote');
    const png = decode(readFileSync(out));
    expect([png.width, png.height, png.channels]).toEqual([96, 64, 1]);
    const legend = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8'));
    const value = (label: string) => legend.classes.find((c: { label: string }) => c.label === label).value;
    // Away from the seam, every pixel takes its half's colour class.
    for (const [x, label] of [
      [10, 'red'],
      [85, 'blue'],
    ] as const)
      for (let y = 4; y < 60; y += 8) expect(png.data[y * 96 + x]).toBe(value(label));
  }, 120_000);

  it('fails with a clear message on an unreadable image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ovseg-cli-'));
    const bad = path.join(dir, 'bad.png');
    writeFileSync(bad, 'not an image');
    const args = [
      'tsx',
      'tools/segment.ts',
      '--model',
      'public/models/colours',
      '--image',
      bad,
      '--classes',
      'red',
    ];
    const err = await run('npx', [...args, '--out', path.join(dir, 'o.png')]).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/error: .*(not a PNG or JPEG|could not be decoded)/i);
  }, 120_000);
});
