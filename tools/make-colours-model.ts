/**
 * Generates the embedded demo model "colours" into public/models/colours/
 * (or `--out <dir>`). Deterministic: rerunning gives byte-identical files.
 *
 *   npx tsx tools/make-colours-model.ts [--out <dir>]
 *
 * Design (a hand-made "query family" model, no training):
 * - Embedding space: one axis per basic colour term, two modifier axes
 *   (light, dark) and a "void" axis (tools/colours/palette.ts).
 * - Text model: each known single-token word adds its colour axis (1) and
 *   modifier axis (0.5); anything else adds nothing, so a prompt without a
 *   known word embeds to zero ("unknown": cosine 0 with every query).
 * - Image model: one query per colour prototype (several per colour, for
 *   shaded/pale real-photo colours). Mask logits are a soft nearest-prototype
 *   assignment in weighted CIELAB at 1/4 resolution; each query's embedding
 *   is its colour (+0.5 modifier) + 0.35 void, so with GKC inference a query
 *   whose colour is absent from the vocabulary falls to void and its pixels
 *   stay under the threshold (unlabelled) instead of taking another colour.
 * See tools/colours/graphs.ts for the graphs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIPTokenizer } from '@huggingface/transformers';
import { buildModelBytes } from '../src/models/onnx/onnxBuilder';
import { imageGraph, textGraph } from './colours/graphs';
import {
  AXES,
  D,
  MODIFIER_WEIGHT,
  PROTOTYPES,
  VOID_WEIGHT,
  WORDS,
  type Prototype,
  type Word,
} from './colours/palette';

const TOOLS_DIR = dirname(fileURLToPath(import.meta.url));
const TOKENIZER_DIR = join(TOOLS_DIR, 'clip-tokenizer');
const DEFAULT_OUT = resolve(TOOLS_DIR, '..', 'public', 'models', 'colours');
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const START_TOKEN = 49406;
const END_TOKEN = 49407;

function parseArgs(argv: string[]): { out: string } {
  const i = argv.indexOf('--out');
  if (i >= 0) {
    const dir = argv[i + 1];
    if (!dir) throw new Error('--out needs a directory');
    return { out: resolve(dir) };
  }
  return { out: DEFAULT_OUT };
}

type Axis = (typeof AXES)[number];

/** A D-vector from (axis, weight) pairs; undefined axes are skipped. */
function vector(parts: [Axis | undefined, number][]): number[] {
  const v = new Array<number>(D).fill(0);
  for (const [name, weight] of parts) if (name) v[AXES.indexOf(name)]! += weight;
  return v;
}

/** A word's embedding contribution: colour axis 1, modifier axis 0.5. */
function wordVector(word: Word): number[] {
  return vector([
    [word.colour, 1],
    [word.modifier, MODIFIER_WEIGHT],
  ]);
}

/** A query's embedding: colour 1, modifier 0.5, plus the constant void part. */
function queryVector(p: Prototype): number[] {
  return vector([
    [p.colour, 1],
    [p.modifier, MODIFIER_WEIGHT],
    ['void', VOID_WEIGHT],
  ]);
}

/** Tokenises every word; keeps those that are exactly one CLIP token. */
function knownWords(): { kept: { word: Word; id: number }[]; dropped: string[] } {
  const json: unknown = JSON.parse(readFileSync(join(TOKENIZER_DIR, 'tokenizer.json'), 'utf8'));
  const config: unknown = JSON.parse(readFileSync(join(TOKENIZER_DIR, 'tokenizer_config.json'), 'utf8'));
  const tok = new CLIPTokenizer(json as object, config as object);
  const kept: { word: Word; id: number }[] = [];
  const dropped: string[] = [];
  const seen = new Map<number, string>();
  for (const word of WORDS) {
    const ids = Array.from(tok(word.word, { truncation: false }).input_ids.data as ArrayLike<bigint>, Number);
    if (ids[0] !== START_TOKEN || ids[ids.length - 1] !== END_TOKEN)
      throw new Error(`odd ids for ${word.word}`);
    const inner = ids.slice(1, -1);
    if (inner.length !== 1) {
      dropped.push(word.word);
      continue;
    }
    const id = inner[0]!;
    const other = seen.get(id);
    if (other !== undefined) throw new Error(`"${word.word}" and "${other}" share token ${id}`);
    seen.set(id, word.word);
    kept.push({ word, id });
  }
  return { kept, dropped };
}

export interface GenerateResult {
  out: string;
  d: number;
  q: number;
  words: string[];
  dropped: string[];
}

/** Writes the model files into `out` (created if missing). */
export function generateColoursModel(out: string = DEFAULT_OUT): GenerateResult {
  mkdirSync(out, { recursive: true });

  const { kept, dropped } = knownWords();
  const text = textGraph({ tokenIds: kept.map((k) => k.id), weights: kept.map((k) => wordVector(k.word)) });

  const queryEmbeds = PROTOTYPES.map(queryVector);
  const image = imageGraph({ prototypes: PROTOTYPES, queryEmbeds, mean: MEAN, std: STD });

  writeFileSync(join(out, 'text_model.onnx'), buildModelBytes(text));
  writeFileSync(join(out, 'image_model.onnx'), buildModelBytes(image));
  // Written without indentation: the same tokenizer in half the bytes the page downloads and caches.
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    writeFileSync(join(out, f), JSON.stringify(JSON.parse(readFileSync(join(TOKENIZER_DIR, f), 'utf8'))));

  const manifest = {
    id: 'colours',
    name: 'Colours (embedded demo model)',
    family: 'query',
    description:
      'The embedded demo model, made by this project: it segments colours (and things with a typical colour, like sky or grass) and works offline. It does not recognise objects: that needs a real model (Models…).',
    licence: 'MIT (generated by tools/make-colours-model.ts)',
    source: 'tools/make-colours-model.ts',
    image: { files: { fp32: 'image_model.onnx' } },
    text: { files: { fp32: 'text_model.onnx' } },
    tokenizer: { json: 'tokenizer.json', config: 'tokenizer_config.json', maxLength: 77 },
    input: { kind: 'dynamic', longSide: 384, multiple: 8 },
    pixel: { mean: MEAN, std: STD },
    templates: ['{}'],
    logitScale: 50,
    threshold: 0.3,
    voidEmbedding: vector([['void', 1]]),
    vocabulary: kept.map((k) => k.word.word),
  };
  writeFileSync(join(out, 'ovseg.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { out, d: D, q: PROTOTYPES.length, words: manifest.vocabulary, dropped };
}

function main(): void {
  const { out } = parseArgs(process.argv.slice(2));
  const r = generateColoursModel(out);
  console.log(
    `colours model -> ${r.out}: D=${r.d}, Q=${r.q}, ${r.words.length} words` +
      (r.dropped.length ? `; dropped (not one CLIP token): ${r.dropped.join(', ')}` : ''),
  );
}

// Run only when executed as a script (the tests import generateColoursModel).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
