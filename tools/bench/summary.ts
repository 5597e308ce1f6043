/** The scenarios' steps and the Markdown summary of a benchmark run. */
import os from 'node:os';
import { describeLive, type LiveFigures } from '../bench-live';
import { median, type FloorTimes, type FloorWork } from '../lib/floor';
import type { SplitCheckResult } from '../lib/splitCheck';
import { prompts, type BenchClass } from './inputs';
import { phases } from './phases';
import {
  medianParts,
  pct,
  scenarioTable,
  TITLES,
  type Rows,
  type ScenarioFigures,
  type ScenarioId,
} from './report';
import { SPLIT_TARGET } from './nodeChecks';
import type { PrepTimes, Sample } from './sides';

/** The speed issue's other bars. */
const FIRST_RUN_TARGET = 1.2;
const LIVE_FPS_TARGET = 10;
const RESIZE_MS_TARGET = 15;

/** What ran besides the scenarios (absent parts are left out of the report). */
export interface Extras {
  floor: FloorTimes | null;
  live: LiveFigures | null;
  prep: PrepTimes[];
  split: SplitCheckResult | null;
}

export interface SummaryOptions {
  model: string;
  ep: 'wasm' | 'webgpu';
  /** The variant both sides loaded (absent: fp32). */
  dtype?: 'fp32' | 'q8';
  rounds: number;
  frames: number;
  scenarios: ScenarioId[];
  rows: Rows[];
}

/** Decoder rows the app runs for a vocabulary (default rule: a class's names averaged above 48 prompts). */
const rowsFor = (classes: readonly BenchClass[], rows: Rows) =>
  rows === 'default' && prompts(classes) > 48 ? classes.length : prompts(classes);

export type Key = `${'tjs' | Rows}:${ScenarioId}`;

export function summary(
  o: SummaryOptions,
  samples: Map<Key, Sample[]>,
  firstFrame: Map<string, number[]>,
  agree: { own: number[]; same: number[] },
  extras: Extras,
  threads: number,
): string {
  const { floor, live, prep, split } = extras;
  const steps = phases(o.frames).flat();
  const ids = (Object.keys(TITLES) as ScenarioId[]).filter((id) => o.scenarios.includes(id));
  const out: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out.push(
    `Model: ${o.model} (${o.dtype === 'q8' ? 'q8: onnx/model_quantized.onnx, dynamic int8' : 'fp32'}); ${o.ep.toUpperCase()}, ${threads} threads; ${o.rounds} interleaved round(s), medians; ` +
      `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average at the end ${os.loadavg()[0]!.toFixed(1)}.`,
  );
  for (const rows of o.rows) {
    const figs: ScenarioFigures[] = ids.map((id) => {
      const step = steps.find((s) => s.id === id)!;
      const app = samples.get(`${rows}:${id}`) ?? [];
      const tjs = samples.get(`tjs:${id}`) ?? [];
      const { work, counted } = workOf(app, step.classes, rows);
      return {
        id,
        tjs: tjs.map((s) => s.wall),
        app: app.map((s) => s.wall),
        appParts: medianParts(app.map((s) => s.parts)),
        tjsParts: medianParts(tjs.map((s) => s.parts)),
        work,
        counted,
      };
    });
    out.push(
      '',
      `### Rows: ${rows === 'default' ? "the app's default (a class's names averaged into one row above 48 prompts)" : 'one row per name (max over names, as transformers.js)'}`,
      '',
    );
    if (rows === 'names')
      out.push(
        'Asked for with the manifest\'s `"classMode": "max"`; an engine that still averages above 48 prompts runs the default rows here (then the floor, counted per name, overstates its work).',
        '',
      );
    out.push(scenarioTable(rows, figs, floor));
    const s1 = figs.find((f) => f.id === 'S1');
    const s1s = figs.find((f) => f.id === 'S1steady');
    const lines: string[] = [];
    if (s1 && s1s) {
      const r = median(s1.app) / median(s1s.app);
      lines.push(
        `first run vs steady state, S1 (the same work again on a warm engine, 10 other names, new image; target ≤ ${FIRST_RUN_TARGET}×): ` +
          `project ${Math.round(median(s1.app))} vs ${Math.round(median(s1s.app))} ms = ${r.toFixed(2)}×${mark(r <= FIRST_RUN_TARGET)}; ` +
          `transformers.js ${Math.round(median(s1.tjs))} vs ${Math.round(median(s1s.tjs))} ms`,
      );
    }
    const s6 = figs.find((f) => f.id === 'S6');
    if (s6)
      lines.push(
        `first frame vs steady state, S6: project ${Math.round(median(firstFrame.get(rows) ?? []))} vs ${Math.round(median(s6.app))} ms (median of all frames), ` +
          `transformers.js ${Math.round(median(firstFrame.get('tjs') ?? []))} vs ${Math.round(median(s6.tjs))} ms`,
      );
    if (lines.length) out.push('', ...lines.map((l) => `- ${l}`));
  }
  if (agree.own.length)
    out.push(
      '',
      `S1 label-map agreement with transformers.js at the model's resolution (target ≥ 99.9 %): ${pct(median(agree.same))} on the same pixel values, ` +
        `${pct(median(agree.own))} with each side's own image preprocessing.`,
    );
  const floorEp = floor?.ep === 'webgpu' ? `WebGPU (Dawn, ${floor.adapter ?? 'unnamed adapter'})` : 'WASM';
  if (floor)
    out.push(
      '',
      `Floor (bare parts, ONNX Runtime ${floorEp} in Node, ${threads} threads, median of ${floor.reps}): vision tower ${Math.round(floor.visionMs)} ms a run, ` +
        `decoder ${floor.decoderRowMs.toFixed(1)} ms a row (timed ${floor.rowsPerRun ?? 1} row(s) a run, as the app runs this file on ${floor.ep === 'webgpu' ? 'WebGPU' : 'WASM'}), text ${floor.textMs.toFixed(1)} ms a prompt (timed ${floor.textRowsPerRun ?? 1} prompt(s) a run, as the app encodes this file). A scenario's floor: its vision runs + decoder rows + prompts encoded, as the engine counted them (table).`,
    );
  if (split)
    out.push(
      '',
      `Split == unsplit (ONNX Runtime WASM in Node, ${split.n} seeded prompts: the whole graph against the app's three-way split, ${split.visionRuns} vision run, ` +
        `the decoder in ${split.decoderRuns} runs): max abs difference ${split.maxAbs.toExponential(2)}, logits' range ${split.range.toFixed(3)}, ` +
        `relative ${split.relative.toExponential(2)} (target ≤ ${SPLIT_TARGET}): ${split.relative <= SPLIT_TARGET ? 'PASS' : 'FAIL'}.`,
    );
  if (prep.length) {
    const stat = (k: keyof PrepTimes) => {
      const v = prep.map((p) => p[k]);
      return { med: median(v), min: Math.min(...v) };
    };
    const [rs, rd] = [stat('resize'), stat('read')];
    out.push(
      '',
      `Preprocessing in the app's worker, 640x480 picture to the CLIPSeg input 352x352 (PIL bilinear resize + normalise; WASM build, ${prep.length} pictures after 2 warm-up ones; ` +
        `target ≤ ${RESIZE_MS_TARGET} ms): resize median ${rs.med.toFixed(1)} ms${mark(rs.med <= RESIZE_MS_TARGET)}, min ${rs.min.toFixed(1)} ms${mark(rs.min <= RESIZE_MS_TARGET)}; ` +
        `reading the bitmap's pixels median ${rd.med.toFixed(1)} ms, min ${rd.min.toFixed(1)} ms.`,
    );
  }
  if (live)
    out.push(
      '',
      `Live camera loop, embedded model, WASM (Chromium's fake camera playing the test video at 30 fps; target ≥ ${LIVE_FPS_TARGET} fps): ` +
        `${live.fps.toFixed(1)} fps${mark(live.fps >= LIVE_FPS_TARGET)}. ${describeLive(live)}.`,
    );
  return out.join('\n');
}

const mark = (ok: boolean) => (ok ? ' ✓' : ' ✗');

/**
 * A scenario's work on the project side: the vision runs and decoder rows the engine counted (the
 * growth of its counters over each request), and the prompts it encoded; where the engine does not
 * count vision runs and rows, one vision run and the documented rows rule.
 */
function workOf(
  app: readonly Sample[],
  classes: readonly BenchClass[],
  rows: Rows,
): { work: FloorWork; counted: boolean } {
  const w = app.map((s) => s.work);
  const textRuns = median(w.map((x) => x?.prompts ?? NaN).filter(Number.isFinite));
  const counted = w.length > 0 && w.every((x) => x?.vision !== undefined && x.decoderRows !== undefined);
  if (!counted) return { work: { visionRuns: 1, decoderRows: rowsFor(classes, rows), textRuns }, counted };
  return {
    work: {
      visionRuns: median(w.map((x) => x!.vision!)),
      decoderRows: median(w.map((x) => x!.decoderRows!)),
      textRuns,
    },
    counted,
  };
}
