/**
 * The query (GKC / Mask2Former) family's description: an image model that proposes masks with one
 * embedding each, and a text model whose name embeddings score them. Main-thread-safe.
 */
import * as v from 'valibot';
import { defineFamily } from '../family';
import { familySchema, LIMITS, modelPart, num, text } from '../manifestSchema';

const embeddingMsg = `must be a list of ${LIMITS.embedding[0]}..${LIMITS.embedding[1]} finite numbers, not all zero`;

const querySchema = familySchema('query', {
  image: modelPart,
  text: modelPart,
  logitScale: num(...LIMITS.logitScale),
  voidEmbedding: v.optional(
    v.pipe(
      v.array(v.pipe(v.number(embeddingMsg), v.finite(embeddingMsg)), embeddingMsg),
      v.minLength(LIMITS.embedding[0], embeddingMsg),
      v.maxLength(LIMITS.embedding[1], embeddingMsg),
      v.check((e) => e.some((x) => x !== 0), embeddingMsg),
    ),
  ),
  vocabulary: v.optional(
    v.pipe(
      v.array(text(200), 'must be a list of words'),
      v.maxLength(100_000, 'must list at most 100000 words'),
    ),
  ),
});

export type QueryManifest = v.InferOutput<typeof querySchema>;

/** GKC's class probabilities per query [Q, C] and class scores at mask resolution [C, h, w]. */
export interface QueryDebug {
  classProbs: Float32Array;
  semsegLow: Float32Array;
}

/** The runner's counters: segments whose combine and label pass ran as graphs on the GPU. */
export interface QueryStats {
  gpuCombines: number;
}

export const queryFamily = defineFamily<typeof querySchema, QueryStats, QueryDebug>({
  id: 'query',
  label: 'Mask queries scored by name embeddings (GKC / Mask2Former)',
  schema: querySchema,
  parts: (m) => ({ image: m.image, text: m.text }),
  textPart: 'text',
  sizePart: 'image',
  vocabulary: (m) => m.vocabulary ?? [],
});
