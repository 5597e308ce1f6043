/**
 * Reads the structure of a CLIP vision tower from its ONNX graph, by the shape of the computation
 * (not by tensor names): the encoder layers, the last layer's attention (its query and key
 * projections, where the keys enter the score product), the post-LayerNorm and the visual projection.
 */
import { ClipDenseError, type GraphIndex } from './graphIndex';
import type { LayerNormMatch } from './layerNorm';

/** One pre-norm transformer layer: x -> LN1 -> attention -> + x = r -> LN2 -> MLP -> + r = y. */
export interface EncoderBlock {
  ln1: LayerNormMatch;
  /** The layer's input (the residual stream before it). */
  input: string;
  /** The attention branch's output (out projection), before the residual Add. */
  attnOut: string;
  /** r = input + attnOut. */
  mid: string;
  ln2: LayerNormMatch;
  /** y = r + MLP(LN2(r)): the layer's output. */
  output: string;
}

export interface Attention {
  softmax: number;
  /** The score MatMul, q·kᵀ (scaled) feeds the softmax. */
  score: number;
  /** Query projection output (before head reshapes and scaling). */
  query: string;
  /** Key projection output, and the node (and its input slot) where the key path starts. */
  key: string;
  keyEntry: { node: number; slot: number };
}

export interface Projection {
  /** The graph output reached from the post-LayerNorm through the projection. */
  output: string;
  /** Node indices from the post-LayerNorm's input to `output` (LayerNorm included). */
  path: number[];
  /** Output size of the projection. */
  dim: number;
}

const LAYOUT = 'LayerNorm -> attention (Softmax) -> residual Add -> LayerNorm -> MLP -> residual Add';

function otherInput(g: GraphIndex, i: number, t: string): string | undefined {
  const ins = g.node(i).input ?? [];
  if (ins.length !== 2) return undefined;
  return ins[0] === t ? ins[1] : ins[1] === t ? ins[0] : undefined;
}

/** The encoder layers in order; throws when there is none. */
export function findBlocks(g: GraphIndex, lns: LayerNormMatch[]): EncoderBlock[] {
  const blocks: EncoderBlock[] = [];
  for (const ln1 of lns) {
    const x = ln1.input;
    for (const a1 of g.readers(x, 'Add')) {
      const attnOut = otherInput(g, a1, x);
      if (!attnOut) continue;
      // The attention branch has a Softmax (the MLP branch, which also sits between a LayerNorm and a
      // residual Add, has none).
      const branch = g.between(ln1.output, attnOut);
      if (!branch.some((i) => g.node(i).op_type === 'Softmax')) continue;
      const mid = g.node(a1).output![0]!;
      const ln2 = lns.find((l) => l.input === mid);
      if (!ln2) continue;
      const a2 = g.readers(mid, 'Add').find((i) => {
        const m = otherInput(g, i, mid);
        return m !== undefined && m !== x && g.dependsOn(m, ln2.output);
      });
      if (a2 === undefined) continue;
      blocks.push({ ln1, input: x, attnOut, mid, ln2, output: g.node(a2).output![0]! });
    }
  }
  if (!blocks.length) {
    const nodes = lns.filter((l) => l.form === 'node').length;
    throw new ClipDenseError(
      `Not a CLIP vision tower this model family understands: looked for encoder layers (${LAYOUT}) ` +
        `and found none (the graph has ${lns.length} LayerNorms: ${nodes} LayerNormalization nodes, ` +
        `${lns.length - nodes} decomposed into ReduceMean/Sub/Pow/Sqrt/Div).`,
    );
  }
  return blocks.sort((a, b) => g.posOf(a.output) - g.posOf(b.output));
}

const MOVES = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Cast', 'Flatten']);

/** Walks back from input `slot` of node `from` through reshapes, transposes and scalings. */
function traceProjection(g: GraphIndex, from: number, slot: number, ln: string) {
  let entry = { node: from, slot };
  let t = g.node(from).input![slot]!;
  for (;;) {
    const p = g.producer.get(t);
    if (p === undefined) break;
    const n = g.node(p);
    const ins = n.input ?? [];
    let at = MOVES.has(n.op_type ?? '') && ins[0] ? 0 : -1;
    if ((n.op_type === 'Mul' || n.op_type === 'Div') && ins.length === 2) {
      // A scaling by something that does not depend on the layer's input (1/sqrt(d), per side).
      const dep = ins.map((x) => g.dependsOn(x, ln));
      if (dep[0] && !dep[1]) at = 0;
      else if (n.op_type === 'Mul' && dep[1] && !dep[0]) at = 1;
    }
    if (at < 0) break;
    entry = { node: p, slot: at };
    t = ins[at]!;
  }
  return { tensor: t, entry };
}

/** The last layer's attention: softmax, score product, query and key projections. */
export function findAttention(g: GraphIndex, b: EncoderBlock): Attention {
  const inside = g.between(b.ln1.output, b.attnOut);
  const softmaxes = inside.filter((i) => g.node(i).op_type === 'Softmax');
  if (softmaxes.length !== 1)
    throw new ClipDenseError(
      `Cannot rewrite the last encoder layer: looked for one Softmax between its first LayerNorm and ` +
        `its residual Add (unfused attention), found ${softmaxes.length}` +
        (inside.some((i) => /Attention/.test(g.node(i).op_type ?? ''))
          ? ' and a fused Attention op (export the model without attention fusion).'
          : '.'),
    );
  const softmax = softmaxes[0]!;
  // Back from the softmax through scalings and an additive mask to the score MatMul.
  let t = g.node(softmax).input![0]!;
  let score: number | undefined;
  for (let guard = 0; guard < 8; guard++) {
    const p = g.producer.get(t);
    if (p === undefined) break;
    const n = g.node(p);
    const ins = n.input ?? [];
    if (n.op_type === 'MatMul' && ins.every((x) => g.dependsOn(x, b.ln1.output))) {
      score = p;
      break;
    }
    const through = ins.filter((x) => g.dependsOn(x, b.ln1.output));
    if (!['Add', 'Mul', 'Div', 'Cast', 'Identity', 'Sub'].includes(n.op_type ?? '') || through.length !== 1)
      break;
    t = through[0]!;
  }
  if (score === undefined)
    throw new ClipDenseError(
      'Cannot rewrite the last encoder layer: looked for the attention scores (a MatMul of queries ' +
        'and keys, optionally scaled or masked) feeding its Softmax, and did not find it.',
    );
  const q = traceProjection(g, score, 0, b.ln1.output);
  const k = traceProjection(g, score, 1, b.ln1.output);
  const qOp = g.producerOf(q.tensor)?.op_type;
  if (q.tensor === k.tensor || !qOp || qOp !== g.producerOf(k.tensor)?.op_type)
    throw new ClipDenseError(
      'Cannot rewrite the last encoder layer: looked for separate query and key projections behind ' +
        `the attention scores and found ${q.tensor === k.tensor ? 'one tensor for both' : 'two different kinds of op'}.`,
    );
  return { softmax, score, query: q.tensor, key: k.tensor, keyEntry: k.entry };
}

const POOLING = new Set([
  'Gather',
  'Slice',
  'Squeeze',
  'Unsqueeze',
  'Reshape',
  'Identity',
  'Flatten',
  'Transpose',
]);
const LINEAR = new Set(['MatMul', 'Gemm', 'MatMulInteger', 'MatMulIntegerToFloat', 'DynamicQuantizeMatMul']);

/** The post-LayerNorm after the last layer, and the path through the visual projection to an output. */
export function findHead(
  g: GraphIndex,
  lns: LayerNormMatch[],
  last: EncoderBlock,
): { postLn: LayerNormMatch; projection: Projection } {
  const after = g.posOf(last.output);
  // The last LayerNorm after the last layer (an unrecognised later layer then shows up in between).
  const postLn = lns.filter((l) => g.posOf(l.output) > after && g.dependsOn(l.input, last.output)).pop();
  if (!postLn)
    throw new ClipDenseError(
      'Not a CLIP vision tower this model family understands: looked for the post-LayerNorm (a ' +
        'LayerNorm after the last encoder layer) and found none.',
    );
  // Only class-token pooling may sit between the last layer and the post-LN; anything else means a
  // later layer was not recognised (and the surgery would rewrite the wrong one).
  const gap = g.between(last.output, postLn.input).map((i) => g.node(i).op_type ?? '');
  const odd = gap.filter((op) => !POOLING.has(op));
  if (odd.length)
    throw new ClipDenseError(
      'Cannot find the last encoder layer: looked for the post-LayerNorm right after it (through at ' +
        `most a class-token Gather/Slice) and found ${odd.slice(0, 6).join(', ')} in between; is every ` +
        `layer's attention unfused (${LAYOUT})?`,
    );
  for (const out of g.graph.output ?? []) {
    if (!out.name || !g.dependsOn(out.name, postLn.output)) continue;
    const path = g.between(postLn.input, out.name);
    const tail = g.between(postLn.output, out.name);
    for (const i of tail) {
      const n = g.node(i);
      if (!LINEAR.has(n.op_type ?? '')) continue;
      const w = g.constValue(n.input?.[1] ?? '');
      if (!w || w.dims.length !== 2) continue;
      const transB = n.op_type === 'Gemm' && n.attribute?.some((a) => a.name === 'transB' && a.i === 1);
      return { postLn, projection: { output: out.name, path, dim: transB ? w.dims[0]! : w.dims[1]! } };
    }
  }
  throw new ClipDenseError(
    'Not a CLIP vision tower with a projection: looked for the visual projection (a MatMul with a ' +
      'constant 2-D weight between the post-LayerNorm and a graph output, e.g. image_embeds) and found none.',
  );
}
