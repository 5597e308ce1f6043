/**
 * Splits a one-graph CLIPSeg-style ONNX model (inputs `input_ids`, `attention_mask`, `pixel_values`;
 * output `logits`) into a TEXT model and an IMAGE model, by input dependence, at load time.
 *
 * - A node whose inputs are reached only from the text inputs (and initializers/constants) is TEXT.
 * - Every other node that depends on a graph input (pixel_values, or both) is IMAGE.
 * - A node that depends on no graph input at all (Constant, shape arithmetic on initializers, an
 *   Identity on a weight, ...) is copied into whichever part consumes it (into both if both do).
 * - The CUT is the list of tensors produced on the text side (or text graph inputs themselves) that
 *   image nodes consume: the text model outputs them, the image model takes them as inputs next to
 *   `pixel_values`. The text model is run once per prompt and its cut tensors cached; the image model
 *   is run per frame with the cut tensors of N prompts stacked (one image broadcasts against N).
 *
 * With `textEnd: 'conditional'` the text part instead ends at the *conditional embedding*: the last
 * tensor through which every path from the text inputs to the floating-point cut tensors passes (a
 * dominator; for CLIPSeg the [N, D] projection that feeds the decoder's FiLM layers). Text-only nodes
 * after it (FiLM linears, `Shape(cond)` batch-size chains) move to the image part. The cut is then
 * one [N, D] row per prompt, which can be averaged per class (one decoder row per class).
 *
 * Pure TypeScript (no Node or DOM APIs): runs in the browser worker. Weights are never copied while
 * splitting: decoded `raw_data` fields are views into the input bytes, and encoding writes each part
 * into a fresh buffer. Nothing returned refers to the input bytes, so the caller can drop them.
 */
import {
  DataType,
  decodeModel,
  encodeModel,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from '../onnx/onnxProto';
import {
  dimsOf,
  outputElemTypes,
  rejectSubgraphs,
  SplitError,
  tensorBytes,
  topoOrder,
  valueInfoFor,
} from './graphTools';

export { SplitError, tensorBytes };

export type TextEnd = 'frontier' | 'conditional' | { tensor: string };

export interface SplitOptions {
  /** Graph inputs that belong to the text side (default `input_ids`, `attention_mask`, `position_ids`). */
  textInputs?: string[];
  /**
   * Where the text model ends: 'frontier' (default) is the pure input-dependence split; 'conditional'
   * ends it at the conditional embedding (see the file comment); `{ tensor }` at a named tensor.
   */
  textEnd?: TextEnd;
}

/** A tensor that the text model outputs and the image model takes as input. */
export interface CutTensor {
  /** Its name in both models. */
  name: string;
  /** ONNX TensorProto.DataType. */
  elemType: number;
  /**
   * Shape from the source model's value_info when it has one (dynamic dims symbolic: a string);
   * null when the source does not say (detect batch dims by running the text model, see denseModel).
   */
  dims: (number | string)[] | null;
  /** Name of the original tensor, when `name` had to differ (a text graph input passed through). */
  source?: string;
}

export interface SplitStats {
  nodes: {
    /** Live nodes of the source graph (dead ones are dropped). */
    source: number;
    dropped: number;
    text: number;
    image: number;
    /** Input-independent nodes (constants) copied into both parts (counted in text and in image). */
    copied: number;
  };
  initializers: { text: number; image: number; shared: number };
  bytes: { text: number; image: number; shared: number };
}

export interface DenseSplit {
  /** Encoded text model: inputs `textInputs`, outputs `cut` (then `textOnlyOutputs`). */
  text: Uint8Array;
  /** Encoded image model: inputs `imageInputs` then the `cut` tensors, outputs `imageOutputs`. */
  image: Uint8Array;
  textInputs: string[];
  /** Image-side graph inputs other than the cut (normally just `pixel_values`). */
  imageInputs: string[];
  cut: CutTensor[];
  /** Source graph outputs that depend on the text inputs only (the text model outputs them too). */
  textOnlyOutputs: string[];
  imageOutputs: string[];
  /** With textEnd 'conditional' or a tensor: the tensor the text part ends at. */
  anchor: string | null;
  /** Declared dims of each image-side input (e.g. pixel_values [batch, 3, 352, 352]); null: unknown. */
  imageInputDims: Record<string, (number | string)[] | null>;
  /**
   * Whether a part mixes values across the prompts of one run: per-tensor dynamic quantisation
   * (DynamicQuantizeLinear, in `_quantized` exports) picks one scale for the whole [N, ...] tensor, so
   * a prompt's result then depends on the other prompts run with it. Encode such a text part one
   * prompt per run to keep cached values independent of their batch-mates.
   */
  crossBatch: { text: boolean; image: boolean };
  stats: SplitStats;
}

/** Ops whose output for one prompt depends on the other prompts of the same run. */
const CROSS_BATCH_OPS: ReadonlySet<string> = new Set(['DynamicQuantizeLinear']);

const TEXT = 1;
const IMAGE = 2;
const DEFAULT_TEXT_INPUTS = ['input_ids', 'attention_mask', 'position_ids'];
const FLOATS: ReadonlySet<number> = new Set([
  DataType.FLOAT,
  DataType.FLOAT16,
  DataType.DOUBLE,
  DataType.BFLOAT16,
]);

/**
 * Splits the model. Throws SplitError with a readable message when the graph cannot be split
 * (subgraphs, no text input, a cut tensor of unknown type, ...).
 */
export function splitDenseModel(bytes: Uint8Array, opts: SplitOptions = {}): DenseSplit {
  const model = decodeModel(bytes);
  const g = model.graph;
  if (!g?.node?.length) throw new SplitError('Cannot split this model: it has no graph');
  const nodes = g.node;
  rejectSubgraphs(nodes);

  const inits = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) if (t.name) inits.set(t.name, t);
  const sparse = new Map<string, (typeof g.sparse_initializer & object)[number]>();
  for (const s of g.sparse_initializer ?? []) if (s.values?.name) sparse.set(s.values.name, s);
  const isConst = (t: string) => inits.has(t) || sparse.has(t);

  // Graph inputs that are also initializers are overridable defaults: treat them as constants.
  const realInputs = (g.input ?? []).filter((vi) => vi.name && !isConst(vi.name));
  const textNames = new Set(opts.textInputs ?? DEFAULT_TEXT_INPUTS);
  const textIn = realInputs.filter((vi) => textNames.has(vi.name!));
  const imageIn = realInputs.filter((vi) => !textNames.has(vi.name!));
  if (textIn.length === 0)
    throw new SplitError(
      `Cannot split this model: none of its inputs (${realInputs.map((v) => v.name).join(', ')}) ` +
        `is a text input (${[...textNames].join(', ')})`,
    );

  const available = new Set<string>([...realInputs.map((v) => v.name!), ...inits.keys(), ...sparse.keys()]);
  const order = topoOrder(nodes, available);
  const graphOutputs = (g.output ?? []).map((o) => o.name!).filter(Boolean);

  // Liveness: only nodes that contribute to a graph output are kept.
  const live = new Uint8Array(nodes.length);
  const needed = new Set(graphOutputs);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    const n = nodes[i]!;
    if ((n.output ?? []).some((o) => o && needed.has(o))) {
      live[i] = 1;
      for (const t of n.input ?? []) if (t) needed.add(t);
    }
  }
  const liveOrder = order.filter((i) => live[i]);

  // Input dependence of every tensor: TEXT and/or IMAGE bits (0: depends on no graph input).
  const dep = new Map<string, number>();
  for (const v of textIn) dep.set(v.name!, TEXT);
  for (const v of imageIn) dep.set(v.name!, IMAGE);
  const nodeDep = new Uint8Array(nodes.length);
  for (const i of liveOrder) {
    const n = nodes[i]!;
    let d = 0;
    for (const t of n.input ?? []) if (t) d |= dep.get(t) ?? 0;
    nodeDep[i] = d;
    for (const o of n.output ?? []) if (o) dep.set(o, d);
  }
  const producer = new Map<string, number>();
  for (const i of liveOrder) for (const o of nodes[i]!.output ?? []) if (o) producer.set(o, i);
  const consumers = new Map<string, number[]>();
  for (const i of liveOrder)
    for (const t of nodes[i]!.input ?? []) {
      if (!t) continue;
      const list = consumers.get(t);
      if (list) list.push(i);
      else consumers.set(t, [i]);
    }

  // Element types: the source's own declarations first, inference for the rest.
  const declared = new Map<string, OnnxValueInfo>();
  for (const vi of [...(g.value_info ?? []), ...(g.input ?? []), ...(g.output ?? [])])
    if (vi.name) declared.set(vi.name, vi);
  const elemType = new Map<string, number>();
  for (const [name, t] of inits) if (t.data_type) elemType.set(name, t.data_type);
  for (const [name, s] of sparse) if (s.values?.data_type) elemType.set(name, s.values.data_type);
  for (const [name, vi] of declared) {
    const et = vi.type?.tensor_type?.elem_type;
    if (et) elemType.set(name, et);
  }
  for (const i of liveOrder) {
    const n = nodes[i]!;
    const types = outputElemTypes(n, (t) => elemType.get(t));
    (n.output ?? []).forEach((o, k) => {
      if (o && !elemType.has(o) && types[k]) elemType.set(o, types[k]);
    });
  }

  // Text-side tensors: text graph inputs and outputs of text-only nodes.
  const isTextTensor = (t: string) => dep.get(t) === TEXT;
  const textInputSet = new Set(textIn.map((v) => v.name!));
  // With `after` set (nodes moved past the anchor), a text-only tensor made by a moved node is
  // made on the image side.
  const onTextSide = (t: string, after: Uint8Array | null): boolean => {
    if (!isTextTensor(t)) return false;
    const p = producer.get(t);
    return p === undefined ? textInputSet.has(t) : !(after && after[p]);
  };
  const frontier = (after: Uint8Array | null): string[] => {
    const cut = new Set<string>();
    for (const i of liveOrder) {
      const onImage = nodeDep[i]! & IMAGE || (after !== null && after[i]);
      if (!onImage) continue;
      for (const t of nodes[i]!.input ?? []) if (t && onTextSide(t, after)) cut.add(t);
    }
    return [...cut];
  };

  // Optional narrower end of the text part: nodes downstream of the anchor move to the image part.
  let anchor: string | null = null;
  let after: Uint8Array | null = null;
  const textEnd = opts.textEnd ?? 'frontier';
  if (textEnd !== 'frontier') {
    if (textEnd === 'conditional') {
      anchor = findConditional(
        frontier(null).filter((t) => FLOATS.has(elemType.get(t) ?? 0)),
        liveOrder,
        nodes,
        textInputSet,
        isTextTensor,
        producer,
      );
    } else {
      anchor = textEnd.tensor;
      if (!isTextTensor(anchor))
        throw new SplitError(`Cannot end the text part at "${anchor}": not a text-only tensor of this model`);
    }
    after = new Uint8Array(nodes.length);
    const down = new Set([anchor]);
    for (const i of liveOrder) {
      const n = nodes[i]!;
      if (nodeDep[i] === TEXT && (n.input ?? []).some((t) => t && down.has(t))) {
        after[i] = 1;
        for (const o of n.output ?? []) if (o) down.add(o);
      }
    }
  }

  // Parts: bit mask per node. Constant nodes take the union of their consumers' parts.
  const part = new Uint8Array(nodes.length);
  for (const i of liveOrder) {
    const d = nodeDep[i]!;
    if (d === 0) continue;
    part[i] = d === TEXT && !(after && after[i]) ? TEXT : IMAGE;
  }
  const outputSet = new Set(graphOutputs);
  for (let k = liveOrder.length - 1; k >= 0; k--) {
    const i = liveOrder[k]!;
    if (nodeDep[i] !== 0) continue;
    let p = 0;
    for (const o of nodes[i]!.output ?? []) {
      if (!o) continue;
      if (outputSet.has(o)) p |= IMAGE;
      for (const c of consumers.get(o) ?? []) p |= part[c]!;
    }
    part[i] = p;
  }

  // The cut, in the order its tensors are made. Text graph inputs read by the image part pass
  // through the text model under a new name, so the image model never reads them directly.
  const cutNames = frontier(after);
  const cutOrder = new Map<string, number>();
  liveOrder.forEach((i, k) => (nodes[i]!.output ?? []).forEach((o) => o && cutOrder.set(o, k)));
  cutNames.sort((a, b) => (cutOrder.get(a) ?? -1) - (cutOrder.get(b) ?? -1));
  const rename = new Map<string, string>();
  const taken = new Set([...dep.keys(), ...inits.keys(), ...sparse.keys()]);
  for (const t of cutNames)
    if (textInputSet.has(t)) {
      let name = `${t}__cut`;
      while (taken.has(name)) name += '_';
      rename.set(t, name);
    }
  const cut: CutTensor[] = cutNames.map((t) => {
    const et = elemType.get(t);
    if (!et)
      throw new SplitError(
        `Cannot split this model: the type of "${t}" (made by ${producer.get(t) !== undefined ? nodes[producer.get(t)!]!.op_type : 'an input'}) ` +
          'is unknown; re-export it with ONNX shape inference (value_info)',
      );
    const name = rename.get(t) ?? t;
    const vi = valueInfoFor(name, et, declared.get(t));
    return { name, elemType: et, dims: dimsOf(vi), ...(name !== t ? { source: t } : {}) };
  });
  const textOnlyOutputs = graphOutputs.filter((o) => onTextSide(o, after) && !cutNames.includes(o));
  const imageOutputs = graphOutputs.filter((o) => !onTextSide(o, after));

  const build = (which: number): { graph: OnnxGraph; initBytes: Map<string, number> } => {
    const ns: OnnxNode[] = [];
    const used = new Set<string>();
    const produced = new Set<string>();
    for (const i of liveOrder) {
      if (!(part[i]! & which)) continue;
      let n = nodes[i]!;
      if (which === IMAGE && (n.input ?? []).some((t) => rename.has(t)))
        n = { ...n, input: n.input!.map((t) => rename.get(t) ?? t) };
      ns.push(n);
      for (const t of n.input ?? []) if (t) used.add(t);
      for (const o of n.output ?? []) if (o) produced.add(o);
    }
    const initBytes = new Map<string, number>();
    const initializer: OnnxTensor[] = [];
    const sparseInit: (typeof g.sparse_initializer & object)[number][] = [];
    for (const t of g.initializer ?? [])
      if (t.name && used.has(t.name)) {
        initializer.push(t);
        initBytes.set(t.name, tensorBytes(t));
      }
    for (const s of g.sparse_initializer ?? [])
      if (s.values?.name && used.has(s.values.name)) {
        sparseInit.push(s);
        initBytes.set(s.values.name, tensorBytes(s.values) + (s.indices ? tensorBytes(s.indices) : 0));
      }
    let input: OnnxValueInfo[];
    let output: OnnxValueInfo[];
    if (which === TEXT) {
      for (const [from, to] of rename)
        ns.push({ op_type: 'Identity', name: to, input: [from], output: [to] });
      for (const t of cutNames) used.add(t);
      for (const o of textOnlyOutputs) used.add(o);
      input = textIn.filter((v) => used.has(v.name!));
      output = [
        ...cut.map((c) => valueInfoFor(c.name, c.elemType, declared.get(c.source ?? c.name))),
        ...textOnlyOutputs.map((o) => declared.get(o) ?? valueInfoFor(o, elemType.get(o) ?? 0, undefined)),
      ];
    } else {
      input = [
        ...imageIn.filter((v) => used.has(v.name!)),
        ...cut.map((c) => valueInfoFor(c.name, c.elemType, declared.get(c.source ?? c.name))),
      ];
      output = imageOutputs.map((o) => declared.get(o) ?? { name: o });
    }
    const io = new Set([...input, ...output].map((v) => v.name));
    const value_info = (g.value_info ?? []).filter((v) => v.name && produced.has(v.name) && !io.has(v.name));
    const graph: OnnxGraph = {
      name: `${g.name ?? 'graph'}_${which === TEXT ? 'text' : 'image'}`,
      node: ns,
      initializer,
      input,
      output,
      ...(sparseInit.length ? { sparse_initializer: sparseInit } : {}),
      ...(value_info.length ? { value_info } : {}),
    };
    return { graph, initBytes };
  };

  const textPart = build(TEXT);
  const imagePart = build(IMAGE);
  const wrap = (graph: OnnxGraph, which: string): Uint8Array => {
    const out: OnnxModel = {
      ...model,
      graph,
      metadata_props: [...(model.metadata_props ?? []), { key: 'ovseg.split', value: which }],
    };
    return encodeModel(out);
  };
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let shared = 0;
  let sharedBytes = 0;
  for (const [name, b] of textPart.initBytes)
    if (imagePart.initBytes.has(name)) {
      shared++;
      sharedBytes += b;
    }
  const count = (bit: number) => liveOrder.filter((i) => part[i]! & bit).length;
  const stats: SplitStats = {
    nodes: {
      source: liveOrder.length,
      dropped: nodes.length - liveOrder.length,
      text: count(TEXT),
      image: count(IMAGE),
      copied: liveOrder.filter((i) => part[i] === (TEXT | IMAGE)).length,
    },
    initializers: { text: textPart.initBytes.size, image: imagePart.initBytes.size, shared },
    bytes: { text: sum(textPart.initBytes), image: sum(imagePart.initBytes), shared: sharedBytes },
  };
  return {
    text: wrap(textPart.graph, 'text'),
    image: wrap(imagePart.graph, 'image'),
    textInputs: textPart.graph.input!.map((v) => v.name!),
    imageInputs: imageIn.filter((v) => imagePart.graph.input!.includes(v)).map((v) => v.name!),
    cut,
    textOnlyOutputs,
    imageOutputs,
    anchor,
    imageInputDims: Object.fromEntries(
      imageIn.filter((v) => imagePart.graph.input!.includes(v)).map((v) => [v.name!, dimsOf(v)]),
    ),
    crossBatch: {
      text: textPart.graph.node!.some((n) => CROSS_BATCH_OPS.has(n.op_type ?? '')),
      image: imagePart.graph.node!.some((n) => CROSS_BATCH_OPS.has(n.op_type ?? '')),
    },
    stats,
  };
}

/**
 * The conditional embedding: the latest text tensor (in topological order) that every path from
 * the text inputs to the floating-point cut tensors goes through. Checked candidate by candidate,
 * latest first, by a reachability walk that may not cross the candidate.
 */
function findConditional(
  targets: string[],
  liveOrder: number[],
  nodes: OnnxNode[],
  textInputs: Set<string>,
  isText: (t: string) => boolean,
  producer: Map<string, number>,
): string {
  if (targets.length === 0)
    throw new SplitError('Cannot find the conditional embedding: no floating-point tensor crosses the cut');
  // Candidates: text tensors that are ancestors of every target.
  const ancestors = (t: string): Set<string> => {
    const seen = new Set<string>([t]);
    const stack = [t];
    while (stack.length) {
      const p = producer.get(stack.pop()!);
      if (p === undefined) continue;
      for (const i of nodes[p]!.input ?? [])
        if (i && isText(i) && !seen.has(i)) {
          seen.add(i);
          stack.push(i);
        }
    }
    return seen;
  };
  let common = ancestors(targets[0]!);
  for (const t of targets.slice(1)) {
    const a = ancestors(t);
    common = new Set([...common].filter((x) => a.has(x)));
  }
  const rank = new Map<string, number>();
  for (const t of textInputs) rank.set(t, -1);
  liveOrder.forEach((i, k) => (nodes[i]!.output ?? []).forEach((o) => o && rank.set(o, k)));
  const candidates = [...common].sort((a, b) => (rank.get(b) ?? -1) - (rank.get(a) ?? -1));
  const targetSet = new Set(targets);
  const textOrder = liveOrder.filter((i) => (nodes[i]!.output ?? []).some((o) => o && isText(o)));
  for (const c of candidates) {
    if (textInputs.has(c)) break;
    // Forward reachability from the text inputs without passing through c.
    const reached = new Set<string>(textInputs);
    let leaks = false;
    for (const i of textOrder) {
      const n = nodes[i]!;
      if (!(n.input ?? []).some((t) => t && t !== c && reached.has(t))) continue;
      for (const o of n.output ?? [])
        if (o && o !== c) {
          reached.add(o);
          if (targetSet.has(o)) leaks = true;
        }
      if (leaks) break;
    }
    if (!leaks) return c;
  }
  throw new SplitError(
    'Cannot find the conditional embedding: the text inputs reach the image part by more than one path',
  );
}
