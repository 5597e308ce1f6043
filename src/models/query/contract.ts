/**
 * The query family's image outputs: `pred_masks` float32 [1, queries, height, width] and
 * `query_embeds` float32 [1, queries, width], with the same number of queries (within a bound) and
 * finite values. Checked on every image run, the warm-up's included, so a model that breaks the
 * contract fails its load with the output named instead of labelling nothing.
 */
import { ModelOutputInvalidError } from '../../errors';
import { checkFinite, checkFloatOutput, MAX_EMBEDDING_WIDTH, type OutputLike } from '../outputContract';

/** Mask2Former proposes 100 to 200 queries; the combine costs queries x classes x mask pixels. */
const MAX_QUERIES = 1024;

const WHAT = 'The image model';
const count = (n: number) => n.toLocaleString('en-US');

/** Shapes of a run's outputs, checked: queries Q, mask size h x w, embedding width D. */
export function checkQueryShapes(outputs: Readonly<Record<string, OutputLike | undefined>>): {
  Q: number;
  h: number;
  w: number;
  D: number;
} {
  const { pred_masks: masks, query_embeds: embeds } = outputs;
  if (!masks || !embeds) {
    const missing = [!masks && 'pred_masks', !embeds && 'query_embeds'].filter(Boolean).join(' and ');
    throw new ModelOutputInvalidError(
      `${WHAT} must output pred_masks and query_embeds; it has no ${missing} (its outputs: ${Object.keys(outputs).join(', ') || 'none'})`,
    );
  }
  const [, Q, h, w] = checkFloatOutput(masks, {
    what: WHAT,
    name: 'pred_masks',
    axes: ['1', 'queries', 'height', 'width'],
    fixed: { 0: 1 },
  }) as [number, number, number, number];
  const [, Qe, D] = checkFloatOutput(embeds, {
    what: WHAT,
    name: 'query_embeds',
    axes: ['1', 'queries', 'width'],
    fixed: { 0: 1 },
  }) as [number, number, number];
  if (Qe !== Q)
    throw new ModelOutputInvalidError(
      `${WHAT}'s outputs disagree on the number of queries: "pred_masks" has ${count(Q)}, "query_embeds" has ${count(Qe)}`,
    );
  if (Q > MAX_QUERIES)
    throw new ModelOutputInvalidError(
      `${WHAT}'s outputs have ${count(Q)} queries: at most ${count(MAX_QUERIES)}`,
    );
  if (D > MAX_EMBEDDING_WIDTH)
    throw new ModelOutputInvalidError(
      `${WHAT}'s output "query_embeds" has ${count(D)} numbers per query: at most ${count(MAX_EMBEDDING_WIDTH)}`,
    );
  return { Q, h, w, D };
}

/**
 * The values of a run's outputs: no NaN or infinity (they would label nothing, silently). `masks`
 * null: left on the GPU for the combine graph, checked where they are read back (the warm-up, and
 * before the JavaScript combine); on the GPU path alone a NaN is not looked for before the labels.
 */
export function checkQueryValues(masks: Float32Array | null, embeds: Float32Array): void {
  if (masks) checkFinite(masks, `${WHAT}'s output "pred_masks"`);
  checkFinite(embeds, `${WHAT}'s output "query_embeds"`);
}
