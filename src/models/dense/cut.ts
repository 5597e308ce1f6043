/**
 * Cut tensors of a split dense model, as plain typed arrays (pure: no ORT, no DOM).
 *
 * The text model is run per prompt and its outputs (the cut) cached per prompt; the image model is fed
 * the cut of N prompts. How a cut tensor depends on N is found at load time by running the text model
 * on 1, 2 and 3 probe prompts (`classifyCut`):
 * - `batched`: exactly one axis whose size is 1, 2, 3 for N = 1, 2, 3 while every other axis keeps its
 *   size. Each prompt keeps its own slice along that axis; stacking concatenates slices along it.
 * - `fixed`: same shape and same value for every N (and for prompts of different lengths): kept once.
 * - `count`: same shape, values an exact affine function of N (`base + slope * N`), e.g. the int64
 *   `[N]` that a `Shape(cond) -> Gather(0) -> Unsqueeze` chain feeds to a Reshape in the decoder.
 *   Re-created for the N being stacked.
 * Anything else (a tensor that changes with the prompts' length or content but has no batch axis)
 * cannot be cached per prompt: `classifyCut` throws.
 * When the model declares shapes (value_info), a batch axis is also a symbolic dim; the probe is used
 * in every case because the fp32 exports declare none.
 */
import { ModelGraphUnsupportedError } from '../../errors';

/** Typed arrays that ORT returns for the tensor types a cut can hold. */
export type CutData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint32Array
  | BigUint64Array;

/**
 * One tensor: ORT type name ('float32', 'float16', 'int64', ...), data and dims. float16 data is
 * always held as Uint16Array bits (see halfToFloat / floatToHalf).
 */
export interface CutValue {
  type: string;
  data: CutData;
  dims: number[];
}

/** The cut of one prompt: batched tensors only (their slice has size 1 on the batch axis). */
export type PromptCut = Record<string, CutValue>;

export type CutLayout =
  /**
   * `sliceDims`: one prompt's dims (size 1 on the batch axis), at the probes' padded length;
   * `lengthDependent`: the dims change with the prompt length (such prompts stack only when they were
   * encoded at the same padded length).
   */
  | {
      name: string;
      kind: 'batched';
      type: string;
      axis: number;
      sliceDims: number[];
      lengthDependent: boolean;
    }
  | { name: string; kind: 'fixed'; value: CutValue }
  | { name: string; kind: 'count'; type: string; dims: number[]; base: number[]; slope: number[] };

/** Cut tensors whose shapes do not follow the number of prompts as the split needs. */
export class CutError extends ModelGraphUnsupportedError {
  override name = 'CutError';
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function newLike(data: CutData, length: number): CutData {
  const Ctor = data.constructor as new (n: number) => CutData;
  return new Ctor(length);
}

function toNumbers(data: CutData): number[] {
  return Array.from(data as ArrayLike<number | bigint>, Number);
}

function fromNumbers(type: string, values: number[]): CutData {
  switch (type) {
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(values, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'float32':
      return Float32Array.from(values);
    default:
      throw new CutError(
        `A cut tensor of type ${type} that depends on the prompt count cannot be re-created`,
      );
  }
}

const sameDims = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Works out how one cut tensor depends on the prompt count from probe runs. `byCount[k]` is the
 * tensor for N = k + 1 prompts (at least N = 1, 2, 3, all padded to one length); `other` (optional)
 * is an N = 1 run on a prompt of another length, to catch tensors that depend on the text rather than
 * the count.
 */
export function classifyCut(name: string, byCount: CutValue[], other?: CutValue): CutLayout {
  if (byCount.length < 3) throw new CutError('classifyCut needs probe runs for N = 1, 2 and 3');
  const [a, b, c] = byCount as [CutValue, CutValue, CutValue];
  const rank = a.dims.length;
  if (byCount.some((v) => v.dims.length !== rank))
    throw new CutError(`Cut tensor "${name}" changes rank with the number of prompts`);
  // The batch axis: size k + 1 for N = k + 1 while every other axis keeps its size (so a tensor
  // such as [N, N] has none and is refused below).
  const axis = a.dims.findIndex((_, ax) =>
    byCount.every((v, k) => v.dims[ax] === k + 1 && v.dims.every((d, j) => j === ax || d === a.dims[j])),
  );
  if (axis >= 0) {
    const sliceDims = a.dims.map((d, i) => (i === axis ? 1 : d));
    const lengthDependent = other !== undefined && !sameDims(other.dims, sliceDims);
    return { name, kind: 'batched', type: a.type, axis, sliceDims, lengthDependent };
  }
  if (!byCount.every((v) => sameDims(v.dims, a.dims)) || (other && !sameDims(other.dims, a.dims)))
    throw new CutError(
      `Cut tensor "${name}" changes shape with the prompts ([${byCount.map((v) => `[${v.dims}]`)}]) ` +
        'but has no batch axis: it cannot be cached per prompt',
    );
  const [va, vb, vc] = [a, b, c].map((v) => toNumbers(v.data)) as [number[], number[], number[]];
  const vo = other ? toNumbers(other.data) : va;
  if (va.every((x, i) => x === vb[i] && x === vc[i] && x === vo[i]))
    return { name, kind: 'fixed', value: { type: a.type, data: a.data.slice(), dims: [...a.dims] } };
  const slope = va.map((x, i) => vb[i]! - x);
  const base = va.map((x, i) => x - slope[i]!);
  const affine = vc.every((x, i) => x === base[i]! + 3 * slope[i]!) && vo.every((x, i) => x === va[i]);
  if (!affine)
    throw new CutError(
      `Cut tensor "${name}" [${a.dims}] changes with the prompts in a way that cannot be cached per prompt`,
    );
  return { name, kind: 'count', type: a.type, dims: [...a.dims], base, slope };
}

/** Splits a batched tensor of `n` prompts into one slice per prompt (copies: caches keep them). */
export function slicePrompts(value: CutValue, axis: number, n: number): CutValue[] {
  if (value.dims[axis] !== n)
    throw new CutError(`Expected ${n} prompts on axis ${axis}, got dims [${value.dims}]`);
  const outer = size(value.dims.slice(0, axis));
  const inner = size(value.dims.slice(axis + 1));
  const dims = value.dims.map((d, i) => (i === axis ? 1 : d));
  const out: CutValue[] = [];
  for (let p = 0; p < n; p++) {
    const data = newLike(value.data, outer * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * n + p) * inner;
      (data as Float32Array).set((value.data as Float32Array).subarray(from, from + inner), o * inner);
    }
    out.push({ type: value.type, data, dims });
  }
  return out;
}

/** Concatenates per-prompt slices along the batch axis. */
export function concatPrompts(slices: readonly CutValue[], axis: number): CutValue {
  const first = slices[0];
  if (!first) throw new CutError('No prompt to stack');
  const n = slices.length;
  for (const s of slices)
    if (!sameDims(s.dims, first.dims) || s.type !== first.type)
      throw new CutError(
        `Cannot stack prompts whose cut tensors differ: [${first.dims}] ${first.type} vs [${s.dims}] ${s.type}` +
          ' (encode them with the same padded length)',
      );
  const outer = size(first.dims.slice(0, axis));
  const inner = size(first.dims.slice(axis + 1));
  const data = newLike(first.data, outer * n * inner);
  for (let o = 0; o < outer; o++)
    for (let p = 0; p < n; p++)
      (data as Float32Array).set(
        (slices[p]!.data as Float32Array).subarray(o * inner, (o + 1) * inner),
        (o * n + p) * inner,
      );
  return { type: first.type, data, dims: first.dims.map((d, i) => (i === axis ? n : d)) };
}

/** The cut for N prompts, from each prompt's own cut, ready to feed the image model. */
export function stackCut(
  layouts: readonly CutLayout[],
  prompts: readonly PromptCut[],
): Record<string, CutValue> {
  const n = prompts.length;
  if (n === 0) throw new CutError('No prompt to stack');
  const out: Record<string, CutValue> = {};
  for (const l of layouts) {
    if (l.kind === 'fixed') out[l.name] = l.value;
    else if (l.kind === 'count')
      out[l.name] = {
        type: l.type,
        data: fromNumbers(
          l.type,
          l.base.map((b, i) => b + n * l.slope[i]!),
        ),
        dims: l.dims,
      };
    else
      out[l.name] = concatPrompts(
        prompts.map((p, i) => {
          const v = p[l.name];
          if (!v) throw new CutError(`Prompt ${i} has no cut tensor "${l.name}"`);
          return v;
        }),
        l.axis,
      );
  }
  return out;
}
