/**
 * A small stateful helper over the project's ONNX builder for generators that emit large graphs:
 * unique tensor names, seeded random weights written straight into raw bytes (hundreds of MB, so no
 * per-value DataView), and torch-style `Constant` nodes for shape arithmetic.
 */
import { endianness } from 'node:os';
import {
  floatTensor,
  int64Tensor,
  node,
  type AttrValue,
  type FloatAttr,
} from '../../src/models/onnx/onnxBuilder';
import { DataType, type OnnxNode, type OnnxTensor } from '../../src/models/onnx/onnxProto';
import { prng } from '../../test-support/prng';

if (endianness() !== 'LE')
  throw new Error('graphWriter writes float32 raw_data as host bytes: needs a little-endian host');

function checkDims(name: string, dims: number[], n: number): void {
  if (dims.reduce((a, b) => a * b, 1) !== n) throw new Error(`${name}: ${n} values for dims ${dims}`);
}

export class GraphWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** Float32 values in initializers (the file's parameter count). */
  floats = 0;
  private readonly rand: () => number;
  private count = 0;

  /** `dry`: count parameters and emit nodes, but allocate no weights (sizes of the full model in tests). */
  constructor(
    seed: number,
    private readonly dry = false,
  ) {
    this.rand = prng(seed);
  }

  /** A fresh tensor name under a scope (`/vision/layers.3/attn/MatMul_7`). */
  name(scope: string, what: string): string {
    return `${scope}/${what}_${this.count++}`;
  }

  /**
   * A float32 weight, uniform in [-a, a] with a = std·√3 (standard deviation `std`): a seeded,
   * fast stand-in for N(0, std²) that keeps activations finite through deep stacks.
   */
  weight(name: string, dims: number[], std: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (this.dry) return this.raw(name, dims, new Float32Array(0), n);
    const data = new Float32Array(n);
    const a = std * Math.sqrt(3);
    for (let i = 0; i < n; i++) data[i] = (this.rand() * 2 - 1) * a;
    return this.raw(name, dims, data);
  }

  /** A float32 tensor filled with one value (LayerNorm weights 1, biases 0). */
  filled(name: string, dims: number[], value: number): string {
    if (this.dry)
      return this.raw(
        name,
        dims,
        new Float32Array(0),
        dims.reduce((a, b) => a * b, 1),
      );
    return this.raw(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value));
  }

  /** A float32 weight with the given values (a table two graphs must share, computed elsewhere). */
  values(name: string, dims: number[], data: Float32Array): string {
    checkDims(name, dims, data.length);
    return this.raw(name, dims, data);
  }

  protected raw(name: string, dims: number[], data: Float32Array, count = data.length): string {
    this.floats += count;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: bytes });
    return name;
  }

  /** An int64 `Constant` node (torch exports shape arithmetic this way). */
  constI64(scope: string, values: number[], dims: number[] = [values.length]): string {
    const out = this.name(scope, 'Constant');
    this.nodes.push(node('Constant', [], [out], { value: int64Tensor(out, dims, values) }));
    return out;
  }

  /** A float32 scalar `Constant` node. */
  constF(scope: string, value: number): string {
    const out = this.name(scope, 'Constant');
    this.nodes.push(node('Constant', [], [out], { value: floatTensor(out, [], [value]) }));
    return out;
  }

  /** One node with one output; returns the output's name. */
  op(
    scope: string,
    type: string,
    inputs: string[],
    attrs: Record<string, AttrValue | FloatAttr> = {},
  ): string {
    const out = this.name(scope, type);
    this.nodes.push(node(type, inputs, [out], attrs, out));
    return out;
  }
}
