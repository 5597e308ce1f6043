/** The dense-CLIP part's Markdown: frame times by vocabulary size beside CLIPSeg's, text, live, Node. */
import os from 'node:os';
import { describeLive, type LiveFigures } from '../bench-live';
import { median } from '../lib/floor';
import type { ClipDenseNodeFigures } from './clipDenseNode';
import { prompts, VOC, ADE } from './inputs';
import type { Sample } from './sides';

/** The family's bar: a frame at 150 classes costs at most 1.1× a frame at 1 class (names cached). */
const FLAT_TARGET = 1.1;

export interface ClipDenseFigures {
  loadMs: number;
  firstRun: Sample;
  frames: Record<1 | 20 | 150, Sample[]>;
  live: LiveFigures | null;
  node: ClipDenseNodeFigures | null;
}

interface ReportOptions {
  model: string;
  /** The towers' variant the app (and the Node figures) loaded (absent: fp32). */
  dtype?: 'fp32' | 'q8';
  rounds: number;
  threads: number;
  clipseg?: { walls: Record<string, number[]>; parts: Record<string, Record<string, number>> } | null;
}

const ms = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const x = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const mark = (ok: boolean) => (ok ? ' ✓' : ' ✗');
const med = (s: readonly Sample[], f: (s: Sample) => number | undefined) =>
  median(s.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v)));

export function clipDenseMarkdown(o: ReportOptions, f: ClipDenseFigures): string {
  const walls = o.clipseg?.walls ?? {};
  const seg = (id: string) => median(walls[`default:${id}`] ?? []);
  const rows: [string, 1 | 20 | 150, string, number][] = [
    ['1 class (1 name)', 1, '–', NaN],
    [`PASCAL VOC, 20 classes (${prompts(VOC)} names)`, 20, "S4 new image, VOC's vocabulary", seg('S4')],
    [`ADE20K-150, 150 classes (${prompts(ADE)} names)`, 150, 'S5 new image, same 150 classes', seg('S5new')],
  ];
  const out: string[] = [];
  out.push(
    `Model: ${o.model} (dense-CLIP, \`family: clip-dense\`, loaded from its manifest as a bring-your-own bundle; ${o.dtype ?? 'fp32'}); WASM, ${o.threads} threads; ` +
      `${o.rounds} interleaved round(s), medians; the app's default windows (224x224, stride 112, short side 448). ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average at the end ${os.loadavg()[0]!.toFixed(1)}. Load ${ms(f.loadMs)} ms.`,
    '',
    '| frame: new 640x480 picture, names cached | dense-CLIP ms | dense-CLIP parts ms (text / image / combine) | dense-CLIP work (vision runs / prompts encoded) | CLIPSeg ms, same run | CLIPSeg scenario |',
    '|---|---|---|---|---|---|',
  );
  for (const [title, c, scenario, clipseg] of rows) {
    const s = f.frames[c];
    out.push(
      `| ${title} | ${ms(med(s, (v) => v.wall))} | ${ms(med(s, (v) => v.parts.text))} / ${ms(med(s, (v) => v.parts.image))} / ${ms(med(s, (v) => v.parts.combine))} | ` +
        `${x(med(s, (v) => v.work?.vision))} / ${x(med(s, (v) => v.work?.prompts))} | ${ms(clipseg)} | ${scenario} |`,
    );
  }
  const ratio = med(f.frames[150], (v) => v.wall) / med(f.frames[1], (v) => v.wall);
  const segRatio = seg('S5new') / seg('S4');
  out.push(
    '',
    `- cost in the vocabulary: frame at 150 classes / at 1 class = ${x(ratio)}${Number.isFinite(ratio) ? mark(ratio <= FLAT_TARGET) : ''} (target ≤ ${FLAT_TARGET}); ` +
      `150 / 20 = ${x(med(f.frames[150], (v) => v.wall) / med(f.frames[20], (v) => v.wall))}` +
      (Number.isFinite(segRatio) ? `; CLIPSeg 150 / 20 (S5 new image / S4) = ${x(segRatio)}` : ''),
  );
  const fr = f.firstRun;
  const segS5 = seg('S5');
  const segText = o.clipseg?.parts['default:S5']?.text;
  out.push(
    `- first run, ADE20K-150 (every prompt new): ${ms(fr.wall)} ms, of which text encoding ${ms(fr.parts.text ?? NaN)} ms ` +
      `for ${fr.work?.prompts ?? '?'} prompts (150 names × the templates)` +
      (Number.isFinite(segS5)
        ? `; CLIPSeg S5 first run ${ms(segS5)} ms, text ${ms(segText ?? NaN)} ms for 150 prompts (template "{}")`
        : ''),
  );
  const live = f.live;
  if (live) {
    // Frames of many seconds: a short window may hold one result only (no interval to count).
    const rate = Number.isFinite(live.fps)
      ? `${x(live.fps)} fps`
      : `${live.frames} result(s) in the window, so no measured rate; ≈ ${(1000 / live.median.total).toFixed(3)} fps from the worker's time per frame`;
    out.push(
      `- live camera loop with this model (Chromium's fake camera, 320x240 test video at 30 fps): ${rate}. ${describeLive(live)}`,
    );
  }
  const n = f.node;
  if (n)
    out.push(
      `- bare costs, ONNX Runtime WASM in Node, ${n.threads} threads (median of ${n.reps}): one 224x224 window ${ms(n.windowMs)} ms; ` +
        `a frame (${n.windows} windows over ${n.resized.width}x${n.resized.height}, logits, softmax, argmax, labels upsampled) ` +
        Object.entries(n.frameMs)
          .map(([c, t]) => `${ms(t)} ms at ${c} class${c === '1' ? '' : 'es'}`)
          .join(', ') +
        `; text ${n.textMsPerPrompt.toFixed(1)} ms a prompt, so ADE20K-150's ${n.adePrompts} prompts ≈ ${ms(n.textMsPerPrompt * n.adePrompts)} ms.`,
    );
  return out.join('\n');
}
