/**
 * Model bundle manifest (`ovseg.json`): everything the engine needs to run a model family.
 * Paths inside are relative to the manifest's own URL or folder.
 */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4f16';

export type InputPolicy =
  /** The graph has a baked size (many real exports): feed exactly this size and map results back. */
  (
    | { kind: 'fixed'; height: number; width: number }
    /** Any size: scale so the long side is `longSide`, each side rounded to a multiple of `multiple`. */
    | { kind: 'dynamic'; longSide: number; multiple: number }
  ) & {
    /** The reference processor's resize filter (PIL's): bilinear when absent; CLIP's processor is bicubic. */
    resample?: 'bilinear' | 'bicubic';
  };

/**
 * One ONNX graph in its variants. `repo` ("owner/name") places the files in a Hugging Face hub
 * repository (under the app's configurable hub URL) instead of beside the manifest.
 */
export interface ModelPart {
  files: Partial<Record<Dtype, string>>;
  repo?: string;
  /** Approximate download size per variant in bytes, for the model manager (optional). */
  sizes?: Partial<Record<Dtype, number>>;
}

export interface TokenizerRef {
  json: string;
  config?: string;
  maxLength?: number;
  repo?: string;
}

interface ManifestBase {
  id: string;
  name: string;
  description?: string;
  licence?: string;
  source?: string;
  tokenizer: TokenizerRef;
  input: InputPolicy;
  pixel: { mean: [number, number, number]; std: [number, number, number] };
  templates: string[];
  /** Default "unlabelled" threshold on the winning class score. */
  threshold?: number;
}

/** CLIPSeg shape: one graph over text and image, split at load time. */
export interface DenseManifest extends ManifestBase {
  family: 'dense';
  model: ModelPart;
  /**
   * How the names of one class combine: `max` over per-name scores (GKC's choice), or `mean` of the
   * normalised name embeddings, one decoder row per class (cheaper).
   */
  classMode?: 'max' | 'mean';
}

export interface QueryManifest extends ManifestBase {
  family: 'query';
  image: ModelPart;
  text: ModelPart;
  logitScale: number;
  /** Learned "no object" embedding; without one, void gets no column. */
  voidEmbedding?: number[];
  /** Words the model knows, for UI hints (optional). */
  vocabulary?: string[];
}

export type Manifest = QueryManifest | DenseManifest;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new ManifestError(`Invalid model manifest: ${what}`);
}

function checkFiles(v: unknown, part: string): void {
  need(isObj(v) && isObj(v.files), `"${part}.files" must be an object of dtype -> file`);
  need(
    v.repo === undefined || (isStr(v.repo) && /^[\w.-]+\/[\w.-]+$/.test(v.repo)),
    `"${part}.repo" must look like "owner/name"`,
  );
  const files = v.files as Record<string, unknown>;
  const keys = Object.keys(files);
  need(keys.length > 0, `"${part}.files" lists no file`);
  for (const k of keys) {
    need(['fp32', 'fp16', 'q8', 'q4f16'].includes(k), `"${part}.files" has unknown dtype "${k}"`);
    need(isStr(files[k]), `"${part}.files.${k}" must be a file name`);
  }
}

function checkInput(v: unknown): void {
  need(isObj(v), '"input" must be an object');
  if (v.kind === 'fixed') {
    need(
      isNum(v.height) && isNum(v.width) && v.height > 0 && v.width > 0,
      '"input" fixed needs height, width',
    );
  } else {
    need(v.kind === 'dynamic', '"input.kind" must be "fixed" or "dynamic"');
    need(isNum(v.longSide) && v.longSide >= 8, '"input.longSide" must be a number >= 8');
    need(isNum(v.multiple) && v.multiple >= 1, '"input.multiple" must be a number >= 1');
  }
  need(
    v.resample === undefined || v.resample === 'bilinear' || v.resample === 'bicubic',
    '"input.resample" must be "bilinear" or "bicubic"',
  );
}

/** Validates untrusted JSON into a manifest, with messages a model owner can act on. */
export function parseManifest(json: unknown): Manifest {
  need(isObj(json), 'not a JSON object');
  need(isStr(json.id), '"id" must be a non-empty string');
  need(isStr(json.name), '"name" must be a non-empty string');
  need(
    json.family === 'query' || json.family === 'dense',
    `"family" must be "query" or "dense" (got ${JSON.stringify(json.family)})`,
  );
  if (json.family === 'query') {
    checkFiles(json.image, 'image');
    checkFiles(json.text, 'text');
    need(isNum(json.logitScale) && json.logitScale > 0, '"logitScale" must be a positive number');
  } else {
    checkFiles(json.model, 'model');
    need(
      json.classMode === undefined || json.classMode === 'max' || json.classMode === 'mean',
      '"classMode" must be "max" or "mean"',
    );
  }
  need(isObj(json.tokenizer) && isStr(json.tokenizer.json), '"tokenizer.json" must name the tokenizer file');
  checkInput(json.input);
  const px = json.pixel;
  need(
    isObj(px) &&
      Array.isArray(px.mean) &&
      px.mean.length === 3 &&
      px.mean.every(isNum) &&
      Array.isArray(px.std) &&
      px.std.length === 3 &&
      px.std.every((s) => isNum(s) && s > 0),
    '"pixel" needs mean and std, three numbers each (std > 0)',
  );
  need(
    Array.isArray(json.templates) &&
      json.templates.length > 0 &&
      json.templates.every((t) => typeof t === 'string' && t.includes('{}')),
    '"templates" must be a non-empty list of strings containing "{}"',
  );
  if (json.voidEmbedding !== undefined) {
    need(
      Array.isArray(json.voidEmbedding) && json.voidEmbedding.length > 0 && json.voidEmbedding.every(isNum),
      '"voidEmbedding" must be a list of numbers',
    );
  }
  if (json.threshold !== undefined) {
    need(
      isNum(json.threshold) && json.threshold >= 0 && json.threshold <= 1,
      '"threshold" must be in [0, 1]',
    );
  }
  return json as unknown as Manifest;
}

/** Picks the file variant to run: the first preferred dtype the bundle has. */
export function pickDtype(files: Partial<Record<Dtype, string>>, prefer: Dtype[]): Dtype {
  for (const d of prefer) if (files[d]) return d;
  const first = Object.keys(files)[0] as Dtype | undefined;
  if (!first) throw new ManifestError('model part has no file');
  return first;
}
