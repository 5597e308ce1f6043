/** What the engine hands a family's runner factory (worker side): the loaded bundle and the caches. */
import type { Manifest } from './families';
import type { Dtype } from './manifest';
import type { Runner } from './runner';
import type { Ep } from './runtime/ortRuntime';
import type { ClipTokenizer } from './tokenizer';

/** One ONNX graph of a bundle, read and checked, in the variant chosen. */
export interface LoadedPart {
  bytes: Uint8Array;
  dtype: Dtype;
  file: string;
}

export interface LoadedBundle {
  manifest: Manifest;
  /** ONNX bytes per part, named as the family's description names them (`parts`). */
  parts: Record<string, LoadedPart | undefined>;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  /**
   * What produced the text side's results, for caching them: a hash of the text graph's bytes (the
   * family's `textPart`: the whole graph for a dense model) and of the tokenizer files. Never the
   * manifest's id or name, which any manifest can copy.
   */
  textKey: string;
}

/** Text-side results by namespace and prompt (the worker's EmbeddingCache: memory, then IndexedDB). */
export interface TextCache<V> {
  lookup(namespace: string, prompts: string[]): Promise<(V | undefined)[]>;
  store(namespace: string, entries: [string, V][]): Promise<void>;
}

/**
 * The caches a runner may use. Namespaces keep families apart: each runner's names the content that
 * computed its values (`LoadedBundle.textKey`, plus what else changes them).
 */
export interface TextCaches {
  /** Text embeddings (float vectors). */
  embeddings: TextCache<Float32Array>;
  /** Any other per-prompt values a family keeps (structured-cloneable), e.g. a split model's text cut. */
  structured: TextCache<unknown>;
}

/** Makes a family's runner from a loaded bundle of that family (the worker registry's entries). */
export type RunnerFactory = (
  bundle: LoadedBundle,
  ep: Ep,
  tokenizer: ClipTokenizer,
  caches: TextCaches,
) => Promise<Runner>;
