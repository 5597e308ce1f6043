/**
 * `npm run bench`: the app's CLIPSeg speed against transformers.js's own CLIPSeg on the same model
 * file, in the same headless Chromium, same backend and thread count. See README, "Speed".
 *
 *   npm run bench -- [--model .tmp/bench/clipseg-full] [--rounds 2] [--ep wasm,webgpu] [--dtype fp32|q8]
 *                    [--scenarios S1,S1steady,S2,S3,S4,S5,S5new,S6] [--rows default,names]
 *                    [--frames 10] [--threads N] [--port 4213] [--live-seconds 10] [--prep-frames 20]
 *                    [--split-prompts 4] [--floor-reps 3] [--combine-frames 7] [--out .tmp/bench/results]
 *                    [--family clipseg,clip-dense] [--clip-model .tmp/bench/clip-b16-full]
 *                    [--dense-rounds 2] [--dense-live-seconds 30] [--dense-node-reps 2]
 *                    [--family sam-clip] [--sam-size slimsam77|sam-vit-b] [--sam-model <dir>]
 *                    [--sam-reps 1] [--sam-clicks 5]
 *
 * Without --model it uses (and on first use makes) the random-weight full-size model
 * (tools/make-clipseg-full.ts). `--model <dir>` takes any folder in the hub's layout, e.g. the real
 * Xenova/clipseg-rd64-refined files (onnx/model.onnx, config.json, preprocessor_config.json,
 * tokenizer.json, tokenizer_config.json).
 *
 * The floor (the bare model parts, timed in Node) is timed on each run's own backend: WebGPU's
 * through Dawn's Node bindings (tools/lib/dawnGpu.ts; see docs/testing.md, "WebGPU in Node").
 *
 * `--dtype q8`: both sides load the dynamic-int8 `onnx/model_quantized.onnx` (transformers.js's WASM
 * default; the dense-CLIP part its towers' `*_quantized.onnx`), and the floor is timed on it. A
 * folder without the int8 files gets them made from its fp32 ones (tools/lib/quantizeBundle.ts).
 *
 * The dense-CLIP part (`--family clip-dense`, WASM only) times the app on CLIP ViT-B/16 towers
 * (default: the random-weight full-size ones of tools/make-clip-b16-full.ts, made on first use; any
 * folder in Xenova/clip-vit-base-patch16's layout with an `ovseg.json` manifest) at 1, 20 and 150
 * classes beside the same run's CLIPSeg figures (tools/bench/clipDense.ts).
 *
 * The SAM part (`--family sam-clip`, not in the default families: a frame takes minutes on WASM)
 * times the sam-clip family's pieces in Node (tools/bench/samClipNode.ts): SAM's encoder, the decoder
 * per 64 points, the automatic mask generation's post-processing, the naming, whole frames at 1 and
 * 150 classes, a click (fp32 and dynamic int8 decoder) and the dense-CLIP frame on the same picture.
 * Default SAM: the random-weight full-size one of tools/make-sam-full.ts (`--sam-size`, made on
 * first use), or any folder in transformers.js's SAM layout with a config.json (`--sam-model`); the
 * CLIP towers as for the dense-CLIP part.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runClipDenseBench } from './bench/clipDense';
import { measureSamClip } from './bench/samClipNode';
import { samClipMarkdown } from './bench/samClipReport';
import { MODEL_FILE, writeClipSegBundle } from './lib/clipsegBundle';
import { TEXT_FILE, VISION_FILE, writeClipTowersBundle } from './lib/clipTowersBundle';
import { writeQuantized } from './lib/quantizeBundle';
import { writeSamBundle } from './lib/samBundle';
import { SAM_FILES } from './lib/samGraph';
import { TITLES, type Rows, type ScenarioId } from './bench/report';
import { runBench } from './bench/run';

const { values: v } = parseArgs({
  options: {
    model: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    ep: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
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
    family: { type: 'string', default: 'clipseg,clip-dense' },
    'clip-model': { type: 'string' },
    'dense-rounds': { type: 'string', default: '2' },
    'dense-live-seconds': { type: 'string', default: '30' },
    'dense-node-reps': { type: 'string', default: '2' },
    'sam-size': { type: 'string', default: 'slimsam77' },
    'sam-model': { type: 'string' },
    'sam-reps': { type: 'string', default: '1' },
    'sam-clicks': { type: 'string', default: '5' },
  },
});

const fail = (msg: string): never => {
  console.error(`bench: ${msg}`);
  process.exit(2);
};
// Default: WASM, then WebGPU where the browser has a hardware adapter. Named: each, whatever the adapter.
const eps = (v.ep ?? 'wasm,webgpu').split(',').map((s) => s.trim());
for (const e of eps) if (e !== 'wasm' && e !== 'webgpu') fail(`--ep takes wasm and/or webgpu, not ${e}`);
const dtype = v.dtype as 'fp32' | 'q8';
if (dtype !== 'fp32' && dtype !== 'q8') fail(`--dtype takes fp32 or q8, not ${dtype}`);
const scenarios = v.scenarios.split(',').map((s) => s.trim()) as ScenarioId[];
for (const s of scenarios)
  if (!(s in TITLES)) fail(`unknown scenario ${s} (known: ${Object.keys(TITLES).join(', ')})`);
const rows = v.rows.split(',').map((s) => s.trim()) as Rows[];
for (const r of rows)
  if (r !== 'default' && r !== 'names') fail(`--rows takes default and/or names, not ${r}`);
const families = v.family.split(',').map((s) => s.trim());
const FAMILIES = ['clipseg', 'clip-dense', 'sam-clip'];
for (const f of families) if (!FAMILIES.includes(f)) fail(`--family takes ${FAMILIES.join(', ')}, not ${f}`);
const samSize = v['sam-size'] as 'slimsam77' | 'sam-vit-b';
if (samSize !== 'slimsam77' && samSize !== 'sam-vit-b')
  fail(`--sam-size takes slimsam77 or sam-vit-b, not ${samSize}`);
const int = (s: string, name: string, min = 0) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
  return n;
};

let model = v.model;
if (!model && families.includes('clipseg')) {
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
let clipModel = v['clip-model'];
if (!clipModel && (families.includes('clip-dense') || families.includes('sam-clip'))) {
  clipModel = '.tmp/bench/clip-b16-full';
  if (!existsSync(path.join(clipModel, 'onnx/vision_model.onnx'))) {
    console.log(`making the random-weight CLIP ViT-B/16 towers in ${clipModel} (once; about 600 MB)...`);
    await writeClipTowersBundle(clipModel, { seed: 1, size: 'full' });
  }
}
// Folders made before the bundles carried their int8 files (or brought by --model) get them once.
if (dtype === 'q8') {
  const made = [
    ...(model ? await writeQuantized(model, [MODEL_FILE], false) : []),
    ...(clipModel && families.includes('clip-dense')
      ? await writeQuantized(clipModel, [VISION_FILE, TEXT_FILE], false)
      : []),
  ];
  for (const q of made) console.log(`made ${q.file} (dynamic int8, ${(q.bytes / 1e6).toFixed(1)} MB)`);
}
const dense = families.includes('clip-dense');
if (dense && !eps.includes('wasm')) console.log('the dense-CLIP part runs on WASM only: not measured');
for (const ep of eps as ('wasm' | 'webgpu')[]) {
  const r = !model
    ? null
    : await runBench({
        model,
        rounds: int(v.rounds, 'rounds', 1),
        ep,
        dtype,
        hardwareOnly: ep === 'webgpu' && !v.ep,
        scenarios,
        rows,
        frames: int(v.frames, 'frames', 1),
        threads,
        port: int(v.port, 'port'),
        dist: v.dist,
        liveSeconds: int(v['live-seconds'], 'live-seconds'),
        prepFrames: int(v['prep-frames'], 'prep-frames'),
        // Split == unsplit is a backend-independent check in Node: once, with WASM. The floor is timed
        // in Node on the run's own backend (WebGPU: Dawn's Node bindings, in a process of its own).
        splitPrompts: ep === 'wasm' || !eps.includes('wasm') ? int(v['split-prompts'], 'split-prompts') : 0,
        floorReps: int(v['floor-reps'], 'floor-reps'),
        combineFrames: int(v['combine-frames'], 'combine-frames'),
        log: (line) => console.log(line),
      });
  if (r) parts.push(`## ${ep === 'wasm' ? 'WASM' : 'WebGPU'}\n\n${r.markdown}`);
  // The family's bar is a WASM figure; its frames take seconds each on a CPU.
  if (dense && ep === 'wasm') {
    const d = await runClipDenseBench({
      model: clipModel!,
      dtype,
      rounds: int(v['dense-rounds'], 'dense-rounds', 1),
      threads,
      port: int(v.port, 'port'),
      dist: v.dist,
      liveSeconds: int(v['dense-live-seconds'], 'dense-live-seconds'),
      nodeReps: int(v['dense-node-reps'], 'dense-node-reps'),
      clipseg: r,
      log: (line) => console.log(line),
    });
    parts.push(`## Dense-CLIP (ClearCLIP-style), WASM\n\n${d.markdown}`);
  }
}
if (families.includes('sam-clip')) {
  let sam = v['sam-model'];
  if (!sam) {
    sam = `.tmp/bench/${samSize}`;
    if (!existsSync(path.join(sam, SAM_FILES.decoder))) {
      console.log(`making the random-weight ${samSize} in ${sam} (once)...`);
      await writeSamBundle(sam, { seed: 1, size: samSize });
    }
  }
  const f = await measureSamClip({
    sam,
    clip: clipModel!,
    threads,
    reps: int(v['sam-reps'], 'sam-reps', 1),
    clicks: int(v['sam-clicks'], 'sam-clicks', 1),
    postRuns: 5,
    log: (line) => console.log(line),
  });
  parts.push(
    `## SAM proposals named by CLIP (sam-clip), WASM in Node\n\n${samClipMarkdown({ sam, clip: clipModel! }, f)}`,
  );
}
const md = parts.join('\n\n');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
await mkdir(v.out, { recursive: true });
const file = path.join(v.out, `bench-${stamp}.md`);
await writeFile(file, `${md}\n`);
console.log(`\n${md}\n\n(${Math.round((Date.now() - t0) / 1000)} s; written to ${file})`);
