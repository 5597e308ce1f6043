/**
 * `npm run bench`: the app's CLIPSeg speed against transformers.js's own CLIPSeg on the same model
 * file, in the same headless Chromium, same backend and thread count. See README, "Speed".
 *
 *   npm run bench -- [--model .tmp/bench/clipseg-full] [--rounds 2] [--ep wasm,webgpu]
 *                    [--scenarios S1,S1steady,S2,S3,S4,S5,S5new,S6] [--rows default,names]
 *                    [--frames 10] [--threads N] [--port 4213] [--live-seconds 10] [--prep-frames 20]
 *                    [--split-prompts 4] [--floor-reps 3] [--combine-frames 7] [--out .tmp/bench/results]
 *
 * Without --model it uses (and on first use makes) the random-weight full-size model
 * (tools/make-clipseg-full.ts). `--model <dir>` takes any folder in the hub's layout, e.g. the real
 * Xenova/clipseg-rd64-refined files (onnx/model.onnx, config.json, preprocessor_config.json,
 * tokenizer.json, tokenizer_config.json).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeClipSegBundle } from './lib/clipsegBundle';
import { TITLES, type Rows, type ScenarioId } from './bench/report';
import { runBench } from './bench/run';

const { values: v } = parseArgs({
  options: {
    model: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    ep: { type: 'string' },
    scenarios: { type: 'string', default: Object.keys(TITLES).join(',') },
    rows: { type: 'string', default: 'default,names' },
    frames: { type: 'string', default: '10' },
    threads: { type: 'string' },
    port: { type: 'string', default: '4213' },
    'live-seconds': { type: 'string', default: '10' },
    'prep-frames': { type: 'string', default: '20' },
    'split-prompts': { type: 'string', default: '4' },
    'floor-reps': { type: 'string', default: '3' },
    'combine-frames': { type: 'string', default: '7' },
    out: { type: 'string', default: '.tmp/bench/results' },
    dist: { type: 'string', default: 'dist' },
  },
});

const fail = (msg: string): never => {
  console.error(`bench: ${msg}`);
  process.exit(2);
};
// Default: WASM, then WebGPU where the browser has a hardware adapter. Named: each, whatever the adapter.
const eps = (v.ep ?? 'wasm,webgpu').split(',').map((s) => s.trim());
for (const e of eps) if (e !== 'wasm' && e !== 'webgpu') fail(`--ep takes wasm and/or webgpu, not ${e}`);
const scenarios = v.scenarios.split(',').map((s) => s.trim()) as ScenarioId[];
for (const s of scenarios)
  if (!(s in TITLES)) fail(`unknown scenario ${s} (known: ${Object.keys(TITLES).join(', ')})`);
const rows = v.rows.split(',').map((s) => s.trim()) as Rows[];
for (const r of rows)
  if (r !== 'default' && r !== 'names') fail(`--rows takes default and/or names, not ${r}`);
const int = (s: string, name: string, min = 0) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
  return n;
};

let model = v.model;
if (!model) {
  model = '.tmp/bench/clipseg-full';
  if (!existsSync(path.join(model, 'onnx/model.onnx'))) {
    console.log(`making the random-weight full-size CLIPSeg in ${model} (once; about 545 MB)...`);
    await writeClipSegBundle(model, { seed: 1, size: 'full' });
  }
}

// The app's worker uses min(4, cores) threads when cross-origin isolated: the baseline gets the same.
const threads = v.threads ? int(v.threads, 'threads', 1) : Math.min(4, os.availableParallelism());
const t0 = Date.now();
const parts: string[] = [];
for (const ep of eps as ('wasm' | 'webgpu')[]) {
  const r = await runBench({
    model,
    rounds: int(v.rounds, 'rounds', 1),
    ep,
    hardwareOnly: ep === 'webgpu' && !v.ep,
    scenarios,
    rows,
    frames: int(v.frames, 'frames', 1),
    threads,
    port: int(v.port, 'port'),
    dist: v.dist,
    liveSeconds: int(v['live-seconds'], 'live-seconds'),
    prepFrames: int(v['prep-frames'], 'prep-frames'),
    // Split == unsplit and the floor are backend-independent checks in Node: once, with WASM.
    splitPrompts: ep === 'wasm' || !eps.includes('wasm') ? int(v['split-prompts'], 'split-prompts') : 0,
    floorReps: int(v['floor-reps'], 'floor-reps'),
    combineFrames: int(v['combine-frames'], 'combine-frames'),
    log: (line) => console.log(line),
  });
  if (r) parts.push(`## ${ep === 'wasm' ? 'WASM' : 'WebGPU'}\n\n${r.markdown}`);
}
const md = parts.join('\n\n');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
await mkdir(v.out, { recursive: true });
const file = path.join(v.out, `bench-${stamp}.md`);
await writeFile(file, `${md}\n`);
console.log(`\n${md}\n\n(${Math.round((Date.now() - t0) / 1000)} s; written to ${file})`);
