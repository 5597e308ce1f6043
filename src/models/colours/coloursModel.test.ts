/**
 * Checks the committed demo model in public/models/colours against what it
 * promises (colour words, synonyms, colour segmentation, open-vocabulary
 * "unknown" handling) and that the generator reproduces it byte for byte.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIPTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EP, setUpTestEp } from '../../../test-support/testEp';
import { generateColoursModel } from '../../../tools/make-colours-model';
import { ort } from '../runtime/ortRuntime';

const DIR = fileURLToPath(new URL('../../../public/models/colours', import.meta.url));
const BASIC = [
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'brown',
  'black',
  'white',
  'grey',
];

interface Manifest {
  logitScale: number;
  threshold: number;
  voidEmbedding: number[];
  vocabulary: string[];
  pixel: { mean: number[]; std: number[] };
}

let manifest: Manifest;
let tokenizer: CLIPTokenizer;
let textSession: ort.InferenceSession;
let imageSession: ort.InferenceSession;

const readJson = (file: string): unknown => JSON.parse(readFileSync(join(DIR, file), 'utf8'));
const norm = (v: number[]): number[] => {
  const n = Math.hypot(...v);
  return n > 1e-12 ? v.map((x) => x / n) : v.map(() => 0);
};
const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

function tokenIds(text: string): bigint[] {
  return Array.from(tokenizer(text, { truncation: false }).input_ids.data as ArrayLike<bigint>, BigInt);
}

/** Right-pads with 49407 like the app does, runs a batch through the text model. */
async function embedBatch(texts: string[]): Promise<number[][]> {
  const ids = texts.map(tokenIds);
  const len = Math.max(...ids.map((x) => x.length));
  const data = BigInt64Array.from(
    ids.flatMap((x) => [...x, ...new Array<bigint>(len - x.length).fill(49407n)]),
  );
  const out = await textSession.run({ input_ids: new ort.Tensor('int64', data, [texts.length, len]) });
  const emb = out.text_embeds!;
  const d = emb.dims[1]!;
  const flat = Array.from(emb.data as Float32Array);
  return texts.map((_, i) => flat.slice(i * d, (i + 1) * d));
}
const embed = async (text: string): Promise<number[]> => (await embedBatch([text]))[0]!;

beforeAll(async () => {
  await setUpTestEp();
  manifest = readJson('ovseg.json') as Manifest;
  tokenizer = new CLIPTokenizer(
    readJson('tokenizer.json') as object,
    readJson('tokenizer_config.json') as object,
  );
  const opts = { executionProviders: [TEST_EP] };
  textSession = await ort.InferenceSession.create(readFileSync(join(DIR, 'text_model.onnx')), opts);
  imageSession = await ort.InferenceSession.create(readFileSync(join(DIR, 'image_model.onnx')), opts);
});

afterAll(async () => {
  await textSession?.release();
  await imageSession?.release();
});

describe('colours text model', () => {
  const pairs: [string, string][] = [
    ['crimson', 'red'],
    ['scarlet', 'red'],
    ['maroon', 'red'],
    ['navy', 'blue'],
    ['sky', 'blue'],
    ['ocean', 'blue'],
    ['grass', 'green'],
    ['leaves', 'green'],
    ['snow', 'white'],
    ['gold', 'yellow'],
    ['banana', 'yellow'],
    ['pumpkin', 'orange'],
    ['lavender', 'purple'],
    ['flamingo', 'pink'],
    ['chocolate', 'brown'],
    ['coal', 'black'],
    ['asphalt', 'grey'],
    ['gray', 'grey'],
    ['light blue', 'blue'],
  ];

  it.each(pairs)('%s is closest to %s', async (word, colour) => {
    const [w, ...basics] = (await embedBatch([word, ...BASIC])).map(norm);
    const sims = basics.map((b) => dot(w!, b));
    const target = sims[BASIC.indexOf(colour)]!;
    expect(target).toBeGreaterThan(0.8);
    sims.forEach((s, i) => {
      if (BASIC[i] !== colour) expect(target).toBeGreaterThan(s);
    });
  });

  it('embeds an unknown word as the zero vector', async () => {
    expect((await embed('bicycle')).every((x) => x === 0)).toBe(true);
  });

  it('finds the colour inside a sentence, and padding changes nothing', async () => {
    const [sentence, red, bicycle] = await embedBatch(['a photo of something red.', 'red', 'bicycle']);
    expect(dot(norm(sentence!), norm(red!))).toBeGreaterThan(0.99);
    expect(bicycle!.every((x) => x === 0)).toBe(true);
    expect(red).toEqual(await embed('red'));
  });

  it('knows every vocabulary word as a single token', async () => {
    expect(manifest.vocabulary.length).toBeGreaterThan(50);
    for (const word of manifest.vocabulary) {
      expect(tokenIds(word)).toHaveLength(3);
      expect(Math.hypot(...(await embed(word)))).toBeGreaterThan(0);
    }
  });
});

/** 64x96 picture: 2x3 blocks of colours with shading, noise, a soft edge. */
function syntheticPicture(): { rgb: Float32Array; blocks: { colour: string; cx: number; cy: number }[] } {
  const H = 64;
  const W = 96;
  const colours: [string, [number, number, number]][] = [
    ['red', [210, 35, 40]],
    ['green', [60, 150, 55]],
    ['blue', [40, 80, 200]],
    ['yellow', [240, 215, 50]],
    ['white', [242, 242, 240]],
    ['black', [20, 20, 24]],
  ];
  let seed = 7;
  const rand = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296 - 0.5;
  const rgb = new Float32Array(3 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [, c] = colours[Math.floor(y / 32) * 3 + Math.floor(x / 32)]!;
      const shade = 1.05 - 0.15 * ((x % 32) / 32); // lit on the left, shadowed on the right
      for (let ch = 0; ch < 3; ch++) {
        rgb[ch * H * W + y * W + x] = Math.min(255, Math.max(0, c[ch]! * shade + rand() * 20)) / 255;
      }
    }
  }
  const blocks = colours.map(([colour], i) => ({
    colour,
    cx: (i % 3) * 32 + 16,
    cy: Math.floor(i / 3) * 32 + 16,
  }));
  return { rgb, blocks };
}

async function runImage(): Promise<{
  masks: ort.Tensor;
  queries: ort.Tensor;
  blocks: { colour: string; cx: number; cy: number }[];
}> {
  const { rgb, blocks } = syntheticPicture();
  const { mean, std } = manifest.pixel;
  const plane = rgb.length / 3;
  const px = rgb.map((v, i) => (v - mean[Math.floor(i / plane)]!) / std[Math.floor(i / plane)]!);
  const out = await imageSession.run({ pixel_values: new ort.Tensor('float32', px, [1, 3, 64, 96]) });
  return { masks: out.pred_masks!, queries: out.query_embeds!, blocks };
}

describe('colours image model', () => {
  it('has the documented output shapes', async () => {
    const { masks, queries } = await runImage();
    const d = (await embed('red')).length;
    expect(masks.dims).toEqual([1, queries.dims[1], 16, 24]);
    expect(queries.dims).toEqual([1, masks.dims[1], d]);
    expect(manifest.voidEmbedding).toHaveLength(d);
  });

  it('puts the strongest query of each block on the block colour', async () => {
    const { masks, queries, blocks } = await runImage();
    const [, q, h, w] = masks.dims as number[];
    const d = queries.dims[2]!;
    const m = masks.data as Float32Array;
    const qe = queries.data as Float32Array;
    const words = (await embedBatch(BASIC)).map(norm);
    for (const b of blocks) {
      const at = Math.floor(b.cy / 4) * w! + Math.floor(b.cx / 4);
      let best = 0;
      for (let i = 1; i < q!; i++) if (m[i * h! * w! + at]! > m[best * h! * w! + at]!) best = i;
      const emb = norm(Array.from(qe.subarray(best * d, (best + 1) * d)));
      const sims = words.map((t) => dot(emb, t));
      expect(BASIC[sims.indexOf(Math.max(...sims))]).toBe(b.colour);
    }
  });

  it('labels vocabulary colours and leaves other colours unlabelled (GKC at block centres)', async () => {
    const { masks, queries, blocks } = await runImage();
    const [, q, h, w] = masks.dims as number[];
    const d = queries.dims[2]!;
    const vocab = ['red', 'grass', 'blue'];
    const text = (await embedBatch(vocab)).map(norm);
    const voidE = norm(manifest.voidEmbedding);
    // p(q, class) = softmax over classes + void of logitScale * cosine.
    const probs = Array.from({ length: q! }, (_, i) => {
      const qv = norm(Array.from((queries.data as Float32Array).subarray(i * d, (i + 1) * d)));
      const logits = [...text, voidE].map((t) => manifest.logitScale * dot(qv, t));
      const mx = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - mx));
      const s = e.reduce((a, c) => a + c, 0);
      return e.map((x) => x / s);
    });
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    for (const b of blocks) {
      const at = Math.floor(b.cy / 4) * w! + Math.floor(b.cx / 4);
      const sem = vocab.map((_, c) =>
        probs.reduce((s, p, i) => s + p[c]! * sigmoid((masks.data as Float32Array)[i * h! * w! + at]!), 0),
      );
      const top = Math.max(...sem);
      const expected = { red: 'red', green: 'grass', blue: 'blue' }[b.colour];
      if (expected) {
        expect(vocab[sem.indexOf(top)]).toBe(expected);
        expect(top).toBeGreaterThan(0.8);
      } else {
        expect(top).toBeLessThan(manifest.threshold);
      }
    }
  });
});

describe('colours generator', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is deterministic and matches the committed files', () => {
    const a = mkdtempSync(join(tmpdir(), 'colours-a-'));
    const b = mkdtempSync(join(tmpdir(), 'colours-b-'));
    dirs.push(a, b);
    generateColoursModel(a);
    generateColoursModel(b);
    const files = readdirSync(a).sort();
    expect(files).toEqual([
      'image_model.onnx',
      'ovseg.json',
      'text_model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    for (const f of files) {
      const bytes = readFileSync(join(a, f));
      expect(bytes.equals(readFileSync(join(b, f))), `${f} differs between runs`).toBe(true);
      expect(bytes.equals(readFileSync(join(DIR, f))), `${f} differs from public/models/colours`).toBe(true);
    }
  });
});
