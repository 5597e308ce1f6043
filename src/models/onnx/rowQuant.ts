/**
 * Per-row dynamic quantisation: rewrites the hub's int8 pattern (onnxruntime quantize_dynamic:
 * DynamicQuantizeLinear(A) -> MatMulInteger / ConvInteger(A_q, W_q, A_zp, W_zp) -> Cast -> Mul by
 * A_scale * W_scale) so that each sample along axis 0 (a prompt, a decoder row) gets its own scale
 * and zero point, computed exactly as DynamicQuantizeLinear computes the one scale of a one-row run.
 *
 * Why: DynamicQuantizeLinear takes one scale for the whole [N, ...] tensor, so in a batch a row's
 * result depends on its batch-mates, and the app had to run int8 prompts and decoder rows one a run.
 * After this rewrite a batched row is computed from its own values only, as in a one-row run.
 *
 * For each DynamicQuantizeLinear whose outputs only feed integer ops (as A and A's zero point):
 * - min/max per row (ReduceMin/ReduceMax of x flattened to [N, M]), widened to include 0;
 *   scale = (max - min) / 255 (1 where max == min), zero point = round(clip(0 - min / scale, 0, 255)):
 *   onnxruntime's GetQuantizationParameter, op for op (float32 throughout);
 * - A_q = QuantizeLinear(x, scale[N], zp[N], axis 0): the same MlasQuantizeLinear as
 *   DynamicQuantizeLinear, per row;
 * - onnxruntime's MatMulInteger/ConvInteger take only a scalar A zero point, so the integer op runs
 *   without one and the zero point is taken off after, exactly in int32:
 *   sum_k (a - zp_a)(w - zp_w) = sum_k a (w - zp_w) - zp_a * sum_k (w - zp_w). For MatMulInteger the
 *   column sums of (W - zp_w) are a constant made here; for ConvInteger they depend on the padding at
 *   each output position, so they are the same ConvInteger run on a one-image tensor of ones
 *   (padding with 0, as the unpadded zero point pads: padded taps add nothing either way).
 * - the scale output becomes [N, 1, ..., 1] (x's rank), so the graph's own Mul(A_scale, W_scale)
 *   and the Mul of the cast product broadcast it per row.
 *
 * Any other use of those outputs (or a weight that is not a constant uint8/int8 matrix) leaves that
 * DynamicQuantizeLinear as it is; `kept` counts them (the part then still mixes rows).
 */
import { DataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnxProto';
import { floatTensor, int64Tensor, node } from './onnxBuilder';

export interface RowQuantResult {
  graph: OnnxGraph;
  /** DynamicQuantizeLinear nodes made per row. */
  rewritten: number;
  /** DynamicQuantizeLinear nodes left whole-tensor. */
  kept: number;
}

const INTEGER_OPS = new Set(['MatMulInteger', 'ConvInteger']);
const C = {
  zero: 'rowq/zero',
  one: 'rowq/one',
  q255: 'rowq/255',
  minus1: 'rowq/minus1',
  i1: 'rowq/i1',
  imax: 'rowq/imax',
  axes: 'rowq/axes',
};

type Use = { node: OnnxNode; slot: number };

function usesOf(nodes: OnnxNode[]): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  for (const n of nodes)
    (n.input ?? []).forEach((t, slot) => {
      if (!t) return;
      const u = uses.get(t);
      if (u) u.push({ node: n, slot });
      else uses.set(t, [{ node: n, slot }]);
    });
  return uses;
}

/** Integer values of a constant uint8/int8 tensor, or null when it holds them some other way. */
function int8Values(t: OnnxTensor | undefined): Int32Array | null {
  if (!t || (t.data_type !== DataType.UINT8 && t.data_type !== DataType.INT8)) return null;
  const signed = t.data_type === DataType.INT8;
  const n = (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
  if (t.raw_data?.byteLength === n) {
    const r = t.raw_data;
    return Int32Array.from(signed ? new Int8Array(r.buffer, r.byteOffset, n) : r);
  }
  if (t.int32_data?.length === n) return Int32Array.from(t.int32_data);
  return null;
}

/** sum_k (W[k, j] - zp[j]) for a constant [K, D] weight (zp scalar, [D] or absent), as int32. */
function columnSums(
  w: OnnxTensor | undefined,
  zp: OnnxTensor | undefined,
  hasZp: boolean,
): Int32Array | null {
  const v = int8Values(w);
  if (!v || w!.dims?.length !== 2) return null;
  const [k, d] = w!.dims.map(Number) as [number, number];
  const z = hasZp ? int8Values(zp) : Int32Array.of(0);
  if (!z || (z.length !== 1 && z.length !== d)) return null;
  const out = new Int32Array(d);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < d; j++) out[j]! += v[i * d + j]! - z[z.length === 1 ? 0 : j]!;
  return out;
}

/** The rewrite. `opset`: the model's default-domain opset (13 or more: per-axis QuantizeLinear). */
export function quantizePerRow(graph: OnnxGraph, opset: number): RowQuantResult {
  const nodes = graph.node ?? [];
  const dqs = nodes.filter((n) => n.op_type === 'DynamicQuantizeLinear' && (n.domain ?? '') === '');
  if (dqs.length === 0 || opset < 13) return { graph, rewritten: 0, kept: dqs.length };
  const uses = usesOf(nodes);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const outputs = new Set((graph.output ?? []).map((o) => o.name!));
  const added: OnnxTensor[] = [];
  const sums = new Map<string, string>();
  /** Column sums for a MatMulInteger, as an initializer name; null when the weight is not usable. */
  const colsum = (m: OnnxNode): string | null => {
    const [, w, , zp] = m.input ?? [];
    const key = `${w}|${zp ?? ''}`;
    if (!sums.has(key)) {
      const s = columnSums(inits.get(w ?? ''), inits.get(zp ?? ''), !!zp);
      if (!s) return null;
      const name = `${w}/rowq_colsum${sums.size}`;
      added.push({ name, dims: [s.length], data_type: DataType.INT32, int32_data: Array.from(s) });
      sums.set(key, name);
    }
    return sums.get(key)!;
  };
  const plan = new Map<OnnxNode, OnnxNode[]>();
  let rewritten = 0;
  for (const d of dqs) {
    const [x] = d.input ?? [];
    const [q, s, z] = d.output ?? [];
    if (!x || !q || !s || !z || [q, s, z].some((t) => outputs.has(t))) continue;
    const qUses = uses.get(q) ?? [];
    const zUses = uses.get(z) ?? [];
    const ints = qUses.map((u) => u.node);
    const ok =
      qUses.length > 0 &&
      qUses.every((u) => u.slot === 0 && INTEGER_OPS.has(u.node.op_type ?? '') && u.node.input?.[2] === z) &&
      zUses.every((u) => u.slot === 2 && ints.includes(u.node)) &&
      ints.every((m) => m.op_type === 'ConvInteger' || colsum(m) !== null);
    if (!ok) continue;
    const p = `${q}/rowq`;
    plan.set(d, statsChain(x, q, s, p, opset));
    for (const m of ints) plan.set(m, integerChain(m, p, colsum(m)));
    rewritten++;
  }
  if (rewritten === 0) return { graph, rewritten, kept: dqs.length };
  const node_ = nodes.flatMap((n) => plan.get(n) ?? [n]);
  const read = new Set(node_.flatMap((n) => n.input ?? []));
  const constants = [
    floatTensor(C.zero, [], [0]),
    floatTensor(C.one, [], [1]),
    floatTensor(C.q255, [], [255]),
    int64Tensor(C.minus1, [1], [-1]),
    int64Tensor(C.i1, [1], [1]),
    int64Tensor(C.imax, [1], [Number.MAX_SAFE_INTEGER]),
    int64Tensor(C.axes, [1], [1]),
  ];
  added.push(...constants.filter((t) => read.has(t.name!)));
  // The scale and zero point change shape: drop any declared shapes for them.
  const changed = new Set(dqs.filter((d) => plan.has(d)).flatMap((d) => d.output!.slice(1)));
  return {
    graph: {
      ...graph,
      node: node_,
      initializer: [...(graph.initializer ?? []), ...added],
      value_info: (graph.value_info ?? []).filter((v) => !changed.has(v.name!)),
    },
    rewritten,
    kept: dqs.length - rewritten,
  };
}

/** Per-row scale and zero point of x, A_q (named q), the scale as [N, 1, ...] (named s). */
function statsChain(x: string, q: string, s: string, p: string, opset: number): OnnxNode[] {
  // ReduceMin/Max take their axes as an attribute before opset 18 and as an input from 18.
  const reduce = (op: string, out: string) =>
    opset >= 18
      ? node(op, [`${p}/flat`, C.axes], [out], { keepdims: 0 })
      : node(op, [`${p}/flat`], [out], { axes: [1], keepdims: 0 });
  const ones = node('ConstantOfShape', [`${p}/rank1`], [`${p}/ones`], {
    value: { name: 'value', dims: [1], data_type: DataType.INT64, int64_data: [1] },
  });
  return [
    node('Flatten', [x], [`${p}/flat`], { axis: 1 }),
    reduce('ReduceMin', `${p}/min`),
    reduce('ReduceMax', `${p}/max`),
    node('Min', [`${p}/min`, C.zero], [`${p}/min0`]),
    node('Max', [`${p}/max`, C.zero], [`${p}/max0`]),
    node('Sub', [`${p}/max0`, `${p}/min0`], [`${p}/range`]),
    node('Div', [`${p}/range`, C.q255], [`${p}/ratio`]),
    node('Equal', [`${p}/max0`, `${p}/min0`], [`${p}/flat0`]),
    node('Where', [`${p}/flat0`, C.one, `${p}/ratio`], [`${p}/scale`]),
    node('Div', [`${p}/min0`, `${p}/scale`], [`${p}/minq`]),
    node('Sub', [C.zero, `${p}/minq`], [`${p}/zp0`]),
    node('Clip', [`${p}/zp0`, C.zero, C.q255], [`${p}/zpc`]),
    node('Round', [`${p}/zpc`], [`${p}/zpf`]),
    node('Cast', [`${p}/zpf`], [`${p}/zp`], { to: DataType.UINT8 }),
    node('QuantizeLinear', [x, `${p}/scale`, `${p}/zp`], [q], { axis: 0 }),
    // [-1, 1, ..., 1] of x's rank, to broadcast a per-row value against the integer op's output.
    node('Shape', [x], [`${p}/shape`]),
    node('Shape', [`${p}/shape`], [`${p}/rank`]),
    node('Sub', [`${p}/rank`, C.i1], [`${p}/rank1`]),
    ones,
    node('Concat', [C.minus1, `${p}/ones`], [`${p}/rows`], { axis: 0 }),
    node('Reshape', [`${p}/scale`, `${p}/rows`], [s]),
    node('Cast', [`${p}/zp`], [`${p}/zp32`], { to: DataType.INT32 }),
    node('Reshape', [`${p}/zp32`, `${p}/rows`], [`${p}/zprows`]),
  ];
}

/** The integer op without A's zero point, then minus zp_a per row times the weight's sums. */
function integerChain(m: OnnxNode, p: string, colsum: string | null): OnnxNode[] {
  const [a, w, , wzp] = m.input!;
  const out = m.output![0]!;
  const raw = `${out}/rowq_raw`;
  const ins = (first: string) => (wzp ? [first, w!, '', wzp] : [first, w!]);
  const int = { ...m, input: ins(a!), output: [raw] };
  const corr = `${out}/rowq_corr`;
  const chain: OnnxNode[] = [int];
  if (m.op_type === 'MatMulInteger') chain.push(node('Mul', [`${p}/zprows`, colsum!], [corr]));
  else {
    // One image of ones with x's channels and size: ConvInteger of it sums (W - zp_w) over the taps
    // that land inside the image at each output position.
    const oneU8: OnnxTensor = {
      name: 'value',
      dims: [1],
      data_type: DataType.UINT8,
      raw_data: Uint8Array.of(1),
    };
    chain.push(
      node('Slice', [`${p}/shape`, C.i1, C.imax], [`${out}/rowq_chw`]),
      node('Concat', [C.i1, `${out}/rowq_chw`], [`${out}/rowq_oneshape`], { axis: 0 }),
      node('ConstantOfShape', [`${out}/rowq_oneshape`], [`${out}/rowq_ones`], { value: oneU8 }),
      {
        ...m,
        name: `${m.name ?? out}_rowq_taps`,
        input: ins(`${out}/rowq_ones`),
        output: [`${out}/rowq_taps`],
      },
      node('Mul', [`${p}/zprows`, `${out}/rowq_taps`], [corr]),
    );
  }
  chain.push(node('Sub', [raw, corr], [out]));
  return chain;
}
