/**
 * Generates the hostile test bundles under fixtures/hostile/ (small, deterministic, committed):
 *
 * - regex/: query-ovseg-tiny's models with a tokenizer whose pre-tokenizer pattern backtracks
 *   catastrophically (`(a+)+$` tried first): ordinary words tokenize at once, a long run of "a"
 *   followed by another letter keeps the worker busy for minutes.
 * - loop/: an image model whose graph is a Loop with a trip count of 2^62 (it never returns), with
 *   query-ovseg-tiny's text model and tokenizer: the load's warm-up never finishes.
 *
 *   npx tsx tools/make-hostile-fixtures.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModelBytes, int64Tensor, node, valueInfo } from '../src/models/onnx/onnxBuilder';
import { DataType, type OnnxGraph } from '../src/models/onnx/onnxProto';
import { spinLoop } from '../test-support/spinLoop';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const OUT = join(ROOT, 'hostile');
/** Tried before CLIP's own pattern at every position: exponential on "aaaa…ab". */
export const CATASTROPHIC = '(a+)+$';

const json = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const write = (file: string, data: string | Uint8Array) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
};

/**
 * CLIP's tokenizer cut down to its 512 byte-level tokens (no merges: every word is spelled out in
 * bytes, ids still valid for the tiny text model) plus the two special tokens, with the hostile
 * pattern in front of the Split pre-tokenizer's regex.
 */
function hostileTokenizer(): Record<string, unknown> {
  const tok = json(join(ROOT, 'clip-tokenizer', 'tokenizer.json'));
  const model = tok.model as { vocab: Record<string, number>; merges: unknown[] };
  const vocab = Object.fromEntries(Object.entries(model.vocab).filter(([, id]) => id < 512 || id >= 49406));
  const pre = tok.pre_tokenizer as { pretokenizers: { type: string; pattern?: { Regex: string } }[] };
  const split = pre.pretokenizers.find((p) => p.type === 'Split')!;
  split.pattern = { Regex: `${CATASTROPHIC}|${split.pattern!.Regex}` };
  return { ...tok, model: { ...model, vocab, merges: [] } };
}

/** pixel_values -> mean -> Loop(2^62 x Identity) -> outputs shaped like query-ovseg-tiny's. */
function loopImageModel(): Uint8Array {
  const loop = spinLoop('trip', 'keep', 'v0', 'v_end');
  const graph: OnnxGraph = {
    name: 'hostile-loop',
    input: [valueInfo('pixel_values', DataType.FLOAT, [1, 3, 'height', 'width'])],
    output: [
      valueInfo('pred_masks', DataType.FLOAT, [1, 12, 64, 80]),
      valueInfo('query_embeds', DataType.FLOAT, [1, 12, 16]),
    ],
    initializer: [
      int64Tensor('trip', [], [2 ** 62]),
      { name: 'keep', dims: [], data_type: DataType.BOOL, raw_data: new Uint8Array([1]) },
      int64Tensor('flat', [1], [-1]),
      int64Tensor('masks_shape', [4], [1, 12, 64, 80]),
      int64Tensor('embeds_shape', [3], [1, 12, 16]),
    ],
    node: [
      // Depends on the input, so no optimiser can fold the loop away.
      node('ReduceMean', ['pixel_values'], ['mean'], { keepdims: 0 }),
      node('Reshape', ['mean', 'flat'], ['v0']),
      loop,
      node('Expand', ['v_end', 'masks_shape'], ['pred_masks']),
      node('Expand', ['v_end', 'embeds_shape'], ['query_embeds']),
    ],
  };
  return buildModelBytes({ graph, opset: 17, docString: 'Test fixture: a graph that never returns.' });
}

function manifest(id: string, name: string, over: Record<string, unknown>): string {
  const base = json(join(ROOT, 'query-ovseg-tiny', 'ovseg.json'));
  // Every path of the base bundle, one folder further down.
  const up = (files: Record<string, string>) =>
    Object.fromEntries(Object.entries(files).map(([k, v]) => [k, `../../query-ovseg-tiny/${v}`]));
  const image = base.image as { files: Record<string, string> };
  const text = base.text as { files: Record<string, string> };
  const tok = base.tokenizer as Record<string, unknown> & { json: string; config: string };
  const m = {
    ...base,
    id,
    name,
    description: 'Test fixture that hangs the engine on purpose (fixtures/README.md).',
    image: { ...image, files: up(image.files) },
    text: { ...text, files: up(text.files) },
    tokenizer: {
      ...tok,
      json: `../../query-ovseg-tiny/${tok.json}`,
      config: `../../query-ovseg-tiny/${tok.config}`,
    },
    ...over,
  };
  return `${JSON.stringify(m, null, 1)}\n`;
}

write(join(OUT, 'regex', 'tokenizer.json'), JSON.stringify(hostileTokenizer()));
write(
  join(OUT, 'regex', 'ovseg.json'),
  manifest('hostile-regex', 'hostile-regex (test fixture)', {
    tokenizer: {
      json: 'tokenizer.json',
      config: '../../clip-tokenizer/tokenizer_config.json',
      maxLength: 77,
    },
  }),
);
write(join(OUT, 'loop', 'image_model.onnx'), loopImageModel());
write(
  join(OUT, 'loop', 'ovseg.json'),
  manifest('hostile-loop', 'hostile-loop (test fixture)', {
    image: { files: { fp32: 'image_model.onnx' } },
  }),
);
console.log(`wrote ${OUT}`);
