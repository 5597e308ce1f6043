/**
 * An index over one decoded ONNX graph for the dense-CLIP surgery: who produces and who reads each
 * tensor, topological positions, which tensors are constant (depend on no graph input), path queries,
 * and a small evaluator for constant tensors (weights behind Identity/Gather/DequantizeLinear/Cast).
 * Pure TypeScript: runs in the worker and in Node.
 */
import { ModelGraphUnsupportedError } from '../../errors';
import { halfToFloat } from '../onnx/half';
import { attr, topoOrder } from '../onnx/graphTools';
import { DataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from '../onnx/onnxProto';

/** The load error of this family: says what the surgery looked for and did not find. */
export class ClipDenseError extends ModelGraphUnsupportedError {
  override name = 'ClipDenseError';
}

/** A constant tensor's value, widened to float64. */
export interface ConstValue {
  dims: number[];
  data: Float64Array;
  /** ONNX element type of the tensor as stored (FLOAT, FLOAT16, UINT8, ...). */
  type: number;
}

export class GraphIndex {
  readonly nodes: OnnxNode[];
  readonly producer = new Map<string, number>();
  readonly consumers = new Map<string, number[]>();
  readonly inits = new Map<string, OnnxTensor>();
  /** Position of each node in topological order. */
  readonly pos: Int32Array;
  /** Node indices in topological order. */
  readonly order: number[];
  /** Graph inputs that are not initializers. */
  readonly inputs: string[];
  private readonly constant = new Set<string>();

  constructor(readonly graph: OnnxGraph) {
    this.nodes = graph.node ?? [];
    for (const t of graph.initializer ?? []) if (t.name) this.inits.set(t.name, t);
    this.inputs = (graph.input ?? []).map((v) => v.name ?? '').filter((n) => n && !this.inits.has(n));
    this.nodes.forEach((n, i) => {
      for (const o of n.output ?? []) if (o) this.producer.set(o, i);
      for (const t of n.input ?? []) {
        if (!t) continue;
        const list = this.consumers.get(t);
        if (list) list.push(i);
        else this.consumers.set(t, [i]);
      }
    });
    this.order = topoOrder(this.nodes, new Set([...this.inputs, ...this.inits.keys()]));
    this.pos = new Int32Array(this.nodes.length);
    this.order.forEach((i, k) => (this.pos[i] = k));
    for (const name of this.inits.keys()) this.constant.add(name);
    const live = new Set(this.inputs);
    for (const i of this.order) {
      const n = this.nodes[i]!;
      const dependent = (n.input ?? []).some((t) => t && live.has(t));
      for (const o of n.output ?? []) if (o) (dependent ? live : this.constant).add(o);
    }
  }

  /** Whether the tensor depends on no graph input (a weight, a Constant, shape maths on weights). */
  isConst(t: string): boolean {
    return this.constant.has(t);
  }

  node(i: number): OnnxNode {
    return this.nodes[i]!;
  }

  producerOf(t: string): OnnxNode | undefined {
    const i = this.producer.get(t);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** Readers of `t`, optionally only those of one op type. */
  readers(t: string, op?: string): number[] {
    const all = this.consumers.get(t) ?? [];
    return op ? all.filter((i) => this.nodes[i]!.op_type === op) : all;
  }

  /** Topological position of the node producing `t` (-1 for graph inputs and initializers). */
  posOf(t: string): number {
    const i = this.producer.get(t);
    return i === undefined ? -1 : this.pos[i]!;
  }

  /**
   * Nodes on some path from tensor `from` to tensor `to` (both included as ends), in topological
   * order; empty when `to` does not depend on `from`.
   */
  between(from: string, to: string): number[] {
    const start = this.posOf(from);
    const reach = new Set<number>(); // nodes that `to` depends on, after `from`'s producer
    const stack = [to];
    const seenT = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seenT.has(t) || t === from) continue;
      seenT.add(t);
      const p = this.producer.get(t);
      if (p === undefined || this.pos[p]! <= start || reach.has(p)) continue;
      reach.add(p);
      for (const x of this.nodes[p]!.input ?? []) if (x) stack.push(x);
    }
    // Keep only nodes that also depend on `from`.
    const fromSide = new Set<string>([from]);
    const out: number[] = [];
    for (const i of [...reach].sort((a, b) => this.pos[a]! - this.pos[b]!)) {
      const n = this.nodes[i]!;
      if ((n.input ?? []).some((x) => x && fromSide.has(x))) {
        out.push(i);
        for (const o of n.output ?? []) if (o) fromSide.add(o);
      }
    }
    return fromSide.has(to) ? out : [];
  }

  dependsOn(to: string, from: string): boolean {
    return to === from || this.between(from, to).length > 0;
  }

  /** Evaluates a constant tensor, or returns undefined when it is not one this evaluator knows. */
  constValue(t: string, depth = 0): ConstValue | undefined {
    const init = this.inits.get(t);
    if (init) return readTensor(init);
    const n = this.producerOf(t);
    if (!n || depth > 16 || !this.isConst(t)) return undefined;
    const inp = (k: number) => (n.input?.[k] ? this.constValue(n.input[k], depth + 1) : undefined);
    switch (n.op_type) {
      case 'Constant': {
        const a = n.attribute?.[0];
        if (a?.t) return readTensor(a.t);
        if (a?.name === 'value_float')
          return { dims: [], data: Float64Array.of(a.f ?? 0), type: DataType.FLOAT };
        if (a?.name === 'value_floats')
          return { dims: [a.floats!.length], data: Float64Array.from(a.floats!), type: DataType.FLOAT };
        if (a?.name === 'value_int')
          return { dims: [], data: Float64Array.of(a.i ?? 0), type: DataType.INT64 };
        if (a?.name === 'value_ints')
          return { dims: [a.ints!.length], data: Float64Array.from(a.ints!), type: DataType.INT64 };
        return undefined;
      }
      case 'Identity':
        return inp(0);
      case 'Cast': {
        const v = inp(0);
        return v && { ...v, type: attr(n, 'to')?.i ?? v.type };
      }
      case 'DequantizeLinear': {
        const [x, s, z] = [inp(0), inp(1), inp(2)];
        if (!x || !s || s.data.length !== 1 || (z && z.data.length !== 1)) return undefined;
        const zp = z?.data[0] ?? 0;
        return { dims: x.dims, data: x.data.map((q) => (q - zp) * s.data[0]!), type: s.type };
      }
      case 'Gather': {
        const [x, idx] = [inp(0), inp(1)];
        if (!x || !idx || (attr(n, 'axis')?.i ?? 0) !== 0 || x.dims.length === 0) return undefined;
        const row = x.data.length / x.dims[0]!;
        const data = new Float64Array(idx.data.length * row);
        idx.data.forEach((j, k) => {
          const r = j < 0 ? j + x.dims[0]! : j;
          data.set(x.data.subarray(r * row, (r + 1) * row), k * row);
        });
        return { dims: [...idx.dims, ...x.dims.slice(1)], data, type: x.type };
      }
      default:
        return undefined;
    }
  }

  /** A constant scalar (any single-element tensor), or undefined. */
  scalar(t: string): number | undefined {
    const v = this.constValue(t);
    return v && v.data.length === 1 ? v.data[0] : undefined;
  }
}

/** Reads a tensor's payload (raw_data or typed fields) as float64. */
function readTensor(t: OnnxTensor): ConstValue {
  const dims = (t.dims ?? []).map(Number);
  const type = t.data_type ?? DataType.UNDEFINED;
  const raw = t.raw_data;
  let data: Float64Array;
  if (raw && raw.byteLength) {
    const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    switch (type) {
      case DataType.FLOAT:
        data = Float64Array.from(new Float32Array(buf));
        break;
      case DataType.FLOAT16:
        data = Float64Array.from(halfToFloat(new Uint16Array(buf)));
        break;
      case DataType.DOUBLE:
        data = new Float64Array(buf);
        break;
      case DataType.INT64:
        data = Float64Array.from(new BigInt64Array(buf), Number);
        break;
      case DataType.INT32:
        data = Float64Array.from(new Int32Array(buf));
        break;
      case DataType.UINT8:
        data = Float64Array.from(new Uint8Array(buf));
        break;
      case DataType.INT8:
        data = Float64Array.from(new Int8Array(buf));
        break;
      default:
        throw new ClipDenseError(`Cannot read tensor "${t.name}" of element type ${type}`);
    }
  } else if (type === DataType.FLOAT16 || type === DataType.UINT8 || type === DataType.INT8) {
    // int32_data holds these small types one value per entry (FLOAT16 as raw bits).
    const v = t.int32_data ?? [];
    data =
      type === DataType.FLOAT16 ? Float64Array.from(halfToFloat(Uint16Array.from(v))) : Float64Array.from(v);
  } else {
    data = Float64Array.from(
      t.float_data?.length ? t.float_data : (t.int64_data ?? t.double_data ?? t.int32_data ?? []),
    );
  }
  return { dims, data, type };
}
