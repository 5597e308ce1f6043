/**
 * Splits a one-graph CLIPSeg-style ONNX model (inputs `input_ids`, `attention_mask`, `pixel_values`;
 * output `logits`) three ways by input dependence, at load time:
 *
 * - TEXT: nodes reached only from the text inputs (and initializers/constants). Run once per prompt;
 *   its outputs (the text cut) are cached per prompt.
 * - VISION: nodes reached only from the image input (the vision tower). Run once per image; its
 *   outputs (the vision cut) are kept while the image stays.
 * - JOINT (the conditioned decoder): every node that depends on both. Run per chunk of rows on the
 *   kept vision cut and N stacked text cuts (one image broadcast against N rows).
 * - A node that depends on no graph input (Constant, shape arithmetic on initializers, ...) is copied
 *   into every part that consumes it.
 *
 * With `textEnd: 'conditional'` the text part instead ends at the *conditional embedding*: the last
 * tensor through which every path from the text inputs to the floating-point text cut passes (a
 * dominator; for CLIPSeg the [N, D] projection that feeds the decoder's FiLM layers). Text-only nodes
 * after it (FiLM linears, `Shape(cond)` batch-size chains) move to the joint part, and the text cut is
 * one [N, D] row per prompt, which can be averaged per class (one decoder row per class).
 *
 * The work is done in three steps, one file each: indexGraph (./graphIndex), partition
 * (./partition), buildPart (./buildParts). Pure TypeScript (no Node or DOM APIs): runs in the browser
 * worker. Weights are never copied while splitting: decoded `raw_data` fields are views into the input
 * bytes, and encoding writes each part into a fresh buffer. Nothing returned refers to the input
 * bytes, so the caller can drop them.
 */
import { decodeModel, encodeModel, type OnnxGraph, type OnnxModel } from '../onnx/onnxProto';
import { buildPart, cutValueInfo, sharedInits, visionCutInfo, type BuiltPart } from './buildParts';
import { DEFAULT_TEXT_INPUTS, indexGraph, type GraphIndex } from './graphIndex';
import { dimsOf, SplitError } from '../onnx/graphTools';
import { quantizePerRow } from '../onnx/rowQuant';
import { partition, PART_JOINT, PART_TEXT, PART_VISION, type Partition, type TextEnd } from './partition';

export { SplitError };
export type { TextEnd };

export interface SplitOptions {
  /** Graph inputs that belong to the text side (default `input_ids`, `attention_mask`, `position_ids`). */
  textInputs?: string[];
  /**
   * Where the text model ends: 'frontier' (default) is the pure input-dependence split; 'conditional'
   * ends it at the conditional embedding (see the file comment); `{ tensor }` at a named tensor.
   */
  textEnd?: TextEnd;
  /**
   * Rewrite the text and joint parts' dynamic int8 quantisation per row (../onnx/rowQuant), so their
   * rows can be batched (default true). The vision part sees one image a run and is left as it is.
   */
  rowQuant?: boolean;
}

/** A tensor that the text or vision model outputs and the joint model takes as input. */
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
  /** Name of the original tensor, when `name` had to differ (a graph input passed through). */
  source?: string;
}

interface PerPart {
  text: number;
  vision: number;
  joint: number;
}

export interface SplitStats {
  /** Live nodes of the source (`source`), dead ones dropped, nodes per part; `copied`: extra copies of constant nodes. */
  nodes: PerPart & { source: number; dropped: number; copied: number };
  /** Initializers per part; `shared`: extra copies (an initializer in two parts counts once here). */
  initializers: PerPart & { shared: number };
  bytes: PerPart & { shared: number };
}

export interface DenseSplit {
  /** Encoded text model: inputs `textInputs`, outputs `cut` (then `textOnlyOutputs`). */
  text: Uint8Array;
  /** Encoded vision model: inputs `imageInputs`, outputs `visionCut` (then `visionOnlyOutputs`). */
  vision: Uint8Array;
  /** Encoded joint model (the conditioned decoder): inputs `visionCut` then `cut`, outputs `jointOutputs`. */
  joint: Uint8Array;
  textInputs: string[];
  /** Image-side graph inputs (normally just `pixel_values`). */
  imageInputs: string[];
  /** The text cut: one value per prompt, cached. */
  cut: CutTensor[];
  /** The vision cut: kept per image. */
  visionCut: CutTensor[];
  /** Source graph outputs that depend on the text inputs only (the text model outputs them too). */
  textOnlyOutputs: string[];
  visionOnlyOutputs: string[];
  jointOutputs: string[];
  /** With textEnd 'conditional' or a tensor: the tensor the text part ends at. */
  anchor: string | null;
  /** Declared dims of each image-side input (e.g. pixel_values [batch, 3, 352, 352]); null: unknown. */
  imageInputDims: Record<string, (number | string)[] | null>;
  /**
   * Whether a part mixes values across the rows of one run: per-tensor dynamic quantisation
   * (DynamicQuantizeLinear, in `_quantized` exports) picks one scale for the whole [N, ...] tensor, so
   * a prompt's result then depends on the other prompts run with it. Encode such a text part one
   * prompt per run, and run such a joint part one row per run, to keep kept values independent of
   * their batch-mates. With `rowQuant` (the default) the text and joint parts are rewritten per row
   * and are false here unless some quantisation could not be rewritten. (The vision part sees one
   * image per run: it has no batch-mates.)
   */
  crossBatch: { text: boolean; vision: boolean; joint: boolean };
  /** DynamicQuantizeLinear nodes made per row by the `rowQuant` rewrite, per part. */
  rowQuantised: { text: number; joint: number };
  stats: SplitStats;
}

/** Ops whose output for one prompt depends on the other prompts of the same run. */
const CROSS_BATCH_OPS: ReadonlySet<string> = new Set(['DynamicQuantizeLinear']);

/**
 * Splits the model. Throws SplitError with a readable message when the graph cannot be split
 * (subgraphs, no text input, no output that joins text and image, a cut tensor of unknown type, ...).
 */
export function splitDenseModel(bytes: Uint8Array, opts: SplitOptions = {}): DenseSplit {
  const model = decodeModel(bytes);
  if (!model.graph) throw new SplitError('Cannot split this model: it has no graph');
  const ix = indexGraph(model.graph, opts.textInputs ?? DEFAULT_TEXT_INPUTS);
  const p = partition(ix, opts.textEnd ?? 'frontier');
  const text = buildPart(ix, p, PART_TEXT);
  const vision = buildPart(ix, p, PART_VISION);
  const joint = buildPart(ix, p, PART_JOINT);
  const stats = splitStats(ix, p, [text, vision, joint]);
  const opset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  const perRow = (b: BuiltPart) => {
    if (opts.rowQuant === false) return 0;
    const r = quantizePerRow(b.graph, Number(opset ?? 0));
    b.graph = r.graph;
    return r.rewritten;
  };
  const rowQuantised = { text: perRow(text), joint: perRow(joint) };
  const wrap = (graph: OnnxGraph, which: string): Uint8Array => {
    const out: OnnxModel = {
      ...model,
      graph,
      metadata_props: [...(model.metadata_props ?? []), { key: 'ovseg.split', value: which }],
    };
    return encodeModel(out);
  };
  const crossBatch = (b: BuiltPart) => b.graph.node!.some((n) => CROSS_BATCH_OPS.has(n.op_type ?? ''));
  const imageInputs = ix.imageIn.filter((v) => vision.graph.input!.includes(v));
  return {
    text: wrap(text.graph, 'text'),
    vision: wrap(vision.graph, 'vision'),
    joint: wrap(joint.graph, 'joint'),
    textInputs: text.graph.input!.map((v) => v.name!),
    imageInputs: imageInputs.map((v) => v.name!),
    cut: cutTensors(ix, p, p.textCut),
    visionCut: cutTensors(ix, p, p.visionCut, true),
    textOnlyOutputs: p.textOnlyOutputs,
    visionOnlyOutputs: p.visionOnlyOutputs,
    jointOutputs: p.jointOutputs,
    anchor: p.anchor,
    imageInputDims: Object.fromEntries(imageInputs.map((v) => [v.name!, dimsOf(v)])),
    crossBatch: { text: crossBatch(text), vision: crossBatch(vision), joint: crossBatch(joint) },
    rowQuantised,
    stats,
  };
}

function cutTensors(ix: GraphIndex, p: Partition, names: string[], vision = false): CutTensor[] {
  return names.map((t) => {
    const vi = vision ? visionCutInfo(ix, p, t).vi : cutValueInfo(ix, p, t);
    const name = vi.name!;
    return {
      name,
      elemType: vi.type!.tensor_type!.elem_type!,
      dims: dimsOf(vi),
      ...(name !== t ? { source: t } : {}),
    };
  });
}

function splitStats(ix: GraphIndex, p: Partition, parts: [BuiltPart, BuiltPart, BuiltPart]): SplitStats {
  const { liveOrder } = ix;
  const count = (bit: number) => liveOrder.filter((i) => p.part[i]! & bit).length;
  const bits = (x: number) => (x & 1) + ((x >> 1) & 1) + ((x >> 2) & 1);
  const copied = liveOrder.reduce((s, i) => s + Math.max(0, bits(p.part[i]!) - 1), 0);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const [text, vision, joint] = parts;
  const shared = sharedInits(parts);
  return {
    nodes: {
      source: liveOrder.length,
      dropped: ix.nodes.length - liveOrder.length,
      text: count(PART_TEXT),
      vision: count(PART_VISION),
      joint: count(PART_JOINT),
      copied,
    },
    initializers: {
      text: text.initBytes.size,
      vision: vision.initBytes.size,
      joint: joint.initBytes.size,
      shared: shared.count,
    },
    bytes: {
      text: sum(text.initBytes),
      vision: sum(vision.initBytes),
      joint: sum(joint.initBytes),
      shared: shared.bytes,
    },
  };
}
