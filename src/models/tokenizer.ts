/**
 * CLIP tokenizer, loaded with transformers.js from the bundle's own tokenizer.json: no network.
 * transformers.js 4.3.1 drops the end token when it truncates, so we truncate ourselves and keep it.
 */
import { textRuns } from '../processing/runSizes';

export interface EncodedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  batch: number;
  length: number;
}

export interface ClipTokenizer {
  /** Token ids of one text, with start and end tokens, at most `maxLength` long. */
  ids(text: string): number[];
  /** Right-padded batch of token rows made by `ids` (pad = end token, as CLIP does). */
  pad(rows: number[][], padTo?: number): EncodedBatch;
}

/**
 * `prompts` tokenized and cut into text-model runs (see textRuns: `byLength` gives runs of one
 * token length), each with the prompts' indices in `prompts`, to put each result back in place.
 */
export function tokenRuns(
  tokenizer: ClipTokenizer,
  prompts: readonly string[],
  max: number,
  byLength: boolean,
): { indices: number[]; batch: EncodedBatch }[] {
  const ids = prompts.map((p) => tokenizer.ids(p));
  return textRuns(
    ids.map((r) => r.length),
    max,
    byLength,
  ).map((indices) => ({ indices, batch: tokenizer.pad(indices.map((i) => ids[i]!)) }));
}

/** Right-padded ids and mask (pad = `pad`, mask 0) for a batch of token rows. */
export function padTokenRows(rows: number[][], pad: number, padTo = 0): EncodedBatch {
  const length = Math.max(padTo, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * length).fill(BigInt(pad));
  const mask = new BigInt64Array(rows.length * length);
  rows.forEach((r, i) =>
    r.forEach((v, j) => {
      ids[i * length + j] = BigInt(v);
      mask[i * length + j] = 1n;
    }),
  );
  return { ids, mask, batch: rows.length, length };
}

interface TokenizerLike {
  (
    text: string,
    opts: { truncation: boolean; add_special_tokens: boolean },
  ): { input_ids: { data: ArrayLike<number | bigint> } };
}

export async function createClipTokenizer(
  json: unknown,
  config: unknown,
  maxLength = 77,
): Promise<ClipTokenizer> {
  // Loaded lazily: transformers.js is large and only its tokenizer is used.
  const { CLIPTokenizer } = await import('@huggingface/transformers');
  const tok = new CLIPTokenizer(json as object, (config ?? {}) as object) as unknown as TokenizerLike & {
    eos_token_id: number;
    pad_token_id: number;
  };
  const eos = tok.eos_token_id ?? 49407;
  const pad = tok.pad_token_id ?? eos;
  const ids = (text: string): number[] => {
    const all = Array.from(tok(text, { truncation: false, add_special_tokens: true }).input_ids.data, Number);
    return all.length <= maxLength ? all : [...all.slice(0, maxLength - 1), eos];
  };
  return {
    ids,
    pad: (rows, padTo) => padTokenRows(rows, pad, padTo),
  };
}
