/**
 * Finds LayerNorms in an ONNX graph, in both forms exports use:
 * - a `LayerNormalization` node (opset >= 17 exports), over the last axis;
 * - the primitive pattern older exporters (opset < 17) decompose it into:
 *   m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2) | Mul(d, d)); s = Sqrt(Add(v, eps));
 *   n = Div(d, s) | Mul(d, Reciprocal(s)); y = Add(Mul(n, gamma), beta)   (Mul/Add in either order).
 * Each match says where the norm reads and writes, its weights (tensor names) and epsilon.
 */
import { attr } from '../onnx/graphTools';
import type { GraphIndex } from './graphIndex';

export interface LayerNormMatch {
  input: string;
  output: string;
  gamma: string;
  beta: string | null;
  epsilon: number;
  form: 'node' | 'decomposed';
  /** Node indices of the norm. */
  nodes: number[];
}

/** The other input of a two-input node, when `t` is one of them. */
function other(inputs: string[] | undefined, t: string): string | undefined {
  if (!inputs || inputs.length !== 2) return undefined;
  if (inputs[0] === t) return inputs[1];
  if (inputs[1] === t) return inputs[0];
  return undefined;
}

/** The channel axis of [batch, tokens, channels]: -1, or 2 as some exporters write it. */
const LAST_AXIS = new Set([-1, 2]);

/** ReduceMean over the last axis only (axes as attribute before opset 18, as input from 18). */
function meansLastAxis(g: GraphIndex, i: number): boolean {
  const n = g.node(i);
  const axes = attr(n, 'axes')?.ints ?? (n.input?.[1] ? g.constValue(n.input[1])?.data : undefined);
  return !!axes && axes.length === 1 && LAST_AXIS.has(Number(axes[0]));
}

function matchDecomposed(g: GraphIndex, mean: number): LayerNormMatch | null {
  const mNode = g.node(mean);
  const x = mNode.input?.[0];
  const m = mNode.output?.[0];
  if (!x || !m || !meansLastAxis(g, mean)) return null;
  for (const sub of g.readers(m, 'Sub')) {
    const sNode = g.node(sub);
    if (sNode.input?.[0] !== x || sNode.input?.[1] !== m) continue;
    const d = sNode.output![0]!;
    const nodes = [mean, sub];
    // Variance: ReduceMean(Pow(d, 2)) or ReduceMean(Mul(d, d)).
    const sq = g
      .readers(d)
      .find((i) =>
        g.node(i).op_type === 'Pow'
          ? g.scalar(g.node(i).input![1]!) === 2
          : g.node(i).op_type === 'Mul' && g.node(i).input![0] === d && g.node(i).input![1] === d,
      );
    if (sq === undefined) continue;
    const varMean = g.readers(g.node(sq).output![0]!, 'ReduceMean').find((i) => meansLastAxis(g, i));
    if (varMean === undefined) continue;
    const addEps = g.readers(g.node(varMean).output![0]!, 'Add')[0];
    if (addEps === undefined) continue;
    const epsT = other(g.node(addEps).input, g.node(varMean).output![0]!);
    const epsilon = epsT ? g.scalar(epsT) : undefined;
    if (epsilon === undefined) continue;
    const sqrt = g.readers(g.node(addEps).output![0]!, 'Sqrt')[0];
    if (sqrt === undefined) continue;
    const s = g.node(sqrt).output![0]!;
    nodes.push(sq, varMean, addEps, sqrt);
    // Normalised: Div(d, s), or Mul(d, Reciprocal(s)).
    let norm = g.readers(s, 'Div').find((i) => g.node(i).input![0] === d);
    if (norm === undefined) {
      const rec = g.readers(s, 'Reciprocal')[0];
      if (rec === undefined) continue;
      norm = g.readers(g.node(rec).output![0]!, 'Mul').find((i) => other(g.node(i).input, d) !== undefined);
      if (norm === undefined) continue;
      nodes.push(rec);
    }
    nodes.push(norm);
    const n = g.node(norm).output![0]!;
    const scale = g.readers(n, 'Mul').find((i) => g.isConst(other(g.node(i).input, n) ?? ''));
    if (scale === undefined) continue;
    nodes.push(scale);
    const gamma = other(g.node(scale).input, n)!;
    let output = g.node(scale).output![0]!;
    let beta: string | null = null;
    const shift = g.readers(output, 'Add');
    const bias = shift.length === 1 ? other(g.node(shift[0]!).input, output) : undefined;
    if (bias && g.isConst(bias) && g.readers(output).length === 1) {
      beta = bias;
      nodes.push(shift[0]!);
      output = g.node(shift[0]!).output![0]!;
    }
    return { input: x, output, gamma, beta, epsilon, form: 'decomposed', nodes };
  }
  return null;
}

/** All LayerNorms of the graph, in topological order of their outputs. */
export function findLayerNorms(g: GraphIndex): LayerNormMatch[] {
  const found: LayerNormMatch[] = [];
  g.nodes.forEach((n, i) => {
    if (n.op_type === 'LayerNormalization' && (n.domain ?? '') === '') {
      const axis = attr(n, 'axis')?.i ?? -1;
      if (!LAST_AXIS.has(axis) || !n.input?.[0] || !n.input[1] || !n.output?.[0]) return;
      found.push({
        input: n.input[0],
        output: n.output[0],
        gamma: n.input[1],
        beta: n.input[2] || null,
        epsilon: attr(n, 'epsilon')?.f ?? 1e-5,
        form: 'node',
        nodes: [i],
      });
    } else if (n.op_type === 'ReduceMean') {
      const m = matchDecomposed(g, i);
      if (m) found.push(m);
    }
  });
  return found.sort((a, b) => g.posOf(a.output) - g.posOf(b.output));
}
