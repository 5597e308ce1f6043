/**
 * The manifest's schema (valibot): every field's type and range. A manifest comes from anyone (a URL
 * in the page address, a file from disk), so nothing in it is trusted: numbers are finite and within
 * ranges the engine can run, texts are texts, file entries cannot point at `data:` or `javascript:`.
 * Messages say what a field must be; `manifest.ts` prefixes the field's path and the value found.
 * These are the fields every family shares; each family's own fields are in its folder
 * (`query/family.ts`, `dense/family.ts`, ...).
 */
import * as v from 'valibot';

export const DTYPES = ['fp32', 'fp16', 'q8', 'q4f16'] as const;

/** Bounds: beyond them a model either cannot run in a browser or its numbers make no sense. */
export const LIMITS = {
  /** Model input sides (fixed height/width, dynamic long side), in pixels. */
  side: [32, 4096],
  multiple: [1, 256],
  logitScale: [1, 1000],
  /** Pixel statistics are on the 0..1 scale (`rgb / 255`). */
  mean: [0, 1],
  std: [0.01, 10],
  embedding: [1, 8192],
  maxLength: [2, 1024],
  templates: 64,
  /**
   * All templates together, in characters: each name is encoded once per template, so their count
   * times their length is what every name costs (OpenAI's 80 ImageNet templates total ~2,300).
   */
  templateChars: 4096,
  /** Declared file sizes, in bytes (1 TB: far beyond anything a browser downloads). */
  bytes: 1e12,
} as const;

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A file entry: a path relative to the manifest (or its hub repository), or an absolute http(s)
 * URL (whose origin is checked at load, see `checkFileOrigins`). No other scheme, no `//host`
 * shorthand, no control characters or backslashes.
 */
function isFileRef(s: string): boolean {
  const control = [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (s.length === 0 || control || s.includes('\\') || s.startsWith('//')) return false;
  if (!SCHEME.test(s)) return true;
  if (!/^https?:\/\/[^/]/i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

const FILE_MSG = 'must be a path relative to the manifest or an http(s) URL';

export const int = (min: number, max: number) => {
  const m = `must be an integer in ${min}..${max}`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
};
export const num = (min: number, max: number) => {
  const m = `must be a number in ${min}..${max}`;
  return v.pipe(v.number(m), v.finite(m), v.minValue(min, m), v.maxValue(max, m));
};
/** A required, non-empty text. */
export const text = (max: number) => {
  const m = `must be a non-empty text of at most ${max} characters`;
  return v.pipe(v.string(m), v.nonEmpty(m), v.maxLength(max, m));
};
/** An optional text (may be empty). */
const note = (max: number) => {
  const m = `must be a text of at most ${max} characters`;
  return v.optional(v.pipe(v.string(m), v.maxLength(max, m)));
};
export const obj = <E extends v.ObjectEntries>(entries: E) => v.object(entries, 'must be an object');

const filePath = v.pipe(v.string(FILE_MSG), v.maxLength(2048, FILE_MSG), v.check(isFileRef, FILE_MSG));
const byteSize = v.pipe(
  v.number('must be a whole number of bytes > 0'),
  v.integer('must be a whole number of bytes > 0'),
  v.minValue(1, 'must be a whole number of bytes > 0'),
  v.maxValue(LIMITS.bytes, `must be a whole number of bytes <= ${LIMITS.bytes}`),
);
/** A file entry: `"model.onnx"`, or `{"path": "model.onnx", "size": <bytes>}` with its exact size. */
const fileEntry = v.union(
  [filePath, obj({ path: filePath, size: v.optional(byteSize) })],
  `${FILE_MSG}, or {"path", "size"}`,
);
const dtypeKey = v.picklist(DTYPES, `is an unknown dtype (expected ${DTYPES.join(', ')})`);
const repo = v.pipe(
  v.string('must look like "owner/name"'),
  v.regex(/^(?!\.+\/)[\w.-]{1,96}\/(?!\.+$)[\w.-]{1,96}$/, 'must look like "owner/name"'),
);

type FileEntry = v.InferOutput<typeof fileEntry>;
const entryPath = (e: FileEntry) => (typeof e === 'string' ? e : e.path);

/** One ONNX graph in its variants; object entries are flattened into `files` and `fileSizes`. */
export const modelPart = v.pipe(
  obj({
    files: v.pipe(
      v.record(dtypeKey, fileEntry, 'must be an object of dtype -> file'),
      v.check((f) => Object.keys(f).length > 0, 'lists no file'),
    ),
    repo: v.optional(repo),
    sizes: v.optional(v.record(dtypeKey, num(1, LIMITS.bytes))),
  }),
  v.transform(({ files, repo, sizes }) => {
    const paths: Partial<Record<(typeof DTYPES)[number], string>> = {};
    const fileSizes: Partial<Record<(typeof DTYPES)[number], number>> = {};
    for (const d of DTYPES) {
      const e = files[d];
      if (e === undefined) continue;
      paths[d] = entryPath(e);
      if (typeof e !== 'string' && e.size !== undefined) fileSizes[d] = e.size;
    }
    return {
      files: paths,
      ...(repo !== undefined && { repo }),
      ...(sizes !== undefined && { sizes }),
      ...(Object.keys(fileSizes).length > 0 && { fileSizes }),
    };
  }),
);

const tokenizer = v.pipe(
  obj({
    json: fileEntry,
    config: v.optional(fileEntry),
    maxLength: v.optional(int(...LIMITS.maxLength)),
    repo: v.optional(repo),
  }),
  v.transform(({ json, config, maxLength, repo }) => {
    const fileSizes: { json?: number; config?: number } = {};
    if (typeof json !== 'string' && json.size !== undefined) fileSizes.json = json.size;
    if (config !== undefined && typeof config !== 'string' && config.size !== undefined)
      fileSizes.config = config.size;
    return {
      json: entryPath(json),
      ...(config !== undefined && { config: entryPath(config) }),
      ...(maxLength !== undefined && { maxLength }),
      ...(repo !== undefined && { repo }),
      ...(Object.keys(fileSizes).length > 0 && { fileSizes }),
    };
  }),
);

/** How pixels are resized to the model's input (bilinear when absent). */
const resample = v.optional(v.picklist(['bilinear', 'bicubic'], 'must be "bilinear" or "bicubic"'));
const side = int(...LIMITS.side);
const input = v.variant(
  'kind',
  [
    obj({ kind: v.literal('fixed'), height: side, width: side, resample }),
    v.pipe(
      obj({ kind: v.literal('dynamic'), longSide: side, multiple: int(...LIMITS.multiple), resample }),
      v.forward(
        v.check((i) => i.multiple <= i.longSide, 'must not exceed "longSide"'),
        ['multiple'],
      ),
    ),
  ],
  'must be {"kind": "fixed", "height", "width"} or {"kind": "dynamic", "longSide", "multiple"}',
);

const triple = (min: number, max: number) =>
  v.strictTuple([num(min, max), num(min, max), num(min, max)], `must be three numbers in ${min}..${max}`);

const template = v.pipe(
  v.string('must be a text containing "{}"'),
  v.maxLength(512, 'must be at most 512 characters'),
  v.check((t) => t.includes('{}'), 'must contain "{}" (where the class name goes)'),
);

export const base = {
  id: text(128),
  name: text(200),
  description: note(2000),
  licence: note(500),
  source: note(2000),
  tokenizer,
  input,
  pixel: obj({ mean: triple(...LIMITS.mean), std: triple(...LIMITS.std) }),
  templates: v.pipe(
    v.array(template, 'must be a list of texts containing "{}"'),
    v.minLength(1, 'must list at least one template'),
    v.maxLength(LIMITS.templates, `must list at most ${LIMITS.templates} templates`),
    v.check(
      (t) => t.reduce((n, x) => n + x.length, 0) <= LIMITS.templateChars,
      `must total at most ${LIMITS.templateChars} characters (each name is encoded once per template)`,
    ),
  ),
  threshold: v.optional(num(0, 1)),
};

/**
 * One ONNX graph in its variants. `repo` ("owner/name") places the files in a Hugging Face hub
 * repository (under the app's configurable hub URL) instead of beside the manifest. `sizes`:
 * approximate download size per variant, for the model manager; `fileSizes`: exact sizes that the
 * manifest declared with `{"path", "size"}` entries.
 */
export type ModelPart = v.InferOutput<typeof modelPart>;

/**
 * A family's manifest part: the shared fields (`base`), `"family": "<id>"` and its own fields. The
 * union of all families' parts is assembled in `../families.ts`.
 */
export const familySchema = <F extends string, E extends v.ObjectEntries>(family: F, entries: E) =>
  // A family may override a shared field (e.g. optional templates with a default): its entry wins.
  obj({ ...base, family: v.literal(family), ...entries } as Omit<typeof base, keyof E> & {
    family: v.LiteralSchema<F, undefined>;
  } & E);
