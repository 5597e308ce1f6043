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
  const { nodes, liveOrder, nodeDep, dep, producer } = ix;
  const isTextTensor = (t: string) => dep.get(t) === DEP_TEXT;

  // Optional narrower end of the text part: text-only nodes downstream of the anchor join the
  // joint part (the FiLM linears and `Shape(cond)` chains after CLIPSeg's conditional embedding).
  let anchor: string | null = null;
  const after = new Uint8Array(nodes.length);
  if (textEnd !== 'frontier') {
    if (textEnd === 'conditional') {
      const frontier = new Set<string>();
      for (const i of liveOrder)
        if (nodeDep[i]! & DEP_IMAGE)
          for (const t of nodes[i]!.input ?? []) if (t && isTextTensor(t)) frontier.add(t);
      anchor = findConditional(
        [...frontier].filter((t) => FLOATS.has(ix.elemType.get(t) ?? 0)),
        ix,
      );
    } else {
      anchor = textEnd.tensor;
      if (!isTextTensor(anchor))
        throw new SplitError(`Cannot end the text part at "${anchor}": not a text-only tensor of this model`);
    }
    const down = new Set([anchor]);
    for (const i of liveOrder) {
      const n = nodes[i]!;
      if (nodeDep[i] === DEP_TEXT && (n.input ?? []).some((t) => t && down.has(t))) {
        after[i] = 1;
        for (const o of n.output ?? []) if (o) down.add(o);
      }
    }
  }

  const part = new Uint8Array(nodes.length);
  for (const i of liveOrder) {
    const d = nodeDep[i]!;
    if (d === DEP_TEXT) part[i] = after[i] ? PART_JOINT : PART_TEXT;
    else if (d === DEP_IMAGE) part[i] = PART_VISION;
    else if (d !== 0) part[i] = PART_JOINT;
  }
  // Constant nodes: the union of their consumers' parts (a graph output: the joint part's).
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

  // Where a non-constant tensor is made: its producer's part, or its input's side.
  const sideOf = (t: string): number => {
    const p = producer.get(t);
    if (p !== undefined) return nodeDep[p] === 0 ? 0 : part[p]!;
    if (ix.textInputSet.has(t)) return PART_TEXT;
    if (ix.imageInputSet.has(t)) return PART_VISION;
    return 0;
  };
  const textCut = new Set<string>();
  const visionCut = new Set<string>();
  for (const i of liveOrder) {
    if (part[i] !== PART_JOINT) continue;
    for (const t of nodes[i]!.input ?? []) {
      if (!t) continue;
      const s = sideOf(t);
      if (s === PART_TEXT) textCut.add(t);
      else if (s === PART_VISION) visionCut.add(t);
    }
  }
  const byRank = (a: string, b: string) => (ix.rank.get(a) ?? -1) - (ix.rank.get(b) ?? -1);
  const rename = new Map<string, string>();
  const taken = new Set([...dep.keys(), ...ix.inits.keys(), ...ix.sparse.keys()]);
  for (const t of [...textCut, ...visionCut])
    if (ix.textInputSet.has(t) || ix.imageInputSet.has(t)) {
      let name = `${t}__cut`;
      while (taken.has(name)) name += '_';
      taken.add(name);
      rename.set(t, name);
    }
  const outputsOn = (side: number, cut: Set<string>) =>
    ix.graphOutputs.filter((o) => sideOf(o) === side && !cut.has(o));
  return {
    part,
    anchor,
    textCut: [...textCut].sort(byRank),
    visionCut: [...visionCut].sort(byRank),
    rename,
    textOnlyOutputs: outputsOn(PART_TEXT, textCut),
    visionOnlyOutputs: outputsOn(PART_VISION, visionCut),
    jointOutputs: ix.graphOutputs.filter((o) => {
      const s = sideOf(o);
      return s === PART_JOINT || s === 0;
    }),
  };
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
