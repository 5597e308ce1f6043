/**
 * The op patterns SAM's graphs share, as a torch export writes them: MatMul + bias Add linears
 * (the form dynamic int8 quantisation rewrites), LayerNormalization, exact GELU through Erf,
 * LayerNorm2d over channels (ReduceMean/Pow/Sqrt, its gains [C, 1, 1]), random Fourier features.
 * Weights are named after the torch parameters (`.weight_t`: a linear's weight transposed to
 * [in, out]), so a test can fill them from the fixture's own export.
 */
import { FloatAttr, floatTensor, node, type AttrValue } from '../../src/models/onnx/onnxBuilder';
import { prng } from '../../test-support/prng';
import type { GraphWriter } from './graphWriter';

/** Fan-in scaling (std 1/√fan-in): a random layer keeps its input's scale, deep stacks stay finite. */
export const fanIn = (n: number) => 1 / Math.sqrt(n);

/** The prompt encoder's Gaussian matrix [2, dim / 2]: both graphs hold it, so it is drawn apart. */
export function gaussianMatrix(seed: number, dim: number): Float32Array {
  const rand = prng(seed ^ 0x5a3e11);
  // Uniform with standard deviation 1, as GraphWriter's weights stand in for N(0, std²).
  return Float32Array.from({ length: dim }, () => (rand() * 2 - 1) * Math.sqrt(3));
}

export class SamLayers {
  constructor(
    protected readonly w: GraphWriter,
    /** PositionEmbeddingRandom's matrix, flattened [2, dim / 2] (see gaussianMatrix). */
    private readonly gaussian: Float32Array,
  ) {}

  /** One node whose output gets a chosen name (the graph's outputs). */
  protected named(
    type: string,
    inputs: string[],
    out: string,
    attrs: Record<string, AttrValue> = {},
  ): string {
    this.w.nodes.push(node(type, inputs, [out], attrs, `/${out}/${type}`));
    return out;
  }

  /** A float32 constant of any shape (grids, coordinate tables). */
  protected constTensor(scope: string, dims: number[], values: ArrayLike<number>): string {
    const out = this.w.name(scope, 'Constant');
    this.w.nodes.push(node('Constant', [], [out], { value: floatTensor(out, dims, values) }));
    return out;
  }

  /** `Slice(Shape(x), start, end)`: some of a tensor's dimensions, as an int64 vector. */
  protected dims(scope: string, x: string, start: number, end: number): string {
    const w = this.w;
    return w.op(scope, 'Slice', [
      w.op(scope, 'Shape', [x]),
      w.constI64(scope, [start]),
      w.constI64(scope, [end]),
    ]);
  }

  /** `Slice(x, start, end)` on one axis. */
  protected slice(scope: string, x: string, axis: number, start: number, end: number): string {
    const w = this.w;
    return w.op(scope, 'Slice', [
      x,
      w.constI64(scope, [start]),
      w.constI64(scope, [end]),
      w.constI64(scope, [axis]),
    ]);
  }

  protected linear(scope: string, x: string, inDim: number, outDim: number, name: string): string {
    const W = this.w.weight(`${name}.weight_t`, [inDim, outDim], fanIn(inDim));
    const b = this.w.weight(`${name}.bias`, [outDim], 0.02);
    return this.w.op(scope, 'Add', [this.w.op(scope, 'MatMul', [x, W]), b]);
  }

  protected layerNorm(scope: string, x: string, dim: number, name: string, eps: number): string {
    const g = this.w.filled(`${name}.weight`, [dim], 1);
    const b = this.w.filled(`${name}.bias`, [dim], 0);
    return this.w.op(scope, 'LayerNormalization', [x, g, b], { axis: -1, epsilon: new FloatAttr(eps) });
  }

  /** Upstream's LayerNorm2d on [N, C, H, W]: normalised over C, then weight[:, None, None] * x + bias. */
  protected layerNorm2d(scope: string, x: string, c: number, name: string, eps: number): string {
    const w = this.w;
    const u = w.op(scope, 'ReduceMean', [x], { axes: [1], keepdims: 1 });
    const d = w.op(scope, 'Sub', [x, u]);
    const s = w.op(scope, 'ReduceMean', [w.op(scope, 'Pow', [d, w.constF(scope, 2)])], {
      axes: [1],
      keepdims: 1,
    });
    const n = w.op(scope, 'Div', [d, w.op(scope, 'Sqrt', [w.op(scope, 'Add', [s, w.constF(scope, eps)])])]);
    const g = w.filled(`${name}.weight`, [c, 1, 1], 1);
    return w.op(scope, 'Add', [w.op(scope, 'Mul', [n, g]), w.filled(`${name}.bias`, [c, 1, 1], 0)]);
  }

  /** nn.GELU(): x · ½ · (1 + erf(x / √2)). */
  protected gelu(scope: string, x: string): string {
    const w = this.w;
    const erf = w.op(scope, 'Erf', [w.op(scope, 'Div', [x, w.constF(scope, Math.SQRT2)])]);
    const half = w.op(scope, 'Mul', [x, w.op(scope, 'Add', [erf, w.constF(scope, 1)])]);
    return w.op(scope, 'Mul', [half, w.constF(scope, 0.5)]);
  }

  /**
   * PositionEmbeddingRandom._pe_encoding of coordinates in [0, 1] (last axis x, y):
   * [sin, cos](2π · (2·coords − 1) @ G), G [2, dim / 2] the random Gaussian matrix.
   */
  protected fourier(scope: string, coords: string): string {
    const w = this.w;
    const n = this.gaussian.length / 2;
    const G = w.values('prompt_encoder.pe_layer.positional_encoding_gaussian_matrix', [2, n], this.gaussian);
    const c = w.op(scope, 'Sub', [w.op(scope, 'Mul', [coords, w.constF(scope, 2)]), w.constF(scope, 1)]);
    const a = w.op(scope, 'Mul', [w.op(scope, 'MatMul', [c, G]), w.constF(scope, 2 * Math.PI)]);
    return w.op(scope, 'Concat', [w.op(scope, 'Sin', [a]), w.op(scope, 'Cos', [a])], { axis: -1 });
  }

  /** Two- or more-layer MLP with ReLU between the layers (upstream's mask_decoder.MLP). */
  protected mlp(scope: string, x: string, dims: number[], name: string): string {
    let h = x;
    for (let i = 0; i + 1 < dims.length; i++) {
      h = this.linear(scope, h, dims[i]!, dims[i + 1]!, `${name}.layers.${i}`);
      if (i + 2 < dims.length) h = this.w.op(scope, 'Relu', [h]);
    }
    return h;
  }
}
