/**
 * Builds the dense-CLIP image model from a CLIP vision tower ONNX (ClearCLIP-style, training-free):
 *
 *   keep the graph up to the input of the last encoder layer; in that layer, feed the keys from the
 *   query projection (q·qᵀ attention), take the attention's out projection WITHOUT the residual Add
 *   and without the MLP; then the post-LayerNorm and the visual projection on EVERY token (the
 *   export applies them to the pooled class token only); drop the class token; L2-normalise.
 *
 * Output `patch_embeds`: float32 [batch, h*w, P], row-major over the patch grid (h = H/patch,
 * w = W/patch). Everything is found from the graph's structure (./structure.ts, ./layerNorm.ts,
 * ./positions.ts);
 * the new post-LN/projection nodes are copies of the export's own nodes (so they exist in the
 * model's opset and element type, LayerNormalization or decomposed, MatMul or MatMulInteger), and
 * the normalisation uses only opset-stable ops (Mul, MatMul, Sqrt, Max, Div).
 */
import { node, floatTensor, int64Tensor, valueInfo } from '../onnx/onnxBuilder';
import {
  DataType,
  decodeModel,
  encodeModel,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
} from '../onnx/onnxProto';
import { rejectSubgraphs, topoOrder } from '../onnx/graphTools';
import { ClipDenseError, GraphIndex } from './graphIndex';
import { findLayerNorms, type LayerNormMatch } from './layerNorm';
import { resizePositions, type PositionInfo } from './positions';
import { findAttention, findBlocks, findHead, type EncoderBlock, type Projection } from './structure';

export const OUTPUT = 'patch_embeds';
const P = 'clipdense/';

export interface SurgeryOptions {
  /** Patch grid to run at (position embeddings interpolated at load); default: the export's own. */
  grid?: { h: number; w: number };
  /**
   * Also output the last layer's input, under its own name (`info.lastLayerInput`), for checks against
   * the fixture's `hidden_before_last_block`.
   */
  exposeHidden?: boolean;
}

export interface SurgeryInfo {
  pixelInput: string;
  layers: number;
  layerNormForm: 'node' | 'decomposed';
  /** Tensor names found (for messages and checks). */
  lastLayerInput: string;
  query: string;
  key: string;
  attnOut: string;
  /** Output size of each patch embedding. */
  dim: number;
  positions: PositionInfo;
}

/** A copied Gemm as MatMul (+ Add): Gemm takes 2-D inputs only, and the copies run on 3-D token tensors. */
function gemmToMatMul(n: OnnxNode, rename: (t: string) => string): OnnxNode[] {
  const get = (k: string) => n.attribute?.find((a) => a.name === k);
  if ((get('alpha')?.f ?? 1) !== 1 || (get('beta')?.f ?? 1) !== 1 || get('transA')?.i)
    throw new ClipDenseError(
      'Cannot copy the visual projection: a Gemm with alpha/beta/transA is not supported.',
    );
  const [a, b, c] = n.input as [string, string, string | undefined];
  const y = rename(n.output![0]!);
  const out: OnnxNode[] = [];
  let w = b;
  if (get('transB')?.i) {
    w = `${y}/weight_t`;
    out.push(node('Transpose', [b], [w], { perm: [1, 0] }));
  }
  out.push(node('MatMul', [rename(a), w], [c ? `${y}/mm` : y]));
  if (c) out.push(node('Add', [`${y}/mm`, c], [y]));
  return out;
}

/** Applies the surgery to an encoded model; returns the new encoded model and what it found. */
export function clearClipSurgery(
  bytes: Uint8Array,
  opts: SurgeryOptions = {},
): { bytes: Uint8Array; info: SurgeryInfo } {
  const { model, g, pixelInput } = openTower(bytes);
  const graph = g.graph;
  const lns = findLayerNorms(g);
  const blocks = findBlocks(g, lns);
  const last = blocks[blocks.length - 1]!;
  const att = findAttention(g, last);
  const { postLn, projection } = findHead(g, lns, last);

  // q·qᵀ: the key path now starts from the query projection (its own scaling, if any, is kept, so the
  // product keeps the export's 1/sqrt(head dim)).
  const entry = g.node(att.keyEntry.node);
  entry.input![att.keyEntry.slot] = att.query;

  const head = copyHead(g, postLn, last, projection);
  const normalise = normalisePatches(graph, head.embeds, projection.dim);
  const positions = resizePositions(g, blocks[0]!, lns, opts.grid);

  graph.node!.push(...head.copies, ...normalise);
  const outputs = [valueInfo(OUTPUT, DataType.FLOAT, ['batch', 'patches', projection.dim])];
  if (opts.exposeHidden) {
    // The residual stream has the element type of the LayerNorm weights (FLOAT16 in fp16 exports).
    const type = g.constValue(last.ln1.gamma)?.type ?? DataType.FLOAT;
    outputs.push(valueInfo(last.input, type, ['batch', 'tokens', 'hidden']));
  }
  graph.output = outputs;
  prune(model, pixelInput);
  return {
    bytes: encodeModel(model),
    info: {
      pixelInput,
      layers: blocks.length,
      layerNormForm: last.ln1.form,
      lastLayerInput: last.input,
      query: att.query,
      key: att.key,
      attnOut: last.attnOut,
      dim: projection.dim,
      positions,
    },
  };
}

/** Decodes the model and checks that it is a single-input graph the surgery can rewrite. */
function openTower(bytes: Uint8Array): { model: OnnxModel; g: GraphIndex; pixelInput: string } {
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ClipDenseError(`Not an ONNX model: ${e instanceof Error ? e.message : String(e)}`);
  }
  const graph = model.graph;
  if (!graph?.node?.length) throw new ClipDenseError('Not an ONNX model with a graph');
  rejectSubgraphs(graph.node);
  const opset = model.opset_import?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 10) throw new ClipDenseError(`Opset ${opset} is too old (the surgery needs opset 10 or later)`);
  const g = new GraphIndex(graph);
  if (g.inputs.length !== 1)
    throw new ClipDenseError(
      `Looked for a vision tower with one input (pixel_values); this graph has ${g.inputs.length}: ${g.inputs.join(', ')}`,
    );
  return { model, g, pixelInput: g.inputs[0]! };
}

/**
 * Post-LN + projection on every token: copies of the export's nodes (renamed under the `clipdense/`
 * prefix), reading the attention output instead of the pooled class token. `embeds`: the copied
 * projection's output.
 */
function copyHead(
  g: GraphIndex,
  postLn: LayerNormMatch,
  last: EncoderBlock,
  projection: Projection,
): { copies: OnnxNode[]; embeds: string } {
  const renamed = new Map<string, string>();
  const rename = (t: string) => (t === postLn.input ? last.attnOut : (renamed.get(t) ?? t));
  const copies: OnnxNode[] = [];
  for (const i of projection.path) {
    const n = g.node(i);
    for (const o of n.output ?? []) if (o) renamed.set(o, P + o);
    if (n.op_type === 'Gemm') copies.push(...gemmToMatMul(n, rename));
    else
      copies.push({
        ...n,
        name: P + (n.name ?? ''),
        input: (n.input ?? []).map((t) => (t ? rename(t) : t)),
        output: (n.output ?? []).map((o) => (o ? P + o : o)),
      });
  }
  return { copies, embeds: rename(projection.output) };
}

/**
 * float32, drop the class token, L2-normalise each patch into OUTPUT. Adds the constants it needs to
 * the graph's initializers and returns the nodes. The sum of squares is a MatMul by ones (no
 * ReduceSum, whose axes moved from an attribute to an input at opset 13).
 */
function normalisePatches(graph: OnnxGraph, embeds: string, dim: number): OnnxNode[] {
  graph.initializer!.push(
    int64Tensor(`${P}starts`, [1], [1]),
    int64Tensor(`${P}ends`, [1], [Number.MAX_SAFE_INTEGER]),
    int64Tensor(`${P}axes`, [1], [1]),
    floatTensor(`${P}ones`, [dim, 1], new Float32Array(dim).fill(1)),
    floatTensor(`${P}tiny`, [], [1e-12]),
  );
  return [
    node('Cast', [embeds], [`${P}embeds_f32`], { to: DataType.FLOAT }),
    node('Slice', [`${P}embeds_f32`, `${P}starts`, `${P}ends`, `${P}axes`], [`${P}patches`]),
    node('Mul', [`${P}patches`, `${P}patches`], [`${P}squares`]),
    node('MatMul', [`${P}squares`, `${P}ones`], [`${P}sum_squares`]),
    node('Sqrt', [`${P}sum_squares`], [`${P}norm`]),
    node('Max', [`${P}norm`, `${P}tiny`], [`${P}norm_safe`]),
    node('Div', [`${P}patches`, `${P}norm_safe`], [OUTPUT]),
  ];
}

/** Keeps the nodes, initializers and inputs that the outputs need; sorts the nodes. */
function prune(model: OnnxModel, pixelInput: string): void {
  const g = model.graph!;
  const nodes = g.node ?? [];
  const order = topoOrder(nodes, new Set([pixelInput, ...(g.initializer ?? []).map((t) => t.name ?? '')]));
  const needed = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const keep: number[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const n = nodes[order[k]!]!;
    if (!(n.output ?? []).some((o) => o && needed.has(o))) continue;
    keep.push(order[k]!);
    for (const t of n.input ?? []) if (t) needed.add(t);
  }
  g.node = keep.reverse().map((i) => nodes[i]!);
  g.initializer = (g.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  g.input = (g.input ?? []).filter((v) => v.name === pixelInput);
  // Intermediate shapes may no longer hold (the last layer is rewritten, the grid may change): let the
  // runtime infer them.
  g.value_info = [];
}
