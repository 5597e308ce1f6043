import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { TEST_EP, TEST_EP_NAME } from '../test-support/testEp';

const run = promisify(execFile);

async function segment(ep: 'wasm' | 'webgpu', dir: string) {
  const out = path.join(dir, `${ep}.png`);
  const { stdout } = await run('npx', [
    'tsx',
    'tools/segment.ts',
    ...['--ep', ep, '--model', 'fixtures/clipseg-tiny', '--image', 'fixtures/clipseg-tiny/image.png'],
    ...['--classes', 'a red disc, a blue rectangle, grass', '--dtype', 'fp32', '--out', out],
  ]);
  return { stdout, labels: decode(readFileSync(out)).data };
}

describe(`npm run segment -- --ep ${TEST_EP} (${TEST_EP_NAME})`, () => {
  it('segments clipseg-tiny (fp32) on the asked backend, as WASM does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ovseg-cli-ep-'));
    const asked = await segment(TEST_EP, dir);
    expect(asked.stdout).toContain(`[fp32] on ${TEST_EP_NAME}, 400x300`);
    if (TEST_EP === 'wasm') return; // the WASM label map itself: src/models/dense/denseModel.golden.test.ts
    // The adapter is named, and lavapipe (or any CPU implementation) is said to be one.
    expect(asked.stdout).toMatch(/WebGPU adapter: \S/);
    const wasm = await segment('wasm', dir);
    let same = 0;
    for (let i = 0; i < wasm.labels.length; i++) if (wasm.labels[i] === asked.labels[i]) same++;
    expect(same / wasm.labels.length).toBeGreaterThanOrEqual(0.999);
  }, 300_000);
});
