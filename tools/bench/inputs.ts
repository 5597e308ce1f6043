/** The benchmark's inputs: generated pictures (seeded) and the scenarios' vocabularies. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import { prng } from '../../test-support/prng';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchClass {
  label: string;
  names: string[];
}

/** A street-like scene: sky gradient, ground, a few shapes (one moves with `t`), seeded noise. */
export function scene(width: number, height: number, seed: number, t = 0): Uint8Array {
  const rand = prng(seed);
  const shapes = Array.from({ length: 6 }, () => ({
    x: rand() * width,
    y: height * (0.3 + 0.6 * rand()),
    r: (0.05 + 0.12 * rand()) * width,
    rgb: [rand() * 255, rand() * 255, rand() * 255],
    round: rand() < 0.5,
  }));
  shapes[0]!.x += t * width * 0.02; // the moving one (webcam frames)
  const noise = prng(seed * 7919 + t);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const sky = y < height * 0.45;
      let c = sky
        ? [90 + (120 * y) / height, 150 + (60 * y) / height, 235]
        : [95, 110 - (30 * y) / height, 70];
      for (const s of shapes) {
        const dx = x - s.x;
        const dy = y - s.y;
        if (s.round ? dx * dx + dy * dy < s.r * s.r : Math.abs(dx) < s.r && Math.abs(dy) < s.r * 0.6)
          c = s.rgb;
      }
      const i = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) rgba[i + k] = Math.max(0, Math.min(255, c[k]! + (noise() - 0.5) * 24));
      rgba[i + 3] = 255;
    }
  return encodePng({ width, height, data: rgba, channels: 4 });
}

/** FC-CLIP class list (`id:name,synonym,...`); `skipFirst` drops id 0 (background / placeholder). */
function classList(file: string, skipFirst: boolean): BenchClass[] {
  const out: BenchClass[] = [];
  for (const line of readFileSync(path.join(ROOT, 'public/vocab', file), 'utf8').split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*:(.*)$/.exec(line);
    if (!m || (skipFirst && m[1] === '0') || m[2]!.trim() === 'invalid_class_id') continue;
    const names = [
      ...new Set(
        m[2]!
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      ),
    ];
    out.push({ label: names[0]!, names });
  }
  return out;
}

const single = (names: string[]): BenchClass[] => names.map((n) => ({ label: n, names: [n] }));

/** PASCAL VOC: 20 classes with their synonyms (79 names). */
export const VOC = classList('pascal_voc_21.txt', true);
/** ADE20K-150, one name a class (150 prompts). */
export const ADE = classList('ade20k_150.txt', true).map((c) => ({ label: c.label, names: [c.label] }));
/** S1: ten names outside VOC (so that VOC's prompts are still new in S2). */
export const TEN = single([
  'wall',
  'floor',
  'ceiling',
  'tree',
  'road',
  'grass',
  'sky',
  'building',
  'lamp',
  'window',
]);
/** The same amount of work with other new names: S1 again on a warm engine (steady state). */
export const TEN_MORE = single([
  'mountain',
  'river',
  'bridge',
  'fence',
  'sand',
  'rock',
  'door',
  'curtain',
  'shelf',
  'stairs',
]);
/** S3: the vocabulary edit, one class more. */
export const VOC_PLUS = [...VOC, { label: 'skyscraper', names: ['skyscraper', 'tower block'] }];

export const prompts = (cs: readonly BenchClass[]) => cs.reduce((n, c) => n + c.names.length, 0);

const vocNames = new Set(VOC.flatMap((c) => c.names));
for (const c of [...TEN, ...TEN_MORE, VOC_PLUS.at(-1)!])
  for (const n of c.names)
    if (vocNames.has(n)) throw new Error(`bench vocabulary: "${n}" is also a VOC name`);
