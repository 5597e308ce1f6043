/**
 * Step 1 of the dense-model split: index a decoded graph. Finds the live nodes in topological order,
 * each tensor's input dependence (text inputs, image inputs, both or neither), producers, consumers
 * and element types. Pure TypeScript; keeps references into the decoded model (no weight copies).
 */
import type { OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from '../onnx/onnxProto';
import { outputElemTypes, rejectSubgraphs, SplitError, topoOrder } from '../onnx/graphTools';

/** Dependence bits of a tensor or node: on the text inputs, on the image inputs (0: on neither). */
export const DEP_TEXT = 1;
export const DEP_IMAGE = 2;

export const DEFAULT_TEXT_INPUTS = ['input_ids', 'attention_mask', 'position_ids'];

export type SparseInit = NonNullable<OnnxGraph['sparse_initializer']>[number];

export interface GraphIndex {
  graph: OnnxGraph;
  nodes: OnnxNode[];
  inits: Map<string, OnnxTensor>;
  sparse: Map<string, SparseInit>;
  /** Text-side graph inputs (initializer-backed inputs are constants, not inputs). */
  textIn: OnnxValueInfo[];
  /** Image-side graph inputs (normally just pixel_values). */
  imageIn: OnnxValueInfo[];
  textInputSet: Set<string>;
  imageInputSet: Set<string>;
  graphOutputs: string[];
  /** Live nodes (those that reach a graph output), in topological order. */
  liveOrder: number[];
  /** Dependence bits per tensor (absent: constant). */
  dep: Map<string, number>;
  /** Dependence bits per node index. */
  nodeDep: Uint8Array;
  /** Producing node and reading nodes per tensor, among the live nodes only. */
  producer: Map<string, number>;
  consumers: Map<string, number[]>;
  /** The source's value infos by name (inputs, outputs, value_info). */
  declared: Map<string, OnnxValueInfo>;
  /** Element type per tensor: declared first, inferred for the rest. */
  elemType: Map<string, number>;
  /** Position of each produced tensor in liveOrder (graph inputs: -1). */
  rank: Map<string, number>;
}

export function indexGraph(g: OnnxGraph, textInputs: string[] = DEFAULT_TEXT_INPUTS): GraphIndex {
  if (!g.node?.length) throw new SplitError('Cannot split this model: it has no graph');
  const nodes = g.node;
  rejectSubgraphs(nodes);

  const inits = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) if (t.name) inits.set(t.name, t);
  const sparse = new Map<string, SparseInit>();
  for (const s of g.sparse_initializer ?? []) if (s.values?.name) sparse.set(s.values.name, s);
  const inputs = sideInputs(g, textInputs, (t) => inits.has(t) || sparse.has(t));
  const { realInputs, textIn, imageIn } = inputs;

  const available = new Set<string>([...realInputs.map((v) => v.name!), ...inits.keys(), ...sparse.keys()]);
  const order = topoOrder(nodes, available);
  const graphOutputs = (g.output ?? []).map((o) => o.name!).filter(Boolean);
  const liveOrder = liveNodes(nodes, order, graphOutputs);
  const { dep, nodeDep, producer, consumers, rank } = dependence(nodes, liveOrder, inputs);
  const { declared, elemType } = elementTypes(g, liveOrder, inits, sparse);
  return {
    graph: g,
    nodes,
    inits,
    sparse,
    textIn,
    imageIn,
    textInputSet: new Set(textIn.map((v) => v.name!)),
    imageInputSet: new Set(imageIn.map((v) => v.name!)),
    graphOutputs,
    liveOrder,
    dep,
    nodeDep,
    producer,
    consumers,
    declared,
    elemType,
    rank,
  };
}

interface SideInputs {
  /** Graph inputs that are not (sparse) initializers, in the source's order: textIn and imageIn together. */
  realInputs: OnnxValueInfo[];
  textIn: OnnxValueInfo[];
  imageIn: OnnxValueInfo[];
}

/** The graph inputs, split into text-side and image-side ones; throws when none is a text input. */
function sideInputs(g: OnnxGraph, textInputs: string[], isConst: (t: string) => boolean): SideInputs {
  // Graph inputs that are also initializers are overridable defaults: treat them as constants.
  const realInputs = (g.input ?? []).filter((vi) => vi.name && !isConst(vi.name));
  const textNames = new Set(textInputs);
  const textIn = realInputs.filter((vi) => textNames.has(vi.name!));
  const imageIn = realInputs.filter((vi) => !textNames.has(vi.name!));
  if (textIn.length === 0)
    throw new SplitError(
      `Cannot split this model: none of its inputs (${realInputs.map((v) => v.name).join(', ')}) ` +
        `is a text input (${[...textNames].join(', ')})`,
    );
  return { realInputs, textIn, imageIn };
}

/** The nodes of `order` that contribute to a graph output (the others are dropped), in that order. */
function liveNodes(nodes: OnnxNode[], order: number[], graphOutputs: string[]): number[] {
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
  return order.filter((i) => live[i]);
}

/**
 * Input dependence of every tensor and live node, propagated in topological order, with each
 * tensor's producer, readers and position (all over the live nodes only).
 */
function dependence(
  nodes: OnnxNode[],
  liveOrder: number[],
  { realInputs, textIn, imageIn }: SideInputs,
): Pick<GraphIndex, 'dep' | 'nodeDep' | 'producer' | 'consumers' | 'rank'> {
  const dep = new Map<string, number>();
  for (const v of textIn) dep.set(v.name!, DEP_TEXT);
  for (const v of imageIn) dep.set(v.name!, DEP_IMAGE);
  const nodeDep = new Uint8Array(nodes.length);
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const rank = new Map<string, number>();
  for (const v of realInputs) rank.set(v.name!, -1);
  liveOrder.forEach((i, k) => {
    const n = nodes[i]!;
    let d = 0;
    for (const t of n.input ?? []) {
      if (!t) continue;
      d |= dep.get(t) ?? 0;
      const list = consumers.get(t);
      if (list) list.push(i);
      else consumers.set(t, [i]);
    }
    nodeDep[i] = d;
    for (const o of n.output ?? [])
      if (o) {
        dep.set(o, d);
        producer.set(o, i);
        rank.set(o, k);
      }
  });
  return { dep, nodeDep, producer, consumers, rank };
}

/**
 * Element types: the source's own declarations first, inference for the rest (the cut tensors
 * become graph inputs and outputs of the parts, which ORT needs typed).
 */
function elementTypes(
  g: OnnxGraph,
  liveOrder: number[],
  inits: Map<string, OnnxTensor>,
  sparse: Map<string, SparseInit>,
): Pick<GraphIndex, 'declared' | 'elemType'> {
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
  const nodes = g.node ?? [];
  for (const i of liveOrder) {
    const n = nodes[i]!;
    const types = outputElemTypes(n, (t) => elemType.get(t));
    (n.output ?? []).forEach((o, k) => {
      if (o && !elemType.has(o) && types[k]) elemType.set(o, types[k]);
    });
  }
  return { declared, elemType };
}
