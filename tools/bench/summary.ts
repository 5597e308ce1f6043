/** The scenarios' steps and the Markdown summary of a benchmark run. */
import os from 'node:os';
import { median, type FloorTimes } from '../lib/floor';
import { ADE, prompts, TEN, TEN_MORE, VOC, VOC_PLUS, type BenchClass } from './inputs';
import {
  medianParts,
  pct,
  scenarioTable,
  TITLES,
  type Rows,
  type ScenarioFigures,
  type ScenarioId,
} from './report';
import type { Sample } from './sides';

export interface SummaryOptions {
  model: string;
  ep: 'wasm' | 'webgpu';
  rounds: number;
  frames: number;
  scenarios: ScenarioId[];
  rows: Rows[];
}

export interface Step {
  id: ScenarioId;
  image: string;
  classes: readonly BenchClass[];
  labels?: boolean;
  live?: boolean;
}

/** Phase A shares one page (S2-S4 and S6 build on S1's state); S5 starts a fresh page (first run). */
export const phases = (frames: number): Step[][] => [
  [
    { id: 'S1', image: 'a', classes: TEN, labels: true },
    { id: 'S1steady', image: 'c', classes: TEN_MORE },
    { id: 'S2', image: 'a', classes: VOC },
    { id: 'S3', image: 'a', classes: VOC_PLUS },
    { id: 'S4', image: 'b', classes: VOC },
    ...Array.from({ length: frames }, (_, i): Step => ({
      id: 'S6',
      image: `frame${i}`,
      classes: VOC,
      live: true,
    })),
  ],
  [
    { id: 'S5', image: 'a', classes: ADE },
    { id: 'S5new', image: 'b', classes: ADE },
  ],
];

/** Decoder rows the app runs for a vocabulary (default rule: a class's names averaged above 48 prompts). */
export const rowsFor = (classes: readonly BenchClass[], rows: Rows) =>
  rows === 'default' && prompts(classes) > 48 ? classes.length : prompts(classes);

export type Key = `${'tjs' | Rows}:${ScenarioId}`;

export function summary(
  o: SummaryOptions,
  samples: Map<Key, Sample[]>,
  firstFrame: Map<string, number[]>,
  agree: { own: number[]; same: number[] },
  floor: FloorTimes | null,
  live: number[],
  threads: number,
): string {
  const steps = phases(o.frames).flat();
  const ids = (Object.keys(TITLES) as ScenarioId[]).filter((id) => o.scenarios.includes(id));
  const out: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out.push(
    `Model: ${o.model}; ${o.ep.toUpperCase()}, ${threads} threads; ${o.rounds} interleaved round(s), medians; ` +
      `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average at the end ${os.loadavg()[0]!.toFixed(1)}.`,
  );
  for (const rows of o.rows) {
    const figs: ScenarioFigures[] = ids.map((id) => {
      const step = steps.find((s) => s.id === id)!;
      const app = samples.get(`${rows}:${id}`) ?? [];
      const tjs = samples.get(`tjs:${id}`) ?? [];
      const encoded = median(app.map((s) => s.runs?.promptsEncoded ?? 0));
      // An engine that counts its decoder rows says how many it ran; otherwise the documented rule.
      const counted = app.map((s) => (s.runs as { decoderRows?: number } | undefined)?.decoderRows);
      const decoderRows =
        counted.every((n) => typeof n === 'number') && counted.length
          ? median(counted as number[])
          : rowsFor(step.classes, rows);
      return {
        id,
        tjs: tjs.map((s) => s.wall),
        app: app.map((s) => s.wall),
        appParts: medianParts(app.map((s) => s.parts)),
        tjsParts: medianParts(tjs.map((s) => s.parts)),
        work: { visionRuns: 1, decoderRows, textRuns: encoded },
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
    if (s1 && s1s)
      lines.push(
        `first run vs steady state, S1 (same work on a warm engine): project ${Math.round(median(s1.app))} vs ${Math.round(median(s1s.app))} ms (${(median(s1.app) / median(s1s.app)).toFixed(2)}×), ` +
          `transformers.js ${Math.round(median(s1.tjs))} vs ${Math.round(median(s1s.tjs))} ms`,
      );
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
  if (floor)
    out.push(
      '',
      `Floor (bare parts, ONNX Runtime WASM in Node, ${threads} threads, median of ${floor.reps}): vision tower ${Math.round(floor.visionMs)} ms a run, ` +
        `decoder ${floor.decoderRowMs.toFixed(1)} ms a row, text ${floor.textMs.toFixed(1)} ms a prompt. A scenario's floor: one vision run + its decoder rows + the prompts it encoded.`,
    );
  if (live.length)
    out.push(
      '',
      `Embedded model, live frames at 320x240 on WASM, back to back through the engine client: ${(1000 / median(live)).toFixed(1)} fps (median frame ${Math.round(median(live))} ms, target ≥ 10 fps).`,
    );
  return out.join('\n');
}
