/**
 * The device kit's one program (bundled with its engine into one file by tools/device/pack.ts; run by
 * the kit's probe.sh and bench.sh with the kit's own Node):
 *
 *   kit probe [--json <file>]
 *   kit make  [--size full|tiny] [--models <dir>]
 *   kit bench [--size full|tiny] [--models <dir>] [--out <dir>] [--ep webgpu,wasm]
 *             [--parts clipseg,scenarios,dense,sam] [--frames 10] [--reps 2] [--clicks 3] [--threads N]
 *
 * `make` writes the random-weight models on the server (nothing is downloaded; each folder once, a
 * `.made` mark after its last file, so a folder cut short is made again). `--size tiny` is the same
 * work on the small test shapes: the kit proved on a CPU-only Vulkan driver in minutes.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Ep } from '../../src/models/runtime/ortRuntime';
import { writeClipSegBundle } from '../lib/clipsegBundle';
import { writeClipTowersBundle } from '../lib/clipTowersBundle';
import { writeSamBundle } from '../lib/samBundle';
import { PARTS, runKitBench, type Part } from './kitBench';
import { kitMarkdown } from './kitReport';
import { probeText, verdict } from './probe';
import { gatherFacts } from './probeRun';
import { ortIsBrowserBuild } from '../lib/nodeSegmenter';

// The bundle's ORT is the browser build already (pack.ts): the engine must not load a second one.
ortIsBrowserBuild();

const [command, ...rest] = process.argv.slice(2);
const { values: v } = parseArgs({
  args: rest,
  options: {
    json: { type: 'string' },
    size: { type: 'string', default: 'full' },
    models: { type: 'string', default: 'models' },
    out: { type: 'string', default: 'results' },
    ep: { type: 'string', default: 'webgpu,wasm' },
    parts: { type: 'string', default: PARTS.join(',') },
    frames: { type: 'string', default: '10' },
    reps: { type: 'string', default: '2' },
    clicks: { type: 'string', default: '3' },
    threads: { type: 'string' },
  },
});

const fail = (msg: string): never => {
  console.error(`kit: ${msg}`);
  process.exit(2);
};
const int = (s: string, name: string) => {
  const n = Number(s);
  return Number.isInteger(n) && n >= 1 ? n : fail(`--${name} must be an integer >= 1`);
};
const list = <T extends string>(s: string, known: readonly T[], name: string): T[] =>
  s
    .split(',')
    .map((x) => (known.includes(x.trim() as T) ? (x.trim() as T) : fail(`--${name}: unknown ${x}`)));

const size = v.size === 'full' || v.size === 'tiny' ? v.size : fail('--size is full or tiny');
const models = {
  clipseg: path.resolve(v.models, `clipseg-${size}`),
  clip: path.resolve(v.models, `clip-b16-${size}`),
  sam: path.resolve(v.models, size === 'full' ? 'slimsam77' : 'sam-tiny'),
};

async function once(dir: string, what: string, make: () => Promise<unknown>) {
  const mark = path.join(dir, '.made');
  if (existsSync(mark)) return;
  console.log(`making ${what} in ${dir} (once)...`);
  const t0 = performance.now();
  await rm(dir, { recursive: true, force: true });
  await make();
  await writeFile(mark, new Date().toISOString());
  console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function make() {
  await mkdir(v.models, { recursive: true });
  await once(models.clipseg, `the random-weight CLIPSeg (${size})`, () =>
    writeClipSegBundle(models.clipseg, { seed: 1, size }),
  );
  await once(models.clip, `the random-weight CLIP ViT-B/16 towers (${size})`, () =>
    writeClipTowersBundle(models.clip, { seed: 1, size }),
  );
  await once(models.sam, `the random-weight SAM (${size === 'full' ? 'slimsam77' : 'tiny'})`, () =>
    writeSamBundle(models.sam, { seed: 1, size: size === 'full' ? 'slimsam77' : 'tiny' }),
  );
}

async function probe(): Promise<number> {
  const facts = await gatherFacts();
  console.log(probeText(facts));
  if (v.json) await writeFile(v.json, JSON.stringify({ facts, verdict: verdict(facts) }, null, 2));
  return verdict(facts).gpuReady ? 0 : 3;
}

async function bench() {
  const t0 = performance.now();
  await make();
  const facts = await gatherFacts();
  const r = await runKitBench({
    models,
    eps: list<Ep>(v.ep, ['webgpu', 'wasm'], 'ep'),
    parts: list<Part>(v.parts, PARTS, 'parts'),
    threads: v.threads ? int(v.threads, 'threads') : Math.min(4, os.availableParallelism()),
    frames: int(v.frames, 'frames'),
    reps: int(v.reps, 'reps'),
    clicks: int(v.clicks, 'clicks'),
    log: (line) => console.log(line),
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await mkdir(v.out, { recursive: true });
  const base = path.join(v.out, `device-bench-${stamp}`);
  const seconds = Math.round((performance.now() - t0) / 1000);
  const md =
    kitMarkdown(r, `Device kit bench, ${size} models`) +
    `\nWith start-up (models made where missing): ${seconds} s.\n\nProbe:\n\n\`\`\`\n${probeText(facts)}\n\`\`\`\n`;
  await writeFile(
    `${base}.json`,
    JSON.stringify({ size, withStartUpSeconds: seconds, probe: facts, ...r }, null, 2),
  );
  await writeFile(`${base}.md`, md);
  console.log(`\n${md}\nwritten to ${base}.json and ${base}.md`);
}

const commands: Record<string, () => Promise<unknown>> = { probe, make, bench };
const run = command ? commands[command] : undefined;
if (!run) fail(`usage: kit probe|make|bench [options] (see docs/device.md)`);
const code = await run!();
// Dawn's and ORT's threads would keep the process alive after the work is done.
process.exit(typeof code === 'number' ? code : 0);
