import { ensembleTemplates } from '../processing/vectors';
import { promptsFor, type VocabClass } from '../processing/vocabulary';
import { UNWATCHED, type Job } from './job';
import { checkFinite, checkTextEmbeds } from './outputContract';
import { cachedEncode, type Keep } from './promptCache';
import type { TextCache } from './runnerInputs';
import { ort } from './runtime/ortRuntime';
import { tokenRuns, type ClipTokenizer } from './tokenizer';
import type { Manifest } from './families';

/** Prompts a text run takes at once: bounds memory for long vocabularies (and a job's wait to stop). */
const BATCH = 64;
/** The warm-up's two prompts: one run of two checks the output's batch axis as well as its width. */
const WARM_PROMPTS = ['a photo of a cat.', 'warm up'];
const WHAT = 'The text model';

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

  /** One text-model run on a padded batch; its output checked against the contract (named on failure). */
  private async runBatch(
    prompts: readonly string[],
    ids: BigInt64Array,
    mask: BigInt64Array,
    length: number,
  ) {
    const batch = prompts.length;
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [batch, length]) };
    if (this.session.inputNames.includes('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', mask, [batch, length]);
    const res = await this.session.run(feeds);
    const name = res.text_embeds ? 'text_embeds' : this.session.outputNames[0]!;
    const t = res[name]!;
    try {
      const dim = checkTextEmbeds(t, name, batch, WHAT);
      const data = (await t.getData()) as Float32Array;
      checkFinite(data, `${WHAT}'s output "${name}"`, prompts);
      this.runs++;
      return { data, dim };
    } finally {
      for (const out of Object.values(res)) out.dispose();
    }
  }

  /** Encodes `prompts` in runs, keeping each run's values as it ends and reporting to `job`. */
  private async run(prompts: string[], keep: Keep<Float32Array>, job: Job): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array<Float32Array>(prompts.length);
    let done = 0;
    for (const { indices, batch: enc } of tokenRuns(this.tokenizer, prompts, BATCH, this.byLength)) {
      const { data, dim } = await this.runBatch(
        indices.map((i) => prompts[i]!),
        enc.ids,
        enc.mask,
        enc.length,
      );
      indices.forEach((i, b) => (out[i] = data.slice(b * dim, (b + 1) * dim)));
      await keep(indices.map((i) => [prompts[i]!, out[i]!]));
      done += indices.length;
      await job.step('prompts', done, prompts.length);
    }
    return out;
  }

  /**
   * One uncached run of two prompts, so the first real edit does not pay for initialisation, and
   * the output is checked against the contract (float32 [2, width], width bounded, finite) before
   * any vocabulary is encoded. Returns the width of the text model's embeddings.
   */
  async warm(): Promise<number> {
    const enc = this.tokenizer.pad(WARM_PROMPTS.map((p) => this.tokenizer.ids(p)));
    const { dim } = await this.runBatch(WARM_PROMPTS, enc.ids, enc.mask, enc.length);
    this.runs = 0;
    return dim;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  /** `job`: told after each run (a big vocabulary takes many), and may stop the encoding there. */
  async encode(classes: VocabClass[], job: Job = UNWATCHED): Promise<EncodedVocabulary> {
    const templates = this.manifest.templates;
    const names = classes.flatMap((c) => c.names);
    const nameToClass = Int32Array.from(classes.flatMap((c, i) => c.names.map(() => i)));
    const prompts = [...new Set(names.flatMap((n) => promptsFor(n, templates)))];
    const { values, encoded } = await cachedEncode(this.cache, this.namespace, prompts, (m, keep) =>
      this.run(m, keep, job),
    );
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
