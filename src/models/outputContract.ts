/**
 * What a model's outputs must be before the engine reads them. Shapes and dtypes are checked at load
 * (the warm-up runs) and on every run, values (NaN, infinities) on every run. A bundle comes from
 * anyone: without these checks a wrong output fails far from its cause ("offset is out of bounds",
 * "Cannot mix BigInt") or silently (NaN scores label nothing). Every message names the output.
 */
import { ModelOutputInvalidError } from '../errors';
import { LIMITS } from './manifestSchema';

/**
 * Numbers per prompt a text embedding may have (CLIP-like towers have 512 to 1,024): a bound on
 * each cached entry (32 KiB as float32) and on every vector product with it.
 */
export const MAX_EMBEDDING_WIDTH = LIMITS.embedding[1];

/** The part of an ONNX Runtime tensor the checks read. */
export interface OutputLike {
  readonly type: string;
  readonly dims: readonly number[];
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Checks `what`'s output `name` is float32 with one axis per entry of `axes` (their names, for the
 * message), each at least 1, and the value `fixed` gives for an axis where it gives one. Returns
 * the dims.
 */
export function checkFloatOutput(
  t: OutputLike,
  o: { what: string; name: string; axes: readonly string[]; fixed?: Readonly<Record<number, number>> },
): number[] {
  const fixed = o.fixed ?? {};
  const layout = `[${o.axes.map((a, i) => fixed[i] ?? a).join(', ')}]`;
  const at = `${o.what}'s output "${o.name}"`;
  if (t.type !== 'float32')
    throw new ModelOutputInvalidError(`${at} is ${t.type}: it must be float32 ${layout}`);
  const dims = [...t.dims];
  const bad =
    dims.length !== o.axes.length ||
    dims.some((d, i) => !(d >= 1) || (fixed[i] !== undefined && d !== fixed[i]));
  if (bad) throw new ModelOutputInvalidError(`${at} has shape [${dims.join(', ')}]: it must be ${layout}`);
  return dims;
}

/**
 * A text model's embeddings for `prompts` prompts: float32 [prompts, width], the width within
 * MAX_EMBEDDING_WIDTH. Returns the width.
 */
export function checkTextEmbeds(
  t: OutputLike,
  name: string,
  prompts: number,
  what = 'The text model',
): number {
  const [, width] = checkFloatOutput(t, { what, name, axes: ['prompts', 'width'], fixed: { 0: prompts } });
  if (width! > MAX_EMBEDDING_WIDTH)
    throw new ModelOutputInvalidError(
      `${what}'s output "${name}" has ${count(width!)} numbers per prompt: at most ${count(MAX_EMBEDDING_WIDTH)} (text embeddings of CLIP-like models have 512 to 1,024)`,
    );
  return width!;
}

/**
 * Throws when `data` holds NaN or an infinity, naming `subject` (`The text model's output
 * "text_embeds"`); `rows` (optional) names what each of `data`'s equal rows stands for (a prompt),
 * so the first row at fault is named.
 */
export function checkFinite(data: ArrayLike<number>, subject: string, rows?: readonly string[]): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!)) {
      bad++;
      if (first < 0) first = i;
    }
  if (bad === 0) return;
  const row = rows?.length ? rows[Math.floor(first / (data.length / rows.length))] : undefined;
  const of = row === undefined ? '' : ` (the first for "${row.slice(0, 60)}")`;
  throw new ModelOutputInvalidError(
    `${subject} has ${count(bad)} of ${count(data.length)} values that are NaN or infinite${of}: the model's weights or graph are broken, so nothing can be labelled`,
  );
}
