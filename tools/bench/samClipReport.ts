/** The SAM part's Markdown: the frame by part at 1 and 150 classes, clicks, dense-CLIP alone, post-processing. */
import os from 'node:os';
import { median } from '../lib/floor';
import type { ClickParts, FrameParts } from './samClipFrame';
import type { SamClipFigures } from './samClipNode';

/** The family's bars: a frame at 150 classes at most 1.15x one at 1 class; a click (int8 decoder) <= 150 ms. */
const FLAT_TARGET = 1.15;
const CLICK_TARGET_MS = 150;

const ms = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const x = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const mark = (ok: boolean) => (ok ? ' ✓' : ' ✗');
const med = <T>(s: readonly T[], f: (v: T) => number) => median(s.map(f));

export interface SamClipReportOptions {
  sam: string;
  clip: string;
}

function frameRows(f: SamClipFigures): string[] {
  const a = f.frames[1];
  const b = f.frames[150];
  const both = [...a, ...b];
  const row = (what: string, p: (v: FrameParts) => number, note = '') =>
    `| ${what} | ${ms(med(a, p))} | ${ms(med(b, p))} | ${ms(Math.min(...both.map(p)))} | ${note} |`;
  const batches = both.flatMap((p) => p.batches);
  const perFrame = both[0]?.batches.length ?? 0;
  return [
    '| frame part (new 640x480 picture) | 1 class, ms | 150 classes, ms | fastest of all frames, ms | notes |',
    '|---|---|---|---|---|',
    row('SAM encoder (picture to 1024, one run)', (p) => p.encoder),
    row("dense CLIP patch embeddings (the app's windows)", (p) => p.clip),
    row(
      `SAM decoder, ${perFrame} runs of 64 points (16x16 grid)`,
      (p) => p.decoder,
      `per 64 points ${ms(median(batches))} (min ${ms(Math.min(...batches))}, max ${ms(Math.max(...batches))})`,
    ),
    row(
      'automatic mask generation post-processing',
      (p) => p.post,
      `${ms(med(both, (p) => p.kept))} masks kept (median)`,
    ),
    row('naming (mask embeddings, GKC, label map)', (p) => p.naming),
    row('**whole frame**', (p) => p.total),
    row('CPU time of the whole frame (all threads)', (p) => p.cpu),
  ];
}

function clickRow(what: string, c: readonly ClickParts[], target: boolean): string {
  const total = med(c, (v) => v.total);
  return (
    `| ${what} | ${ms(med(c, (v) => v.decoder))} | ${ms(med(c, (v) => v.mask))} | ${ms(med(c, (v) => v.naming))} | ` +
    `${ms(total)}${target ? mark(total <= CLICK_TARGET_MS) : ''} | ${ms(Math.min(...c.map((v) => v.total)))} |`
  );
}

export function samClipMarkdown(o: SamClipReportOptions, f: SamClipFigures): string {
  const one = med(f.frames[1], (p) => p.total);
  const ratio = med(f.frames[150], (p) => p.total) / one;
  // What the vocabulary changes is the naming alone: on a shared machine the decoder's noise can
  // outweigh it in the ratio of whole frames, so the parts' ratio is given beside it.
  const extra = med(f.frames[150], (p) => p.naming) - med(f.frames[1], (p) => p.naming);
  const fastest = (C: 1 | 150) => {
    const all = [...f.frames[1], ...f.frames[150]];
    const min = (p: (v: FrameParts) => number) => Math.min(...all.map(p));
    return (
      min((p) => p.encoder) +
      min((p) => p.clip) +
      min((p) => p.decoder) +
      min((p) => p.post) +
      med(f.frames[C], (p) => p.naming)
    );
  };
  const { upstream: up, allPass: all } = f.post;
  const out = [
    `SAM: ${o.sam} (vision tower ${f.vision.hidden} wide, MLP ${f.vision.mlp}; random weights), CLIP: ${o.clip}; ` +
      `ONNX Runtime WASM in Node, ${f.threads} threads, fp32 unless said; the SlimSAM preset's settings (16x16 grid, ` +
      `64 points a decoder run, upstream's thresholds, CLIP windows 448/112); ${f.reps} frame(s) per class count, ` +
      `interleaved, medians. ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average at the end ` +
      `${os.loadavg()[0]!.toFixed(1)}.`,
    '',
    ...frameRows(f),
    '',
    `- cost in the vocabulary: whole frame at 150 classes / at 1 class = ${x(ratio)}` +
      `${Number.isFinite(ratio) ? mark(ratio <= FLAT_TARGET) : ''} (target ≤ ${FLAT_TARGET}); the naming, the only ` +
      `part the vocabulary changes, costs ${ms(extra)} ms more at 150 classes, so from the parts ` +
      `(frame at 1 class + that) / frame at 1 class = ${x((one + extra) / one)}.`,
    `- each model part at its fastest over all frames (what a quieter machine would give), plus the naming: ` +
      `${ms(fastest(1))} ms at 1 class, ${ms(fastest(150))} ms at 150 classes (${x(fastest(150) / fastest(1))}).`,
    `- masks: the random-weight decoder's outputs are replaced, after each decoder run, by SAM-like logits for the ` +
      `same points (tools/bench/samLogits.ts), so that post-processing and naming see masks like SAM's; the first ` +
      `frame used the model's own outputs: ${ms(f.warm.total)} ms, ${f.warm.kept} masks kept.`,
    `- the SAM encoder once more in the int8 decoder's session: ${ms(f.encoderAgain)} ms.`,
    '',
    '| click (one point, names from ADE20K-150) | decoder ms | best mask ms | naming ms | total ms | fastest ms |',
    '|---|---|---|---|---|---|',
    clickRow('fp32 decoder', f.clicks.fp32, false),
    clickRow(`dynamic int8 decoder (target ≤ ${CLICK_TARGET_MS} ms)`, f.clicks.int8, true),
    '',
    `- dense-CLIP family's frame alone on the same picture (windows, logits, softmax, argmax, labels upsampled): ` +
      `${ms(median(f.dense[1]))} ms at 1 class, ${ms(median(f.dense[150]))} ms at 150 classes (medians; fastest ` +
      `${ms(Math.min(...f.dense[1]))} and ${ms(Math.min(...f.dense[150]))}).`,
    `- post-processing alone on synthetic SAM-like logits (tools/bench/samPostMeasure.ts, 16x16 grid, 640x480): ` +
      `upstream thresholds ${ms(up.wall)} ms (${up.stats.passedIou} of ${up.stats.candidates} pass IoU, ${up.kept} kept); ` +
      `all pass ${ms(all.wall)} ms (${all.kept} kept).`,
  ];
  return out.join('\n');
}
