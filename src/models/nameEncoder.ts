import { ensembleTemplates } from '../processing/vectors';
import { promptsFor, type VocabClass } from '../processing/vocabulary';
import { cachedEncode } from './promptCache';
import type { TextCache } from './runnerInputs';
import { ort } from './runtime/ortRuntime';
import { tokenRuns, type ClipTokenizer } from './tokenizer';
import type { Manifest } from './families';
import { LIMITS } from './manifestSchema';
import { ModelFileInvalidError } from '../errors';

/** Prompts a text run takes at once: bounds memory for long vocabularies. */
const BATCH = 64;

export interface EncodedVocabulary {
  /** [N, D] normalised name embeddings (template ensemble); zero rows: unknown to the model. */
  nameEmbeds: Float32Array;
  nameToClass: Int32Array;
  dim: number;
  /** Names whose embedding is zero (the model knows none of their words). */
  unknown: string[];
  /** Prompts that had to be run through the text model this time. */
  encoded: number;
}

/**
 * A text embedding wider than any manifest may declare (LIMITS.embedding) is refused at the first
 * run (the load's warm-up): every prompt would otherwise cost its author's width in memory and in
 * the persistent cache, and no image side this app runs could match it.
 */
function checkWidth(dim: number): void {
  const max = LIMITS.embedding[1];
  if (dim <= max) return;
  throw new ModelFileInvalidError(
    `The text model's embeddings have ${Math.round(dim).toLocaleString('en')} numbers each, more than the ${max.toLocaleString('en')} this app takes: this is not a text model it can use`,
  );
}

/** Encodes class names to embeddings, running the text model only for prompts not cached. */
export class NameEncoder {
  runs = 0;
  constructor(
    private session: ort.InferenceSession,
    private tokenizer: ClipTokenizer,
    private manifest: Pick<Manifest, 'templates'>,
    private cache: TextCache<Float32Array>,
    /** Cache namespace: the content key of the text model and tokenizer (LoadedBundle.textKey). */
    private namespace: string,
    /** Runs of prompts of one token length (see textRuns): WASM yes, WebGPU no. */
    private byLength = true,
  ) {}

  private async run(prompts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array<Float32Array>(prompts.length);
    for (const { indices, batch: enc } of tokenRuns(this.tokenizer, prompts, BATCH, this.byLength)) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', enc.ids, [enc.batch, enc.length]),
      };
      if (this.session.inputNames.includes('attention_mask'))
        feeds.attention_mask = new ort.Tensor('int64', enc.mask, [enc.batch, enc.length]);
      const res = await this.session.run(feeds);
      const t = res.text_embeds ?? res[this.session.outputNames[0]!]!;
      const data = (await t.getData()) as Float32Array;
      const dim = data.length / enc.batch;
      checkWidth(dim);
      indices.forEach((i, b) => (out[i] = data.slice(b * dim, (b + 1) * dim)));
      this.runs++;
      t.dispose();
    }
    return out;
  }

  /**
   * One uncached run so the first real edit does not pay for initialisation; returns the size of
   * the text model's embeddings.
   */
  async warm(): Promise<number> {
    const [embedding] = await this.run(['warm up']);
    this.runs = 0;
    return embedding?.length ?? 0;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  async encode(classes: VocabClass[]): Promise<EncodedVocabulary> {
    const templates = this.manifest.templates;
    const names = classes.flatMap((c) => c.names);
    const nameToClass = Int32Array.from(classes.flatMap((c, i) => c.names.map(() => i)));
    const prompts = [...new Set(names.flatMap((n) => promptsFor(n, templates)))];
    const { values, encoded } = await cachedEncode(this.cache, this.namespace, prompts, (m) => this.run(m));
    const byPrompt = new Map(prompts.map((p, i) => [p, values[i]!]));
    const dim = byPrompt.values().next().value?.length ?? 0;
    const stacked = new Float32Array(names.length * templates.length * dim);
    names.forEach((n, i) =>
      promptsFor(n, templates).forEach((p, t) =>
        stacked.set(byPrompt.get(p)!, (i * templates.length + t) * dim),
      ),
    );
    const nameEmbeds = dim ? ensembleTemplates(stacked, dim, templates.length) : stacked;
    const unknown = names.filter((_, i) => {
      for (let k = 0; k < dim; k++) if (nameEmbeds[i * dim + k] !== 0) return false;
      return true;
    });
    return { nameEmbeds, nameToClass, dim, unknown, encoded };
  }
}
