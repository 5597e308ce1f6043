/**
 * CLIP tokenizer, loaded with transformers.js from the bundle's own tokenizer.json: no network.
 * transformers.js 4.3.1 drops the end token when it truncates, so we truncate ourselves and keep it.
 */
export interface EncodedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  batch: number;
  length: number;
}

export interface ClipTokenizer {
  /** Token ids of one text, with start and end tokens, at most `maxLength` long. */
  ids(text: string): number[];
  /** Right-padded batch (pad = end token, as CLIP does). */
  batch(texts: string[], padTo?: number): EncodedBatch;
  /** The same from token rows already made by `ids`. */
  pad(rows: number[][], padTo?: number): EncodedBatch;
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
    batch: (texts, padTo) => padTokenRows(texts.map(ids), pad, padTo),
    pad: (rows, padTo) => padTokenRows(rows, pad, padTo),
  };
}
