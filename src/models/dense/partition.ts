/**
 * Step 2 of the dense-model split: assign every live node of an indexed graph to the TEXT part
 * (text inputs only), the VISION part (image inputs only) or the JOINT part (both: the conditioned
 * decoder), and find the two cuts into the joint part. Constant nodes (no input dependence) go to
 * every part that reads them.
 */
import { DEP_IMAGE, DEP_TEXT, type GraphIndex } from './graphIndex';
import { DataType } from '../onnx/onnxProto';
import { SplitError } from '../onnx/graphTools';

export const PART_TEXT = 1;
export const PART_VISION = 2;
export const PART_JOINT = 4;

export type TextEnd = 'frontier' | 'conditional' | { tensor: string };

export interface Partition {
  /** Part bits per node index (several bits: a constant node copied into several parts). */
  part: Uint8Array;
  /** The tensor the text part ends at (textEnd 'conditional' or a tensor), else null. */
  anchor: string | null;
  /** Text-side tensors the joint part reads, in the order they are made. */
  textCut: string[];
  /** Vision-side tensors the joint part reads, in the order they are made. */
  visionCut: string[];
  /** Graph inputs read by the joint part directly: passed through their own part under a new name. */
  rename: Map<string, string>;
  textOnlyOutputs: string[];
  visionOnlyOutputs: string[];
  jointOutputs: string[];
}

const FLOATS: ReadonlySet<number> = new Set([
  DataType.FLOAT,
  DataType.FLOAT16,
  DataType.DOUBLE,
  DataType.BFLOAT16,
]);

export function partition(ix: GraphIndex, textEnd: TextEnd = 'frontier'): Partition {
  const anchor = textEnd === 'frontier' ? null : findAnchor(ix, textEnd);
  const after = anchor === null ? new Uint8Array(ix.nodes.length) : textNodesAfter(ix, anchor);
  const part = assignParts(ix, after);
  const side = (t: string) => sideOf(ix, part, t);
  const { textCut, visionCut } = findCuts(ix, part);
  const byRank = (a: string, b: string) => (ix.rank.get(a) ?? -1) - (ix.rank.get(b) ?? -1);
  const outputsOn = (s: number, cut: Set<string>) =>
    ix.graphOutputs.filter((o) => side(o) === s && !cut.has(o));
  return {
    part,
    anchor,
    textCut: [...textCut].sort(byRank),
    visionCut: [...visionCut].sort(byRank),
    rename: renameCutInputs(ix, [...textCut, ...visionCut]),
    textOnlyOutputs: outputsOn(PART_TEXT, textCut),
    visionOnlyOutputs: outputsOn(PART_VISION, visionCut),
    jointOutputs: ix.graphOutputs.filter((o) => {
      const s = side(o);
      return s === PART_JOINT || s === 0;
    }),
  };
}

/** The tensor the text part ends at: the conditional embedding, or a named tensor that must be text-only. */
function findAnchor(ix: GraphIndex, textEnd: Exclude<TextEnd, 'frontier'>): string {
  const isTextTensor = (t: string) => ix.dep.get(t) === DEP_TEXT;
  if (textEnd !== 'conditional') {
    const anchor = textEnd.tensor;
    if (!isTextTensor(anchor))
      throw new SplitError(`Cannot end the text part at "${anchor}": not a text-only tensor of this model`);
    return anchor;
  }
  // The frontier: text tensors that image-dependent nodes read. Only floating-point ones: integer
  // tensors that cross are shape arithmetic (such as the decoder's batch size), which need not pass
  // through the embedding.
  const frontier = new Set<string>();
  for (const i of ix.liveOrder)
    if (ix.nodeDep[i]! & DEP_IMAGE)
      for (const t of ix.nodes[i]!.input ?? []) if (t && isTextTensor(t)) frontier.add(t);
  return findConditional(
    [...frontier].filter((t) => FLOATS.has(ix.elemType.get(t) ?? 0)),
    ix,
  );
}

/**
 * Text-only nodes downstream of the anchor (1 per node index): they join the joint part, so that the
 * text part ends at the anchor (the FiLM linears and `Shape(cond)` chains after CLIPSeg's
 * conditional embedding).
 */
function textNodesAfter(ix: GraphIndex, anchor: string): Uint8Array {
  const { nodes, liveOrder, nodeDep } = ix;
  const after = new Uint8Array(nodes.length);
  const down = new Set([anchor]);
  for (const i of liveOrder) {
    const n = nodes[i]!;
    if (nodeDep[i] === DEP_TEXT && (n.input ?? []).some((t) => t && down.has(t))) {
      after[i] = 1;
      for (const o of n.output ?? []) if (o) down.add(o);
    }
  }
  return after;
}

/**
 * Part bits per node: each input-dependent node by its dependence (text nodes `after` the anchor go
 * to the joint part), then each constant node to every part that reads it. Throws when no node
 * depends on both sides (nothing to split off).
 */
function assignParts(ix: GraphIndex, after: Uint8Array): Uint8Array {
  const { nodes, liveOrder, nodeDep } = ix;
  const part = new Uint8Array(nodes.length);
  for (const i of liveOrder) {
    const d = nodeDep[i]!;
    if (d === DEP_TEXT) part[i] = after[i] ? PART_JOINT : PART_TEXT;
    else if (d === DEP_IMAGE) part[i] = PART_VISION;
    else if (d !== 0) part[i] = PART_JOINT;
  }
  // Constant nodes: the union of their consumers' parts (a graph output: the joint part's). Walked
  // backwards so that a constant read only by other constants gets their parts.
  const outputSet = new Set(ix.graphOutputs);
  for (let k = liveOrder.length - 1; k >= 0; k--) {
    const i = liveOrder[k]!;
    if (nodeDep[i] !== 0) continue;
    let p = 0;
    for (const o of nodes[i]!.output ?? []) {
      if (!o) continue;
      if (outputSet.has(o)) p |= PART_JOINT;
      for (const c of ix.consumers.get(o) ?? []) p |= part[c]!;
    }
    part[i] = p;
  }
  if (!liveOrder.some((i) => part[i] === PART_JOINT))
    throw new SplitError('Cannot split this model: no output depends on both the text and the image');
  return part;
}

/** Where a tensor is made: its producer's part, or its input's side (0: a constant). */
function sideOf(ix: GraphIndex, part: Uint8Array, t: string): number {
  const p = ix.producer.get(t);
  if (p !== undefined) return ix.nodeDep[p] === 0 ? 0 : part[p]!;
  if (ix.textInputSet.has(t)) return PART_TEXT;
  if (ix.imageInputSet.has(t)) return PART_VISION;
  return 0;
}

/** The tensors that joint nodes read from the text side and from the vision side (constants are copied, not cut). */
function findCuts(ix: GraphIndex, part: Uint8Array): { textCut: Set<string>; visionCut: Set<string> } {
  const textCut = new Set<string>();
  const visionCut = new Set<string>();
  for (const i of ix.liveOrder) {
    if (part[i] !== PART_JOINT) continue;
    for (const t of ix.nodes[i]!.input ?? []) {
      if (!t) continue;
      const s = sideOf(ix, part, t);
      if (s === PART_TEXT) textCut.add(t);
      else if (s === PART_VISION) visionCut.add(t);
    }
  }
  return { textCut, visionCut };
}

/**
 * New names for the graph inputs among the cut tensors: such an input leaves its own part through an
 * Identity (see buildPart) under a name that no tensor of the source already has.
 */
function renameCutInputs(ix: GraphIndex, cut: string[]): Map<string, string> {
  const rename = new Map<string, string>();
  const taken = new Set([...ix.dep.keys(), ...ix.inits.keys(), ...ix.sparse.keys()]);
  for (const t of cut)
    if (ix.textInputSet.has(t) || ix.imageInputSet.has(t)) {
      let name = `${t}__cut`;
      while (taken.has(name)) name += '_';
      taken.add(name);
      rename.set(t, name);
    }
  return rename;
}

/**
 * The conditional embedding: the latest text tensor (in topological order) that every path from
 * the text inputs to the floating-point cut tensors goes through. Checked candidate by candidate,
 * latest first, by a reachability walk that may not cross the candidate.
 */
function findConditional(targets: string[], ix: GraphIndex): string {
  const { nodes, liveOrder, producer } = ix;
  const isText = (t: string) => ix.dep.get(t) === DEP_TEXT;
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
  const candidates = [...common].sort((a, b) => (ix.rank.get(b) ?? -1) - (ix.rank.get(a) ?? -1));
  const targetSet = new Set(targets);
  const textOrder = liveOrder.filter((i) => (nodes[i]!.output ?? []).some((o) => o && isText(o)));
  for (const c of candidates) {
    if (ix.textInputSet.has(c)) break;
    // Forward reachability from the text inputs without passing through c.
    const reached = new Set<string>(ix.textInputSet);
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
