/**
 * Step 3 of the dense-model split: build each part's graph from an indexed, partitioned source.
 * Nodes and initializers are shared with the decoded source (no weight copies); encoding each part
 * writes it into a fresh buffer.
 */
import {
  AttributeType,
  DataType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from '../onnx/onnxProto';
import type { GraphIndex, SparseInit } from './graphIndex';
import { SplitError, tensorBytes, valueInfoFor } from '../onnx/graphTools';
import { PART_JOINT, PART_TEXT, PART_VISION, type Partition } from './partition';

export interface BuiltPart {
  graph: OnnxGraph;
  /** Payload bytes of each initializer the part uses. */
  initBytes: Map<string, number>;
}

/** A cut tensor's value info: the source's declaration under its (possibly new) name, typed. */
export function cutValueInfo(ix: GraphIndex, p: Partition, source: string): OnnxValueInfo {
  const et = ix.elemType.get(source);
  if (!et) {
    const prod = ix.producer.get(source);
    throw new SplitError(
      `Cannot split this model: the type of "${source}" (made by ${prod !== undefined ? ix.nodes[prod]!.op_type : 'an input'}) ` +
        'is unknown; re-export it with ONNX shape inference (value_info)',
    );
  }
  const name = p.rename.get(source) ?? source;
  return valueInfoFor(name, et, ix.declared.get(source));
}

/**
 * How a vision cut tensor crosses to the joint part. A float16 one crosses as float32 (a Cast on each
 * side): ORT's CPU EP runs most float16 ops in float32 and drops the casts it adds between them, so
 * inside one graph these values never round to float16; a float16 boundary would round them (98.3 %
 * instead of 99.05 % argmax agreement with the unsplit fp16 reference on the test fixture). The casts
 * cancel out in the same way, and they cost nothing next to the tower.
 */
export function visionCutInfo(
  ix: GraphIndex,
  p: Partition,
  source: string,
): { vi: OnnxValueInfo; inner: string | null } {
  const vi = cutValueInfo(ix, p, source);
  const tt = vi.type!.tensor_type!;
  if (tt.elem_type !== DataType.FLOAT16) return { vi, inner: null };
  const wide = {
    ...vi,
    name: `${vi.name}__f32`,
    type: { tensor_type: { ...tt, elem_type: DataType.FLOAT } },
  };
  return { vi: wide, inner: vi.name! };
}

const cast = (input: string, output: string, to: number): OnnxNode => ({
  op_type: 'Cast',
  name: output,
  input: [input],
  output: [output],
  attribute: [{ name: 'to', type: AttributeType.INT, i: to }],
});

const NAMES: Record<number, string> = { [PART_TEXT]: 'text', [PART_VISION]: 'vision', [PART_JOINT]: 'joint' };

export function buildPart(ix: GraphIndex, p: Partition, which: number): BuiltPart {
  const g = ix.graph;
  const { ns, used, produced } = partNodes(ix, p, which);
  const { initializer, sparseInit, initBytes } = partInits(g, used);
  const { input, output } = which === PART_JOINT ? jointIo(ix, p, ns) : sideIo(ix, p, which, ns, used);
  const io = new Set([...input, ...output].map((v) => v.name));
  const value_info = (g.value_info ?? []).filter((v) => v.name && produced.has(v.name) && !io.has(v.name));
  const graph: OnnxGraph = {
    name: `${g.name ?? 'graph'}_${NAMES[which]}`,
    node: ns,
    initializer,
    input,
    output,
    ...(sparseInit.length ? { sparse_initializer: sparseInit } : {}),
    ...(value_info.length ? { value_info } : {}),
  };
  return { graph, initBytes };
}

/**
 * The part's source nodes in topological order (joint nodes read renamed graph inputs under their new
 * names), with the tensors they read and make.
 */
function partNodes(
  ix: GraphIndex,
  p: Partition,
  which: number,
): { ns: OnnxNode[]; used: Set<string>; produced: Set<string> } {
  const ns: OnnxNode[] = [];
  const used = new Set<string>();
  const produced = new Set<string>();
  for (const i of ix.liveOrder) {
    if (!(p.part[i]! & which)) continue;
    let n = ix.nodes[i]!;
    if (which === PART_JOINT && (n.input ?? []).some((t) => p.rename.has(t)))
      n = { ...n, input: n.input!.map((t) => p.rename.get(t) ?? t) };
    ns.push(n);
    for (const t of n.input ?? []) if (t) used.add(t);
    for (const o of n.output ?? []) if (o) produced.add(o);
  }
  return { ns, used, produced };
}

/** The source's initializers (dense and sparse) that the part's nodes read, with their payload bytes. */
function partInits(
  g: OnnxGraph,
  used: Set<string>,
): { initializer: OnnxTensor[]; sparseInit: SparseInit[]; initBytes: Map<string, number> } {
  const initBytes = new Map<string, number>();
  const initializer: OnnxTensor[] = [];
  const sparseInit: SparseInit[] = [];
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
  return { initializer, sparseInit, initBytes };
}

interface PartIo {
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

/**
 * The joint part reads the vision cut then the text cut and outputs the joint outputs. A float16
 * vision cut tensor arrives as float32 and is cast back first (prepended to `ns`, see visionCutInfo).
 */
function jointIo(ix: GraphIndex, p: Partition, ns: OnnxNode[]): PartIo {
  const wide = p.visionCut.map((t) => visionCutInfo(ix, p, t));
  for (const w of wide) if (w.inner) ns.unshift(cast(w.vi.name!, w.inner, DataType.FLOAT16));
  return {
    input: [...wide.map((w) => w.vi), ...p.textCut.map((t) => cutValueInfo(ix, p, t))],
    output: p.jointOutputs.map((o) => ix.declared.get(o) ?? { name: o }),
  };
}

/**
 * The text or vision part reads the graph inputs it uses and outputs its cut, then the source outputs
 * that only it makes. Adds to `ns` the Identity of each renamed graph input and the Cast of each
 * float16 vision cut tensor, and to `used` the tensors it outputs: a graph input that it outputs or
 * passes on stays one of its inputs even when none of its nodes reads it.
 */
function sideIo(ix: GraphIndex, p: Partition, which: number, ns: OnnxNode[], used: Set<string>): PartIo {
  const cut = which === PART_TEXT ? p.textCut : p.visionCut;
  const onlyOutputs = which === PART_TEXT ? p.textOnlyOutputs : p.visionOnlyOutputs;
  const graphIn = which === PART_TEXT ? ix.textIn : ix.imageIn;
  // Graph inputs that the joint part reads pass through under their new name.
  for (const t of cut) {
    const to = p.rename.get(t);
    if (to) ns.push({ op_type: 'Identity', name: to, input: [t], output: [to] });
    used.add(t);
  }
  for (const o of onlyOutputs) used.add(o);
  const input = graphIn.filter((v) => used.has(v.name!));
  const cutOut = cut.map((t) => {
    if (which === PART_TEXT) return cutValueInfo(ix, p, t);
    const w = visionCutInfo(ix, p, t);
    if (w.inner) ns.push(cast(w.inner, w.vi.name!, DataType.FLOAT));
    return w.vi;
  });
  const declaredOr = (o: string) => ix.declared.get(o) ?? valueInfoFor(o, ix.elemType.get(o) ?? 0, undefined);
  return { input, output: [...cutOut, ...onlyOutputs.map(declaredOr)] };
}

/** Initializers used by more than one part: how many extra copies, and their bytes. */
export function sharedInits(parts: BuiltPart[]): { count: number; bytes: number } {
  const seen = new Map<string, number>();
  let count = 0;
  let bytes = 0;
  for (const part of parts)
    for (const [name, b] of part.initBytes) {
      if (seen.has(name)) {
        count++;
        bytes += b;
      }
      seen.set(name, b);
    }
  return { count, bytes };
}
