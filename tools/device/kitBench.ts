/**
 * The device kit's bench: on each backend (WebGPU through Dawn, then WASM), CLIPSeg's bare parts,
 * the S1-S6 work through the Node engine, the dense-CLIP frame at 1 and 150 classes and the SAM
 * family's parts, on the full-size random models the kit made on the server (kit.ts, `make`).
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ep } from '../../src/models/runtime/ortRuntime';
import type { FloorTimes } from '../lib/floor';
import { MODEL_FILE } from '../lib/clipsegBundle';
import { installDawnGpu } from '../lib/dawnGpu';
import { measureClipDenseNode, type ClipDenseNodeFigures } from '../bench/clipDenseNode';
import { measureFloor } from '../bench/nodeChecks';
import { measureSamClip, type SamClipFigures } from '../bench/samClipNode';
import { runScenarios, type ScenarioFigures } from './scenarios';

export const PARTS = ['clipseg', 'scenarios', 'dense', 'sam'] as const;
export type Part = (typeof PARTS)[number];

export interface KitBenchOptions {
  models: { clipseg: string; clip: string; sam: string };
  eps: Ep[];
  parts: Part[];
  threads: number;
  frames: number;
  reps: number;
  clicks: number;
  log: (line: string) => void;
}

export interface EpFigures {
  ep: Ep;
  /** The adapter (WebGPU) or the CPU (WASM) the figures come from. */
  device: string;
  /** Why this backend was not measured. */
  skipped?: string;
  floor?: FloorTimes;
  scenarios?: ScenarioFigures;
  dense?: ClipDenseNodeFigures;
  sam?: SamClipFigures;
  /** Per part: seconds, or the error that stopped it. */
  seconds: Partial<Record<Part, number>>;
  errors: Partial<Record<Part, string>>;
}

export interface KitBenchResult {
  host: { cpus: number; cpu: string; memoryGiB: number };
  options: Omit<KitBenchOptions, 'log'>;
  eps: EpFigures[];
  seconds: number;
}

async function webgpuDevice(): Promise<{ device: string; skipped?: string }> {
  try {
    const g = await installDawnGpu();
    return { device: `${g.adapter}${g.isFallback ? ' (software fallback)' : ''}` };
  } catch (e) {
    return { device: 'none', skipped: e instanceof Error ? e.message : String(e) };
  }
}

export async function runKitBench(o: KitBenchOptions): Promise<KitBenchResult> {
  const t0 = performance.now();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const out: EpFigures[] = [];
  for (const ep of o.eps) {
    const dev = ep === 'webgpu' ? await webgpuDevice() : { device: `${cpu}, ${o.threads} threads` };
    const f: EpFigures = { ep, ...dev, seconds: {}, errors: {} };
    out.push(f);
    if (f.skipped) {
      o.log(`${ep}: not measured (${f.skipped})`);
      continue;
    }
    o.log(`${ep}: ${f.device}`);
    // One part failing (a kernel the backend lacks, memory) leaves the others' figures standing.
    const part = async (p: Part, run: () => Promise<void>) => {
      if (!o.parts.includes(p)) return;
      const t = performance.now();
      try {
        await run();
      } catch (e) {
        f.errors[p] = e instanceof Error ? e.message : String(e);
        o.log(`${ep} ${p}: failed: ${f.errors[p]}`);
      }
      f.seconds[p] = Math.round((performance.now() - t) / 100) / 10;
      o.log(`${ep} ${p}: ${f.seconds[p]} s`);
    };
    await part('clipseg', async () => {
      const bytes = new Uint8Array(await readFile(path.join(o.models.clipseg, MODEL_FILE)));
      f.floor = await measureFloor(bytes, o.threads, o.reps, ep);
    });
    await part('scenarios', async () => {
      f.scenarios = await runScenarios({ ...o, model: o.models.clipseg, ep });
    });
    await part('dense', async () => {
      f.dense = await measureClipDenseNode(o.models.clip, o.threads, o.reps, [1, 150], 'fp32', ep);
    });
    await part('sam', async () => {
      f.sam = await measureSamClip({
        sam: o.models.sam,
        clip: o.models.clip,
        threads: o.threads,
        reps: 1,
        clicks: o.clicks,
        postRuns: 2,
        log: o.log,
        ep,
      });
    });
  }
  const { log: _log, ...options } = o;
  return {
    host: { cpus: os.cpus().length, cpu, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
    options,
    eps: out,
    seconds: Math.round((performance.now() - t0) / 1000),
  };
}
