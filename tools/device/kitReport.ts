/** The device kit's Markdown report: one row a figure, one column a backend, medians in ms. */
import { median } from '../lib/floor';
import { TITLES, type ScenarioId } from '../bench/report';
import type { EpFigures, KitBenchResult } from './kitBench';

type Cell = (f: EpFigures) => number | undefined;

const ms = (v: number | undefined): string =>
  v === undefined || Number.isNaN(v) ? '–' : v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1);

const scenario =
  (id: ScenarioId): Cell =>
  (f) => {
    const v = f.scenarios?.ms[id];
    return v?.length ? median(v) : undefined;
  };

const ROWS: [string, Cell][] = [
  ['CLIPSeg vision tower, a picture', (f) => f.floor?.visionMs],
  ['CLIPSeg decoder, a row', (f) => f.floor?.decoderRowMs],
  ['CLIPSeg text, a prompt', (f) => f.floor?.textMs],
  ['CLIPSeg engine load and warm-up', (f) => (f.scenarios ? median(f.scenarios.loadMs) : undefined)],
  ...(Object.keys(TITLES) as ScenarioId[]).map((id): [string, Cell] => [TITLES[id], scenario(id)]),
  ['Dense-CLIP window (224 px)', (f) => f.dense?.windowMs],
  ['Dense-CLIP frame, 1 class', (f) => f.dense?.frameMs[1]],
  ['Dense-CLIP frame, 150 classes', (f) => f.dense?.frameMs[150]],
  ['Dense-CLIP text, a prompt', (f) => f.dense?.textMsPerPrompt],
  [
    'SAM encoder',
    (f) => (f.sam ? median([...f.sam.frames[1], ...f.sam.frames[150]].map((p) => p.encoder)) : undefined),
  ],
  ['sam-clip frame, 1 class', (f) => (f.sam ? median(f.sam.frames[1].map((p) => p.total)) : undefined)],
  ['sam-clip frame, 150 classes', (f) => (f.sam ? median(f.sam.frames[150].map((p) => p.total)) : undefined)],
  [
    'sam-clip click, fp32 decoder',
    (f) => (f.sam ? median(f.sam.clicks.fp32.map((c) => c.total)) : undefined),
  ],
  [
    'sam-clip click, int8 decoder',
    (f) => (f.sam ? median(f.sam.clicks.int8.map((c) => c.total)) : undefined),
  ],
];

export function kitMarkdown(r: KitBenchResult, title: string): string {
  const eps = r.eps.filter((f) => !f.skipped);
  const head = eps.map((f) => (f.ep === 'webgpu' ? `WebGPU (${f.device})` : `WASM (${f.device})`));
  const lines = [
    `# ${title}`,
    '',
    `Host: ${r.host.cpus} × ${r.host.cpu}, ${r.host.memoryGiB} GiB. Models: ${r.options.models.clipseg}, ` +
      `${r.options.models.clip}, ${r.options.models.sam}. S6 over ${r.options.frames} frames; ` +
      `${r.options.reps} repetition(s) a part, medians; ${r.seconds} s in all.`,
    '',
    ...r.eps.filter((f) => f.skipped).map((f) => `${f.ep}: not measured (${f.skipped}).\n`),
  ];
  if (eps.length) {
    lines.push(`| ms | ${head.join(' | ')} |`, `|---|${eps.map(() => '---:').join('|')}|`);
    for (const [name, cell] of ROWS) {
      const cells = eps.map((f) => ms(cell(f)));
      if (cells.some((c) => c !== '–')) lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('', `Seconds a part: ${eps.map((f) => `${f.ep} ${JSON.stringify(f.seconds)}`).join('; ')}.`);
  }
  for (const f of eps)
    for (const [part, err] of Object.entries(f.errors)) lines.push('', `${f.ep} ${part} failed: ${err}`);
  return lines.join('\n') + '\n';
}
