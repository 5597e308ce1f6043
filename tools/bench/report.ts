/** The benchmark's figures: medians, ratios against transformers.js and against the floor, targets. */
import { floorMs, median, type FloorTimes, type FloorWork } from '../lib/floor';

export type ScenarioId = 'S1' | 'S1steady' | 'S2' | 'S3' | 'S4' | 'S5' | 'S5new' | 'S6';
export type Rows = 'default' | 'names';

export const TITLES: Record<ScenarioId, string> = {
  S1: 'S1 one image, 10 names, first run',
  S1steady: 'S1 again, 10 other names, new image (steady state)',
  S2: 'S2 same image, PASCAL VOC 20 classes with synonyms (79 prompts), first run',
  S3: 'S3 vocabulary edit: S2 + 1 class, same image',
  S4: "S4 new image, S2's vocabulary (text cached)",
  S5: 'S5 ADE20K-150 (150 prompts), first run',
  S5new: 'S5 new image, same 150 classes',
  S6: 'S6 webcam frames, VOC vocabulary, per frame',
};

/** Targets (ratio app / transformers.js), from the project's speed issue. */
const TARGETS: Record<Rows, Partial<Record<ScenarioId, number>>> = {
  default: { S1: 1.05, S2: 0.55, S3: 0.1, S4: 0.45, S5: 0.8, S5new: 0.6, S6: 0.45 },
  names: { S2: 0.8, S3: 0.8, S4: 0.8, S5: 0.8, S5new: 0.8, S6: 0.8 },
};
const FLOOR_TARGET = 1.15;

export interface ScenarioFigures {
  id: ScenarioId;
  tjs: number[];
  app: number[];
  /** Median engine parts (app) and pre/model/post (tjs). */
  appParts: Record<string, number>;
  tjsParts: Record<string, number>;
  /** The project's work: counted by the engine (vision runs, decoder rows), or the rules' guess. */
  work: FloorWork;
  /** False when the engine did not count its vision runs and decoder rows (`work` is then the rules'). */
  counted?: boolean;
}

/** Median of each named part over samples. */
export function medianParts(samples: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(
    keys.map((k) => [k, median(samples.map((s) => s[k]).filter((v): v is number => v !== undefined))]),
  );
}

const ms = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const count = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '–');
const x = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const check = (v: number, target: number | undefined) =>
  target === undefined || !Number.isFinite(v) ? '' : v <= target ? ' ✓' : ' ✗';

export function scenarioTable(
  rows: Rows,
  figs: readonly ScenarioFigures[],
  floor: FloorTimes | null,
): string {
  const head =
    '| scenario | transformers.js ms | project ms | ratio | target | floor ms | project / floor | project work (vision runs / decoder rows / prompts encoded) | project parts ms (text / image / combine) |\n' +
    '|---|---|---|---|---|---|---|---|---|';
  const lines = figs.map((f) => {
    const t = median(f.tjs);
    const a = median(f.app);
    const ratio = a / t;
    const target = TARGETS[rows][f.id];
    const fl = floor ? floorMs(floor, f.work) : NaN;
    const p = f.appParts;
    const w = f.work;
    const work = `${count(w.visionRuns)} / ${count(w.decoderRows)} / ${count(w.textRuns)}${f.counted === false ? ' (not counted: rules)' : ''}`;
    return (
      `| ${TITLES[f.id]} | ${ms(t)} | ${ms(a)} | ${x(ratio)}${check(ratio, target)} | ${target ?? '–'} | ` +
      `${ms(fl)} | ${x(a / fl)}${check(a / fl, floor ? FLOOR_TARGET : undefined)} | ${work} | ` +
      `${ms(p.text ?? NaN)} / ${ms(p.image ?? NaN)} / ${ms(p.combine ?? NaN)} |`
    );
  });
  return [head, ...lines].join('\n');
}

/** Share of equal bytes of two base64 label maps (null when either is missing or sizes differ). */
export function agreement(a: string | undefined, b: string | undefined): number | null {
  if (!a || !b) return null;
  const x1 = Buffer.from(a, 'base64');
  const x2 = Buffer.from(b, 'base64');
  if (x1.length !== x2.length || x1.length === 0) return null;
  let same = 0;
  for (let i = 0; i < x1.length; i++) if (x1[i] === x2[i]) same++;
  return same / x1.length;
}

export const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)} %`);
